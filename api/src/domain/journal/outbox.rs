//! Filling the outbox: one delivery row per subscribed endpoint, written in
//! the transaction of the change, so a change commits with its deliveries
//! or not at all, and a crash after the commit loses none of them.

use super::{Change, Entity, FeedEvent, cursor};
use crate::error::AppResult;
use chrono::{DateTime, SecondsFormat, Utc};
use entity::comment::Model as Comment;
use entity::{webhook_delivery, webhook_endpoint};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;

/// Event types an endpoint may subscribe to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventType {
    ArticlePublished,
    ArticleUpdated,
    ArticleCorrected,
    ArticleUnpublished,
    ArticleDeleted,
    CommentCreated,
    CommentModerated,
    /// The surrogate keys a committed write changed, for a cache in front.
    CachePurge,
    /// Sent on request only, to check an endpoint.
    Ping,
}

impl EventType {
    pub const ALL: [EventType; 9] = [
        Self::ArticlePublished,
        Self::ArticleUpdated,
        Self::ArticleCorrected,
        Self::ArticleUnpublished,
        Self::ArticleDeleted,
        Self::CommentCreated,
        Self::CommentModerated,
        Self::CachePurge,
        Self::Ping,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ArticlePublished => "article.published",
            Self::ArticleUpdated => "article.updated",
            Self::ArticleCorrected => "article.corrected",
            Self::ArticleUnpublished => "article.unpublished",
            Self::ArticleDeleted => "article.deleted",
            Self::CommentCreated => "comment.created",
            Self::CommentModerated => "comment.moderated",
            Self::CachePurge => "cache.purge",
            Self::Ping => "webhook.ping",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == s)
    }
}

pub use entity::webhook_delivery::DeliveryStatus;

/// The webhook event of a feed entry; taxonomy changes have none.
pub fn feed_event_type(change: &Change<'_>, event: FeedEvent) -> Option<EventType> {
    if change.entity != Entity::Article {
        return None;
    }
    match event {
        FeedEvent::Published => Some(EventType::ArticlePublished),
        FeedEvent::Updated => Some(EventType::ArticleUpdated),
        FeedEvent::Corrected => Some(EventType::ArticleCorrected),
        FeedEvent::Unpublished => Some(EventType::ArticleUnpublished),
        FeedEvent::Deleted => Some(EventType::ArticleDeleted),
        FeedEvent::Upserted => None,
    }
}

/// The webhook of a story's feed entry, to the endpoints of `subscribers`
/// that want it.
pub async fn feed_change(
    db: &impl ConnectionTrait,
    subscribers: &Subscribers,
    seq: i64,
    change: &Change<'_>,
    event: FeedEvent,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let Some(t) = feed_event_type(change, event) else { return Ok(()) };
    let data = json!({
        "id": change.id,
        "externalId": change.external_id,
        "slug": change.slug,
        "version": change.version,
        "event": event.as_str(),
        // Where the change feed resumes after this change: a consumer can
        // move between webhooks and the feed without a gap.
        "cursor": cursor::encode(seq),
    });
    enqueue(db, subscribers.of(t), t, data, Some(seq), now).await
}

/// A new comment, whatever its status (moderation tools want the held ones).
pub async fn comment_created(
    db: &impl ConnectionTrait,
    subscribers: &Subscribers,
    c: &Comment,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let to = subscribers.of(EventType::CommentCreated);
    enqueue(db, to, EventType::CommentCreated, comment_data(c, None), None, now).await
}

/// A moderator changed a comment's status.
pub async fn comment_moderated(
    db: &impl ConnectionTrait,
    c: &Comment,
    from: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let to = Subscribers::load(db).await?.of(EventType::CommentModerated);
    enqueue(db, to, EventType::CommentModerated, comment_data(c, Some(from)), None, now).await
}

fn comment_data(c: &Comment, from: Option<&str>) -> Value {
    let mut data = json!({
        "id": c.id,
        "articleId": c.article_id,
        "parentId": c.parent_id,
        "authorId": c.user_id,
        "status": c.status.as_str(),
        "createdAt": c.created_at.to_rfc3339_opts(SecondsFormat::Micros, true),
    });
    if let Some(from) = from {
        data["previousStatus"] = json!(from);
    }
    data
}

/// The surrogate keys a committed write changed, to the endpoints that
/// want them: sent once the write committed (see `workers::purger`).
pub async fn cache_purge(
    db: &impl ConnectionTrait,
    subscribers: &Subscribers,
    keys: &[String],
    now: DateTime<Utc>,
) -> AppResult<()> {
    let to = subscribers.of(EventType::CachePurge);
    enqueue(db, to, EventType::CachePurge, json!({ "keys": keys }), None, now).await
}

/// A test event for one endpoint, subscribed or not.
pub async fn ping(db: &impl ConnectionTrait, endpoint_id: Uuid, now: DateTime<Utc>) -> AppResult<Uuid> {
    let id = Uuid::now_v7();
    let body = payload(EventType::Ping, json!({ "endpointId": endpoint_id }), now);
    insert(db, vec![row(id, endpoint_id, EventType::Ping, body, None, now)]).await?;
    Ok(id)
}

async fn enqueue(
    db: &impl ConnectionTrait,
    endpoints: Vec<Uuid>,
    t: EventType,
    data: Value,
    feed_seq: Option<i64>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if endpoints.is_empty() {
        return Ok(());
    }
    let body = payload(t, data, now);
    let rows: Vec<_> =
        endpoints.into_iter().map(|e| row(Uuid::now_v7(), e, t, body.clone(), feed_seq, now)).collect();
    insert(db, rows).await
}

/// The enabled endpoints and the events each wants: few rows, read once
/// per transaction. The filter on the event list is done here rather than
/// in SQL, which cannot split it portably.
pub struct Subscribers(Vec<(Uuid, String)>);

impl Subscribers {
    pub async fn load(db: &impl ConnectionTrait) -> AppResult<Self> {
        let all = webhook_endpoint::Entity::find()
            .filter(webhook_endpoint::Column::Enabled.eq(true))
            .all(db)
            .await?;
        Ok(Self(all.into_iter().map(|e| (e.id, e.event_types)).collect()))
    }

    pub fn want(&self, t: EventType) -> bool {
        self.0.iter().any(|(_, events)| events.split(' ').any(|x| x == t.as_str()))
    }

    pub fn of(&self, t: EventType) -> Vec<Uuid> {
        self.0
            .iter()
            .filter(|(_, events)| events.split(' ').any(|x| x == t.as_str()))
            .map(|(id, _)| *id)
            .collect()
    }
}

/// The body every attempt sends: Standard Webhooks' `type`, `timestamp`
/// and `data`.
fn payload(t: EventType, data: Value, now: DateTime<Utc>) -> String {
    json!({ "type": t.as_str(), "timestamp": now.to_rfc3339_opts(SecondsFormat::Micros, true), "data": data })
        .to_string()
}

fn row(
    id: Uuid,
    endpoint_id: Uuid,
    t: EventType,
    payload: String,
    feed_seq: Option<i64>,
    now: DateTime<Utc>,
) -> webhook_delivery::ActiveModel {
    webhook_delivery::ActiveModel {
        id: Set(id),
        endpoint_id: Set(endpoint_id),
        event_type: Set(t.as_str().to_owned()),
        payload: Set(payload),
        feed_seq: Set(feed_seq),
        status: Set(DeliveryStatus::Pending),
        attempts: Set(0),
        next_attempt_at: Set(now),
        lease_until: Set(None),
        last_status_code: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        delivered_at: Set(None),
    }
}

async fn insert(db: &impl ConnectionTrait, rows: Vec<webhook_delivery::ActiveModel>) -> AppResult<()> {
    for chunk in rows.chunks(100) {
        webhook_delivery::Entity::insert_many(chunk.to_vec()).exec_without_returning(db).await?;
    }
    Ok(())
}
