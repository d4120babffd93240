//! Session tokens for people: 256 random bits, shown once, stored as a
//! SHA-256 (like API keys: a random token needs no slow hash), expiring,
//! and revoked on sign-out.

use super::Actor;
use super::users::{self, UserStatus};
use crate::domain::token;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, TimeDelta, Utc};
use entity::{app_user, user_session};
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
    let secret = token::secret(PREFIX, 32);
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

/// Resolves a session token, in one statement: the person whose live
/// session has this hash. Unknown, expired and revoked sessions, and erased
/// accounts, are all the same error.
pub async fn authenticate(db: &impl ConnectionTrait, token: &str, now: DateTime<Utc>) -> AppResult<Actor> {
    use sea_orm::sea_query::Query;
    if !token.starts_with(PREFIX) || token.len() > 100 {
        return Err(AppError::Unauthenticated);
    }
    let hash = token::sha256_hex(&[token.as_bytes()]);
    let live = Query::select()
        .column(user_session::Column::UserId)
        .from(user_session::Entity)
        .and_where(user_session::Column::TokenHash.eq(hash.as_str()))
        .and_where(user_session::Column::RevokedAt.is_null())
        .and_where(user_session::Column::ExpiresAt.gt(now))
        .to_owned();
    let user = app_user::Entity::find()
        .filter(app_user::Column::Id.in_subquery(live))
        .filter(app_user::Column::Status.ne(UserStatus::Deleted))
        .all(db)
        .await?
        .into_iter()
        .next()
        .ok_or(AppError::Unauthenticated)?;
    Ok(Actor::member(users::member(&user, hash)))
}

/// Ends the caller's session; the token fails from then on.
pub async fn sign_out(db: &impl ConnectionTrait, actor: &Actor, now: DateTime<Utc>) -> AppResult<()> {
    let m = super::policy::person(actor)?;
    user_session::Entity::update_many()
        .col_expr(user_session::Column::RevokedAt, sea_orm::sea_query::Expr::value(now))
        .filter(user_session::Column::TokenHash.eq(m.session_hash.as_str()))
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
