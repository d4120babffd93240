//! Live comment updates. One poller per process (`crate::workers::live`)
//! reads the `comment_event` log (so instances sharing a database see each
//! other's changes) and fans events out through [`Live`]; each
//! subscriber's `Watcher` decides what its viewer may be shown. The poller
//! reads only while someone listens, so a process nobody listens to issues
//! no extra statements.

use super::events::Kind;
use super::visibility::{Viewer, is_listed};
use super::{Comment, CommentStatus, read};
use crate::error::AppResult;
use entity::comment_event;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast;
use uuid::Uuid;

/// Events read per poll.
pub const BATCH: u64 = 1000;

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

/// The fan-out point: the live poller (`crate::workers::live`) publishes
/// here, and each stream subscribes.
pub struct Live {
    tx: broadcast::Sender<Arc<LiveEvent>>,
    /// Subscribers that have read their start: from then on nothing
    /// committed is missed by them.
    started: Arc<AtomicUsize>,
    /// The lowest start position of a subscriber that arrived while the
    /// poller had nobody to poll for; the poller resumes from it.
    resume: Mutex<Option<i64>>,
}

/// What a subscriber gets: the events from now on, and the last event
/// number already committed when it subscribed. Events at or below `from`
/// happened before the subscription and are not for it.
pub struct Subscription {
    rx: broadcast::Receiver<Arc<LiveEvent>>,
    from: i64,
    _started: Started,
}

impl Subscription {
    /// The next event (it may be at or below [`Self::from`]).
    pub async fn recv(&mut self) -> Result<Arc<LiveEvent>, broadcast::error::RecvError> {
        self.rx.recv().await
    }

    /// The next event if one is waiting.
    pub fn try_recv(&mut self) -> Result<Arc<LiveEvent>, broadcast::error::TryRecvError> {
        self.rx.try_recv()
    }

    /// The last event already committed when it subscribed.
    pub fn from(&self) -> i64 {
        self.from
    }
}

/// Counts a subscription among the started ones while it lives.
struct Started(Arc<AtomicUsize>);

impl Drop for Started {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Live {
    pub fn new() -> Arc<Self> {
        let (tx, _) = broadcast::channel(1024);
        Arc::new(Self { tx, started: Arc::new(AtomicUsize::new(0)), resume: Mutex::new(None) })
    }

    /// Subscribes, then reads where the log stands. In that order, an
    /// event committed after the read is above `from` and reaches the
    /// receiver however soon it is posted.
    pub async fn subscribe(&self, db: &impl ConnectionTrait) -> AppResult<Subscription> {
        let rx = self.tx.subscribe();
        let from = latest(db).await?;
        if let Ok(mut r) = self.resume.lock() {
            *r = Some(r.map_or(from, |r| r.min(from)));
        }
        self.started.fetch_add(1, Ordering::SeqCst);
        Ok(Subscription { rx, from, _started: Started(Arc::clone(&self.started)) })
    }

    /// How many subscriptions are open and will see every event committed
    /// from now on: a client that subscribed is listening once this counts it.
    pub fn started(&self) -> usize {
        self.started.load(Ordering::SeqCst)
    }

    /// Whether anyone listens now.
    pub fn listened(&self) -> bool {
        self.tx.receiver_count() > 0
    }

    /// Where a poller that had nobody to poll for starts again: the lowest
    /// start of the subscribers since; nothing while nobody listens or a
    /// subscriber has yet to read its start. Under the lock that
    /// subscribers record their start under, so a start recorded as the
    /// last listener left is not lost.
    pub fn start_position(&self) -> Option<i64> {
        let mut r = self.resume.lock().ok()?;
        if self.tx.receiver_count() == 0 {
            *r = None;
            return None;
        }
        r.take()
    }

    pub fn publish(&self, ev: LiveEvent) {
        // No receiver is not an error: nobody is listening.
        let _ = self.tx.send(Arc::new(ev));
    }
}

/// The log after `high`, and the numbers `waited` for (skipped by an
/// earlier poll, perhaps committed late), oldest first.
pub async fn after(
    db: &impl ConnectionTrait,
    high: i64,
    waited: Vec<i64>,
) -> AppResult<Vec<comment_event::Model>> {
    Ok(comment_event::Entity::find()
        .filter(
            Condition::any()
                .add(comment_event::Column::Seq.gt(high))
                .add(comment_event::Column::Seq.is_in(waited)),
        )
        .order_by_asc(comment_event::Column::Seq)
        .limit(BATCH)
        .all(db)
        .await?)
}

pub async fn latest(db: &impl ConnectionTrait) -> AppResult<i64> {
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
pub async fn load(db: &impl ConnectionTrait, rows: Vec<comment_event::Model>) -> AppResult<Vec<LiveEvent>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.comment_id).collect();
    let comments = read::by_ids(db, &ids).await?;
    let mut author_ids: Vec<Uuid> = comments.values().map(|c| c.user_id).collect();
    author_ids.sort_unstable();
    author_ids.dedup();
    let authors = crate::domain::accounts::users::by_ids(db, &author_ids).await?;
    let mut events: Vec<LiveEvent> = rows
        .into_iter()
        .map(|r| {
            let (kind, comment) = match comments.get(&r.comment_id) {
                Some(c) => (r.kind, c.clone()),
                None => (Kind::Removed, gone(r.comment_id, r.article_id, r.created_at)),
            };
            let author = authors.get(&comment.user_id).cloned();
            LiveEvent { seq: r.seq, article_id: r.article_id, kind, comment, author }
        })
        .collect();
    as_they_were(&mut events);
    Ok(events)
}

/// Each event carries its comment as it is now, read once for the batch.
/// A comment approved later in the same batch was held before then: its
/// earlier events show it held, so that others are offered it once, at its
/// approval, and not also at its posting (a reconnect with Last-Event-ID
/// from before both, or one poll that read both, offered it twice).
fn as_they_were(events: &mut [LiveEvent]) {
    let mut approved_later: HashSet<Uuid> = HashSet::new();
    for ev in events.iter_mut().rev() {
        if approved_later.contains(&ev.comment.id) && ev.comment.status == CommentStatus::Approved {
            ev.comment.status = CommentStatus::Pending;
        }
        if ev.kind == Kind::Approved {
            approved_later.insert(ev.comment.id);
        }
    }
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
        status: CommentStatus::Deleted,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::samples::comment;

    fn event(kind: Kind, c: Comment) -> LiveEvent {
        LiveEvent { seq: 1, article_id: c.article_id, kind, comment: c, author: None }
    }

    fn shown(w: &Watcher, kind: Kind, c: &Comment) -> Option<&'static str> {
        w.offer(&event(kind, c.clone())).map(|d| match d {
            Delivery::Added(_) => "added",
            Delivery::Updated(_) => "updated",
            Delivery::Removed(_) => "removed",
        })
    }

    #[test]
    fn what_each_viewer_is_shown_live() {
        let author = Uuid::from_u128(1);
        let article = Uuid::nil();
        let me = Watcher { viewer: Viewer { user: Some(author), moderator: false }, article_id: article };
        let other = Watcher {
            viewer: Viewer { user: Some(Uuid::from_u128(2)), moderator: false },
            article_id: article,
        };
        let approved = comment(author, CommentStatus::Approved);
        let pending = comment(author, CommentStatus::Pending);
        let rejected = comment(author, CommentStatus::Rejected);

        assert_eq!(shown(&other, Kind::Added, &approved), Some("added"));
        assert_eq!(shown(&other, Kind::Added, &pending), None, "a held comment is its author's alone");
        assert_eq!(shown(&me, Kind::Added, &pending), Some("added"));
        // Approval: new to others, an update to its author who saw it wait.
        assert_eq!(shown(&other, Kind::Approved, &approved), Some("added"));
        assert_eq!(shown(&me, Kind::Approved, &approved), Some("updated"));
        // The author's pending comment rejected: it leaves their view only.
        assert_eq!(shown(&me, Kind::Updated, &rejected), Some("removed"));
        assert_eq!(shown(&other, Kind::Updated, &rejected), None);
        assert_eq!(shown(&other, Kind::Removed, &approved), Some("removed"));
        // Another article's events are not this stream's.
        let elsewhere = Comment { article_id: Uuid::from_u128(5), ..approved.clone() };
        assert_eq!(shown(&other, Kind::Added, &elsewhere), None);
        // A removal tells nothing of the comment's words or author.
        let Some(Delivery::Removed(r)) = other.offer(&event(Kind::Removed, approved)) else {
            panic!("not removed")
        };
        assert!(r.body_text.is_empty() && r.user_id.is_nil());
    }
}
