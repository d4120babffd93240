//! Publishing states. A story scheduled for later is stored PUBLISHED with a
//! future `published_at`: it appears when that time passes, with no job,
//! and `sync::schedule` announces it to the feed and webhooks then.

use super::rows::{self, Row, bump, check_version, find_any, find_for_update};
use super::{Article, Status, StoredStatus};
use crate::domain::accounts::{Actor, policy};
use crate::domain::journal::{self, Action, Change};
use crate::domain::{related, tx};
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use entity::article;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

/// Publishes now, or schedules for `at` (which must be in the future).
#[tracing::instrument(level = "debug", skip_all, fields(%id))]
pub async fn publish<C: tx::Db>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> AppResult<Article> {
    if at.is_some_and(|t| t <= now) {
        policy::can_write_content(actor)?;
        return Err(AppError::unprocessable("at", "must be in the future; omit it to publish now"));
    }
    transition(db, actor, id, now, |current| {
        let live = Status::effective(current.status, current.published_at, now) == Status::Published;
        let (published_at, action) = match at {
            Some(t) => (Some(t), Action::Scheduled),
            // Re-publishing a live story keeps its original date.
            None if live => (current.published_at, Action::Published),
            None => (Some(now), Action::Published),
        };
        let row = article::ActiveModel {
            status: Set(StoredStatus::Published),
            published_at: Set(published_at),
            feed_public: Set(at.is_none()),
            ..Default::default()
        };
        (row, action)
    })
    .await
}

/// Publishes with a date already decided, past or future: what a story
/// brought from another archive keeps (and Dateline's demo and fixtures,
/// which describe stories published before they are loaded).
#[tracing::instrument(level = "debug", skip_all, fields(%id))]
pub async fn publish_dated<C: tx::Db>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    published_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> AppResult<Article> {
    transition(db, actor, id, now, |_| {
        let action = if published_at > now { Action::Scheduled } else { Action::Published };
        let row = article::ActiveModel {
            status: Set(StoredStatus::Published),
            published_at: Set(Some(published_at)),
            feed_public: Set(published_at <= now),
            ..Default::default()
        };
        (row, action)
    })
    .await
}

/// Back to draft: invisible to readers again.
#[tracing::instrument(level = "debug", skip_all, fields(%id))]
pub async fn unpublish<C: tx::Db>(db: &C, actor: &Actor, id: Uuid, now: DateTime<Utc>) -> AppResult<Article> {
    transition(db, actor, id, now, |current| {
        let row = article::ActiveModel {
            status: Set(StoredStatus::Draft),
            // A date that never came to pass is not a publish date.
            published_at: Set(current.published_at.filter(|p| *p <= now)),
            feed_public: Set(false),
            ..Default::default()
        };
        (row, Action::Unpublished)
    })
    .await
}

/// Archived stories leave public lists and lookups but stay in the database.
#[tracing::instrument(level = "debug", skip_all, fields(%id))]
pub async fn archive<C: tx::Db>(db: &C, actor: &Actor, id: Uuid, now: DateTime<Utc>) -> AppResult<Article> {
    transition(db, actor, id, now, |_| {
        let row = article::ActiveModel {
            status: Set(StoredStatus::Archived),
            feed_public: Set(false),
            ..Default::default()
        };
        (row, Action::Archived)
    })
    .await
}

/// Deletes for good; the change feed keeps a tombstone with the slug. With
/// `expected_version`, a concurrent write in between makes this a CONFLICT.
#[tracing::instrument(level = "debug", skip_all, fields(%id))]
pub async fn delete<C: tx::Db>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    now: DateTime<Utc>,
) -> AppResult<Uuid> {
    policy::can_write_content(actor)?;
    tx::unit!(db, |txn| {
        let current = find_for_update(txn, id).await?;
        check_version(&current, expected_version)?;
        // Before the row goes: which lists show it is read from its picks.
        related::refresh::mark_around(txn, id, now).await?;
        let res = article::Entity::delete_many()
            .filter(article::Column::Id.eq(id))
            .filter(article::Column::Version.eq(current.version))
            .exec(txn)
            .await?;
        if res.rows_affected == 0 {
            return Err(rows::lost_race());
        }
        // A story taken back before it is deleted was public once: its
        // followers hear of the deletion too, so withdrawn and gone stay apart.
        let announced =
            current.feed_public || journal::was_announced(txn, journal::Entity::Article, id).await?;
        let change = Change {
            version: Some(current.version + 1),
            ..Change::article(announced, &current, Action::Deleted)
        };
        journal::record(txn, change, now).await?;
        Ok(id)
    })
}

/// One state change: authorize, apply `change` to the current row in one
/// transaction with a version bump, and record it in the change feed.
async fn transition<C: tx::Db>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    now: DateTime<Utc>,
    change: impl Fn(&Row) -> (article::ActiveModel, Action),
) -> AppResult<Article> {
    policy::can_write_content(actor)?;
    tx::unit!(db, |txn| {
        let current = find_for_update(txn, id).await?;
        let (mut row, action) = change(&current);
        row.updated_at = Set(now);
        bump(txn, &current, row).await?;
        related::refresh::mark_around(txn, current.id, now).await?;
        let saved = find_any(txn, current.id).await?;
        journal::record(txn, Change::article(current.feed_public, &saved, action), now).await?;
        Ok(saved)
    })
}
