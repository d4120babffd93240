//! The numbered log of comment changes that live readers are shown,
//! written in the change's own transaction. ADDED is a new comment (seen
//! by whoever may see it), APPROVED a comment that came into public view,
//! UPDATED any other later change, REMOVED a change that
//! took a public comment out of public view (so clients drop it without
//! being told anything about comments they never saw).

use super::Comment;
use super::visibility::{Viewer, is_listed};
use crate::domain::freshness::{self, Changed};
use crate::domain::journal::outbox::Subscribers;
use crate::domain::surrogate::{self, Key};
use crate::error::AppResult;
use chrono::{DateTime, Utc};
use entity::comment_event;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};

pub use entity::comment_event::EventKind as Kind;

/// `public`: whether readers without an account see the change (a held
/// comment changes nothing a cache in front holds).
async fn record(
    db: &impl ConnectionTrait,
    subscribers: Option<&Subscribers>,
    c: &Comment,
    kind: Kind,
    public: bool,
    now: DateTime<Utc>,
) -> AppResult<()> {
    freshness::changed(Changed::Thread(c.article_id));
    let keys = if public { vec![Key::Thread(c.article_id)] } else { Vec::new() };
    match subscribers {
        Some(s) => surrogate::purge_for(db, s, keys, now).await?,
        None => surrogate::purge(db, keys, now).await?,
    }
    let row = comment_event::ActiveModel {
        article_id: Set(c.article_id),
        comment_id: Set(c.id),
        kind: Set(kind),
        created_at: Set(now),
        ..Default::default()
    };
    comment_event::Entity::insert(row).exec_without_returning(db).await?;
    Ok(())
}

/// A new comment; `subscribers`: the webhook endpoints, which the write
/// has read for its own event.
pub async fn added(
    db: &impl ConnectionTrait,
    subscribers: &Subscribers,
    c: &Comment,
    now: DateTime<Utc>,
) -> AppResult<()> {
    record(db, Some(subscribers), c, Kind::Added, is_listed(c, Viewer::default()), now).await
}

/// A change from `before` to `after` (None: the row is gone).
pub async fn changed(
    db: &impl ConnectionTrait,
    before: &Comment,
    after: Option<&Comment>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let public = Viewer::default();
    let was = is_listed(before, public);
    let is = after.is_some_and(|a| is_listed(a, public));
    let kind = match (was, is) {
        (true, false) => Kind::Removed,
        (false, true) => Kind::Approved,
        _ => Kind::Updated,
    };
    record(db, None, after.unwrap_or(before), kind, was || is, now).await
}
