//! Session tokens for people: 256 random bits, shown once, stored as a
//! SHA-256 (like API keys: a random token needs no slow hash), expiring,
//! and revoked on sign-out.

use super::users::{self, DELETED};
use super::{Actor, Principal};
use crate::domain::token;
use crate::error::{AppError, AppResult};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, TimeDelta, Utc};
use entity::user_session;
use rand::RngCore;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

pub const PREFIX: &str = "dls_";

/// Starts a session for `user_id`; returns the token, which is never stored.
pub async fn issue(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    now: DateTime<Utc>,
    ttl: TimeDelta,
) -> AppResult<String> {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret = format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes));
    let row = user_session::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        token_hash: Set(token::sha256_hex(&[secret.as_bytes()])),
        created_at: Set(now),
        expires_at: Set(now + ttl),
        revoked_at: Set(None),
    };
    user_session::Entity::insert(row).exec_without_returning(db).await?;
    Ok(secret)
}

/// Resolves a session token. Unknown, expired and revoked sessions, and
/// erased accounts, are all the same error.
pub async fn authenticate(db: &impl ConnectionTrait, token: &str, now: DateTime<Utc>) -> AppResult<Actor> {
    if !token.starts_with(PREFIX) || token.len() > 100 {
        return Err(AppError::Unauthenticated);
    }
    let session = user_session::Entity::find()
        .filter(user_session::Column::TokenHash.eq(token::sha256_hex(&[token.as_bytes()])))
        .filter(user_session::Column::RevokedAt.is_null())
        .filter(user_session::Column::ExpiresAt.gt(now))
        .all(db)
        .await?
        .into_iter()
        .next()
        .ok_or(AppError::Unauthenticated)?;
    let user = users::by_id(db, session.user_id).await?.ok_or(AppError::Unauthenticated)?;
    if user.status == DELETED {
        return Err(AppError::Unauthenticated);
    }
    Ok(Actor::member(users::member(&user, session.id)))
}

/// Ends the caller's session; the token fails from then on.
pub async fn sign_out(db: &impl ConnectionTrait, actor: &Actor, now: DateTime<Utc>) -> AppResult<()> {
    let Some(m) = &actor.member else {
        return Err(match actor.principal {
            Principal::Anonymous => AppError::Unauthenticated,
            _ => AppError::Forbidden("only a signed-in person has a session to end".into()),
        });
    };
    user_session::Entity::update_many()
        .col_expr(user_session::Column::RevokedAt, sea_orm::sea_query::Expr::value(now))
        .filter(user_session::Column::Id.eq(m.session_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Ends every session of a person (banned, erased).
pub async fn revoke_all(db: &impl ConnectionTrait, user_id: Uuid, now: DateTime<Utc>) -> AppResult<()> {
    user_session::Entity::update_many()
        .col_expr(user_session::Column::RevokedAt, sea_orm::sea_query::Expr::value(now))
        .filter(user_session::Column::UserId.eq(user_id))
        .filter(user_session::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}
