//! Reading and writing one story row: look-ups by key, the locking read a
//! write starts from, and the versioned update every write ends with.
//! Readers and writers both use these, so they live apart from `write`.

use super::Article;
use crate::domain::sql;
use crate::error::{AppError, AppResult};
use entity::article;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

/// The stored row a writer merges changes into.
pub type Row = article::Model;

pub async fn find_any(db: &impl ConnectionTrait, id: Uuid) -> AppResult<Article> {
    article::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound("article"))
}

/// The row a write is about to change, locked until the transaction ends
/// ([`sql::locked`]). A
/// concurrent writer waits here and then reads the committed row, so a
/// write without an expected version always applies instead of losing a
/// race on the version column.
pub async fn find_for_update(db: &impl ConnectionTrait, id: Uuid) -> AppResult<Row> {
    sql::locked(article::Entity::find_by_id(id), db.get_database_backend())
        .one(db)
        .await?
        .ok_or(AppError::NotFound("article"))
}

/// The same, by the integrator's id. A locking read also sees rows that
/// committed after this transaction began (MySQL's repeatable read would
/// hide them from a plain one).
pub async fn find_external_for_update(
    db: &impl ConnectionTrait,
    external_id: &str,
) -> AppResult<Option<Row>> {
    let q = article::Entity::find().filter(article::Column::ExternalId.eq(external_id));
    Ok(sql::locked(q, db.get_database_backend()).one(db).await?)
}

/// A conditional write found the row at another version than it read.
pub fn lost_race() -> AppError {
    AppError::Conflict("the article was changed by another write; re-read it and retry".into())
}

pub fn check_version(current: &Row, expected: Option<i32>) -> AppResult<()> {
    match expected {
        Some(v) if v != current.version => Err(AppError::Conflict(format!(
            "the article is at version {}, not {v}; re-read it and apply your change again",
            current.version
        ))),
        _ => Ok(()),
    }
}

/// Writes `row` and increments the version, only if nobody else wrote since
/// `current` was read.
pub async fn bump(db: &impl ConnectionTrait, current: &Row, row: article::ActiveModel) -> AppResult<()> {
    let res = article::Entity::update_many()
        .set(row)
        .col_expr(article::Column::Version, Expr::col(article::Column::Version).add(1))
        .filter(article::Column::Id.eq(current.id))
        .filter(article::Column::Version.eq(current.version))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(lost_race());
    }
    Ok(())
}
