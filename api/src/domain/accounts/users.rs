//! People: readers and staff. Emails are never shown to other people.

use super::{Actor, Member, Role};
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use entity::app_user;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use std::collections::HashMap;
use uuid::Uuid;

pub type User = app_user::Model;

pub use entity::app_user::UserStatus;
/// What an erased account is called wherever it still appears.
pub const DELETED_NAME: &str = "[deleted]";

pub fn is_staff(u: &User) -> bool {
    u.status != UserStatus::Deleted && u.role.is_staff()
}

/// The person behind a session, as a request sees them.
pub fn member(u: &User, session_hash: String) -> Member {
    Member {
        id: u.id,
        role: u.role,
        banned: u.status == UserStatus::Banned,
        suspended_until: u.suspended_until,
        session_hash,
    }
}

pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

pub async fn by_id(db: &impl ConnectionTrait, id: Uuid) -> AppResult<Option<User>> {
    Ok(app_user::Entity::find_by_id(id).one(db).await?)
}

/// The signed-in person's own account.
pub async fn me(db: &impl ConnectionTrait, actor: &Actor) -> AppResult<User> {
    let id = super::policy::person(actor)?.id;
    by_id(db, id).await?.ok_or(AppError::Unauthenticated)
}

/// What readers see of a comment's author: never an email, and nothing of
/// an erased account or of a deleted comment's writer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Byline {
    pub id: Uuid,
    pub display_name: String,
    pub is_staff: bool,
}

/// What a byline needs of an account: read beside comments, never the
/// whole row (no email, no password hash).
#[derive(Debug, Clone, PartialEq, Eq, sea_orm::FromQueryResult)]
pub struct Poster {
    pub id: Uuid,
    pub display_name: String,
    pub role: Role,
    pub status: UserStatus,
}

impl From<&User> for Poster {
    fn from(u: &User) -> Self {
        Self { id: u.id, display_name: u.display_name.clone(), role: u.role, status: u.status }
    }
}

pub fn byline(author: Option<&Poster>, comment_deleted: bool) -> Byline {
    match author {
        Some(u) if !comment_deleted && u.status != UserStatus::Deleted => {
            Byline { id: u.id, display_name: u.display_name.clone(), is_staff: u.role.is_staff() }
        }
        _ => Byline { id: Uuid::nil(), display_name: DELETED_NAME.to_owned(), is_staff: false },
    }
}

pub async fn by_ids(db: &impl ConnectionTrait, ids: &[Uuid]) -> AppResult<HashMap<Uuid, User>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = app_user::Entity::find()
        .filter(app_user::Column::Id.is_in(crate::domain::sql::padded(ids)))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|u| (u.id, u)).collect())
}

pub async fn by_email(db: &impl ConnectionTrait, email: &str) -> AppResult<Option<User>> {
    let rows =
        app_user::Entity::find().filter(app_user::Column::Email.eq(normalize_email(email))).all(db).await?;
    Ok(rows.into_iter().next())
}

/// Gives a person a role. Only admins (and the CLI) may.
pub async fn set_role<C: crate::domain::tx::Db>(
    db: &C,
    actor: &Actor,
    user_id: Uuid,
    role: Role,
    now: DateTime<Utc>,
) -> AppResult<User> {
    super::policy::can_assign_roles(actor)?;
    crate::domain::tx::unit!(db, |txn| {
        let res = app_user::Entity::update_many()
            .col_expr(app_user::Column::Role, sea_orm::sea_query::Expr::value(role.as_str()))
            .col_expr(app_user::Column::UpdatedAt, sea_orm::sea_query::Expr::value(now))
            .filter(app_user::Column::Id.eq(user_id))
            .filter(app_user::Column::Status.ne(UserStatus::Deleted))
            .exec(txn)
            .await?;
        if res.rows_affected == 0 {
            return Err(AppError::NotFound("user"));
        }
        // A role shows on bylines (staff).
        crate::domain::freshness::changed(crate::domain::freshness::Changed::Content);
        crate::domain::surrogate::purge_person(txn, user_id, now).await?;
        by_id(txn, user_id).await?.ok_or(AppError::NotFound("user"))
    })
}
