//! When what readers are shown next changes by the clock alone: a
//! scheduled story's time comes (it is stored published with a future
//! date), or a thread closes by itself once the configured time after
//! publication has passed. Answers kept in memory last no longer.

use super::StoredStatus;
use crate::error::AppResult;
use chrono::{DateTime, TimeDelta, Utc};
use entity::article::{self, Column, CommentsStatus};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

/// The first instant after `now` at which a public read may answer
/// differently with no write; None when none is coming.
pub async fn next(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    auto_close_after: Option<TimeDelta>,
) -> AppResult<Option<DateTime<Utc>>> {
    let scheduled = earliest_published_after(db, now, None).await?;
    let closing = match auto_close_after {
        Some(after) => {
            earliest_published_after(db, now - after, Some(CommentsStatus::Open)).await?.map(|p| p + after)
        }
        None => None,
    };
    Ok(scheduled.into_iter().chain(closing).min())
}

async fn earliest_published_after(
    db: &impl ConnectionTrait,
    after: DateTime<Utc>,
    comments: Option<CommentsStatus>,
) -> AppResult<Option<DateTime<Utc>>> {
    let mut q = article::Entity::find()
        .select_only()
        .expr(Expr::col(Column::PublishedAt).min())
        .filter(Column::Status.eq(StoredStatus::Published))
        .filter(Column::PublishedAt.gt(after));
    if let Some(c) = comments {
        q = q.filter(Column::CommentsStatus.eq(c));
    }
    let found: Option<Option<DateTime<Utc>>> = q.into_tuple().one(db).await?;
    Ok(found.flatten())
}
