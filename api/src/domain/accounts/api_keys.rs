//! API keys for editors and integrators. A key is shown once at creation;
//! only its SHA-256 is stored. Keys carry 190 random bits, so a fast hash is
//! enough: there is nothing to brute-force, unlike a password.

use super::{Actor, Scope};
use crate::domain::token;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use entity::api_key;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

pub type ApiKey = api_key::Model;

pub const PREFIX: &str = "dl_";

pub fn hash(secret: &str) -> String {
    token::sha256_hex(&[secret.as_bytes()])
}

pub fn scopes_of(row: &ApiKey) -> Vec<Scope> {
    row.scopes.split_whitespace().filter_map(Scope::parse).collect()
}

/// Creates a key and returns it with the secret, which is never stored.
pub async fn create(
    db: &impl ConnectionTrait,
    name: &str,
    scopes: &[Scope],
    rate_limit: Option<u32>,
    now: DateTime<Utc>,
) -> AppResult<(ApiKey, String)> {
    let rate_limit = rate_limit
        .map(|r| i32::try_from(r).map_err(|_| AppError::field("rate-limit", "is too large")))
        .transpose()?;
    if name.trim().is_empty() || name.len() > 200 {
        return Err(AppError::field("name", "must be 1 to 200 characters"));
    }
    if scopes.is_empty() {
        return Err(AppError::field("scope", "give at least one scope"));
    }
    let secret = token::secret(PREFIX, 24);
    let row = api_key::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(name.trim().to_owned()),
        key_prefix: Set(secret.chars().take(10).collect()),
        key_hash: Set(hash(&secret)),
        scopes: Set(scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" ")),
        created_at: Set(now),
        last_used_at: Set(None),
        revoked_at: Set(None),
        rate_limit: Set(rate_limit),
    };
    let model = api_key::Entity::insert(row).exec_with_returning(db).await?;
    Ok((model, secret))
}

pub async fn list(db: &impl ConnectionTrait) -> AppResult<Vec<ApiKey>> {
    Ok(api_key::Entity::find().order_by_asc(api_key::Column::CreatedAt).all(db).await?)
}

pub async fn revoke(db: &impl ConnectionTrait, id: Uuid, now: DateTime<Utc>) -> AppResult<()> {
    let res = api_key::Entity::update_many()
        .col_expr(api_key::Column::RevokedAt, sea_orm::sea_query::Expr::value(now))
        .filter(api_key::Column::Id.eq(id))
        .filter(api_key::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(AppError::NotFound("active API key"));
    }
    Ok(())
}

/// Resolves a bearer token. Unknown and revoked keys are the same error, so
/// a caller learns nothing about which keys exist.
pub async fn authenticate(db: &impl ConnectionTrait, token: &str) -> AppResult<Actor> {
    if !token.starts_with(PREFIX) || token.len() > 100 {
        return Err(AppError::Unauthenticated);
    }
    let row = api_key::Entity::find()
        .filter(api_key::Column::KeyHash.eq(hash(token)))
        .filter(api_key::Column::RevokedAt.is_null())
        .all(db)
        .await?
        .into_iter()
        .next()
        .ok_or(AppError::Unauthenticated)?;
    let rate = row.rate_limit.and_then(|r| u32::try_from(r).ok());
    Ok(Actor::api_key(row.id, scopes_of(&row)).with_key_rate(rate))
}
