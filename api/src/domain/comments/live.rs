//! Live comment updates. One poller per process reads the `comment_event`
//! log (so instances sharing a database see each other's changes) and fans
//! events out over a broadcast channel; each subscriber's `Watcher` decides
//! what its viewer may be shown. The poller starts with the first
//! subscriber, so a process nobody listens to issues no extra statements.
//!
//! Event numbers come from the database; on PostgreSQL a transaction can
//! commit after a later-numbered one. Numbers skipped by a poll are asked
//! for again for a while, so a late commit is still delivered.

use super::events::Kind;
use super::visibility::{Viewer, is_listed};
use super::{Comment, CommentStatus, read};
use crate::error::AppResult;
use entity::comment_event;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::broadcast;
use uuid::Uuid;

/// How long a skipped event number is waited for.
const LATE_COMMIT: Duration = Duration::from_secs(10);
const BATCH: u64 = 1000;

#[derive(Debug, Clone)]
pub struct LiveEvent {
    pub seq: i64,
    pub article_id: Uuid,
    pub kind: Kind,
    pub comment: Comment,
    /// Loaded once per poll for every subscriber's use.
    pub author: Option<crate::domain::accounts::users::User>,
}

/// What one viewer is shown of one event.
#[derive(Debug, Clone)]
pub enum Delivery {
    Added(Comment),
    Updated(Comment),
    /// Out of the viewer's sight; only the id and status remain.
    Removed(Comment),
}

impl Delivery {
    pub fn comment(&self) -> &Comment {
        match self {
            Self::Added(c) | Self::Updated(c) | Self::Removed(c) => c,
        }
    }
}

/// A comment with nothing of its text or author left.
pub fn redacted(c: &Comment) -> Comment {
    Comment {
        body_raw: String::new(),
        body_html: String::new(),
        body_text: String::new(),
        user_id: Uuid::nil(),
        hold_reason: None,
        ..c.clone()
    }
}

/// Decides, for one viewer and one article, what each event shows.
#[derive(Debug, Clone, Copy)]
pub struct Watcher {
    pub viewer: Viewer,
    pub article_id: Uuid,
}

impl Watcher {
    pub fn offer(&self, ev: &LiveEvent) -> Option<Delivery> {
        if ev.article_id != self.article_id {
            return None;
        }
        let c = &ev.comment;
        let visible = is_listed(c, self.viewer);
        let mine = self.viewer.user == Some(c.user_id);
        match ev.kind {
            Kind::Removed => Some(Delivery::Removed(redacted(c))),
            Kind::Added => visible.then(|| Delivery::Added(c.clone())),
            // New to everyone but its author, who saw it while it waited.
            Kind::Approved if visible && mine => Some(Delivery::Updated(c.clone())),
            Kind::Approved if visible => Some(Delivery::Added(c.clone())),
            Kind::Approved => None,
            Kind::Updated if visible => Some(Delivery::Updated(c.clone())),
            // The author's own pending comment, rejected.
            Kind::Updated if mine => Some(Delivery::Removed(redacted(c))),
            Kind::Updated => None,
        }
    }
}

pub struct Live {
    db: DatabaseConnection,
    tx: broadcast::Sender<Arc<LiveEvent>>,
    started: AtomicBool,
    every: Duration,
}

impl Live {
    pub fn new(db: DatabaseConnection, every: Duration) -> Arc<Self> {
        let (tx, _) = broadcast::channel(1024);
        Arc::new(Self { db, tx, started: AtomicBool::new(false), every })
    }

    pub fn subscribe(self: &Arc<Self>) -> broadcast::Receiver<Arc<LiveEvent>> {
        let rx = self.tx.subscribe();
        if !self.started.swap(true, Ordering::AcqRel) {
            let me = Arc::clone(self);
            tokio::spawn(async move { me.poll().await });
        }
        rx
    }

    async fn poll(self: Arc<Self>) {
        let mut high = loop {
            match latest(&self.db).await {
                Ok(h) => break h,
                Err(e) => {
                    tracing::warn!(error = %e, "live comments: cannot read the event log yet");
                    tokio::time::sleep(self.every * 4).await;
                }
            }
        };
        let mut missing: BTreeMap<i64, Instant> = BTreeMap::new();
        loop {
            tokio::time::sleep(self.every).await;
            let waited: Vec<i64> = missing.keys().copied().collect();
            let rows = match comment_event::Entity::find()
                .filter(
                    Condition::any()
                        .add(comment_event::Column::Seq.gt(high))
                        .add(comment_event::Column::Seq.is_in(waited)),
                )
                .order_by_asc(comment_event::Column::Seq)
                .limit(BATCH)
                .all(&self.db)
                .await
            {
                Ok(r) => r,
                Err(e) => {
                    tracing::warn!(error = %e, "live comments: polling the event log failed");
                    continue;
                }
            };
            let now = Instant::now();
            for r in &rows {
                if r.seq > high {
                    for gap in (high + 1)..r.seq {
                        if missing.len() < 1000 {
                            missing.insert(gap, now);
                        }
                    }
                    high = r.seq;
                } else {
                    missing.remove(&r.seq);
                }
            }
            missing.retain(|_, since| now.duration_since(*since) < LATE_COMMIT);
            match load(&self.db, rows).await {
                Ok(events) => {
                    for ev in events {
                        // No receiver is not an error: nobody is listening.
                        let _ = self.tx.send(Arc::new(ev));
                    }
                }
                Err(e) => tracing::warn!(error = %e, "live comments: loading changed comments failed"),
            }
        }
    }
}

async fn latest(db: &impl ConnectionTrait) -> AppResult<i64> {
    let max: Option<Option<i64>> = comment_event::Entity::find()
        .select_only()
        .column_as(comment_event::Column::Seq.max(), "m")
        .into_tuple()
        .one(db)
        .await?;
    Ok(max.flatten().unwrap_or(0))
}

/// The events with their comments as they are now. A comment deleted
/// outright (an erased account's) is shown as removed.
async fn load(db: &impl ConnectionTrait, rows: Vec<comment_event::Model>) -> AppResult<Vec<LiveEvent>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.comment_id).collect();
    let comments = read::by_ids(db, &ids).await?;
    let mut author_ids: Vec<Uuid> = comments.values().map(|c| c.user_id).collect();
    author_ids.sort_unstable();
    author_ids.dedup();
    let authors = crate::domain::accounts::users::by_ids(db, &author_ids).await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let kind = Kind::parse(&r.kind)?;
            let (kind, comment) = match comments.get(&r.comment_id) {
                Some(c) => (kind, c.clone()),
                None => (Kind::Removed, gone(r.comment_id, r.article_id, r.created_at)),
            };
            let author = authors.get(&comment.user_id).cloned();
            Some(LiveEvent { seq: r.seq, article_id: r.article_id, kind, comment, author })
        })
        .collect())
}

fn gone(id: Uuid, article_id: Uuid, at: chrono::DateTime<chrono::Utc>) -> Comment {
    Comment {
        id,
        article_id,
        user_id: Uuid::nil(),
        parent_id: None,
        root_id: None,
        reply_to_id: None,
        depth: 0,
        body_raw: String::new(),
        body_html: String::new(),
        body_text: String::new(),
        status: CommentStatus::Deleted.as_str().to_owned(),
        hold_reason: None,
        revision: 0,
        reply_count: 0,
        reaction_count: 0,
        flag_count: 0,
        featured_at: None,
        created_at: at,
        edited_at: None,
        updated_at: at,
    }
}

/// Events of one article after `after`, for a stream that resumes.
pub async fn replay(db: &impl ConnectionTrait, article_id: Uuid, after: i64) -> AppResult<Vec<LiveEvent>> {
    let rows = comment_event::Entity::find()
        .filter(comment_event::Column::ArticleId.eq(article_id))
        .filter(comment_event::Column::Seq.gt(after))
        .order_by_asc(comment_event::Column::Seq)
        .limit(BATCH)
        .all(db)
        .await?;
    load(db, rows).await
}
