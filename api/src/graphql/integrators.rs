//! What integrators query: the change feed and webhook endpoints. Thin
//! resolvers over `domain::sync::feed` and `domain::webhooks::endpoints`.

use super::ids::{self, Kind};
use super::types::article::Article;
use super::types::taxonomy::{Author, Section, Tag};
use super::{request, state};
use crate::domain::journal::{Entity, FeedEvent};
use crate::domain::pagination::{DELIVERIES, FEED};
use crate::domain::sync::feed::{self, Document};
use crate::domain::webhooks::endpoints::{self, Delivery, Endpoint};
use crate::domain::webhooks::outbox::DeliveryStatus;
use crate::domain::webhooks::{EventType, present};
use crate::error::AppError;
use crate::graphql::types::connection::PageInfo;
use async_graphql::{ComplexObject, Context, Enum, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use std::sync::Arc;

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "ChangeEvent")]
pub enum ChangeEventName {
    Published,
    Updated,
    Corrected,
    Unpublished,
    Deleted,
    Upserted,
}

impl From<FeedEvent> for ChangeEventName {
    fn from(e: FeedEvent) -> Self {
        match e {
            FeedEvent::Published => Self::Published,
            FeedEvent::Updated => Self::Updated,
            FeedEvent::Corrected => Self::Corrected,
            FeedEvent::Unpublished => Self::Unpublished,
            FeedEvent::Deleted => Self::Deleted,
            FeedEvent::Upserted => Self::Upserted,
        }
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum ChangeEntity {
    Article,
    Section,
    Tag,
    Author,
    Media,
}

impl From<Entity> for ChangeEntity {
    fn from(e: Entity) -> Self {
        match e {
            Entity::Article => Self::Article,
            Entity::Section => Self::Section,
            Entity::Tag => Self::Tag,
            Entity::Author => Self::Author,
            Entity::Media => Self::Media,
        }
    }
}

/// One entry of the change feed.
#[derive(SimpleObject)]
pub struct Change {
    pub cursor: String,
    pub entity: ChangeEntity,
    pub event: ChangeEventName,
    /// The global id of the story, section, tag or author.
    pub id: ID,
    pub external_id: Option<String>,
    pub at: DateTime<Utc>,
    /// The story as it stands now; null on tombstones.
    pub article: Option<Article>,
    pub section: Option<Section>,
    pub tag: Option<Tag>,
    pub author: Option<Author>,
}

#[derive(SimpleObject)]
pub struct ChangeEdge {
    pub cursor: String,
    pub node: Change,
}

#[derive(SimpleObject)]
pub struct ChangePageInfo {
    /// Whether more changes follow right away.
    pub has_next_page: bool,
    /// Where to resume (pass as `after`): set even when the page is empty,
    /// for the changes still to come.
    pub end_cursor: String,
}

#[derive(SimpleObject)]
pub struct ChangeConnection {
    pub edges: Vec<ChangeEdge>,
    pub page_info: ChangePageInfo,
}

/// A registered webhook receiver.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct WebhookEndpoint {
    pub id: ID,
    pub url: String,
    pub description: Option<String>,
    pub events: Vec<WebhookEventType>,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    pub failing_since: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[graphql(skip)]
    pub raw_id: uuid::Uuid,
}

impl WebhookEndpoint {
    pub fn new(e: &Endpoint) -> Result<Self, AppError> {
        let e = present::endpoint(e)?;
        Ok(Self {
            id: ids::encode(Kind::WebhookEndpoint, e.id),
            url: e.url,
            description: e.description,
            events: e.events.into_iter().map(Into::into).collect(),
            enabled: e.enabled,
            disabled_reason: e.disabled_reason,
            failing_since: e.failing_since,
            created_at: e.created_at,
            updated_at: e.updated_at,
            raw_id: e.id,
        })
    }
}

/// What a webhook endpoint subscribes to; each is sent as the event name
/// in lower case with a dot (`ARTICLE_PUBLISHED` is `article.published`).
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum WebhookEventType {
    ArticlePublished,
    ArticleUpdated,
    ArticleCorrected,
    ArticleUnpublished,
    ArticleDeleted,
    CommentCreated,
    CommentModerated,
    /// Sent on request only (`pingWebhookEndpoint`), to check an endpoint.
    WebhookPing,
}

impl From<EventType> for WebhookEventType {
    fn from(e: EventType) -> Self {
        match e {
            EventType::ArticlePublished => Self::ArticlePublished,
            EventType::ArticleUpdated => Self::ArticleUpdated,
            EventType::ArticleCorrected => Self::ArticleCorrected,
            EventType::ArticleUnpublished => Self::ArticleUnpublished,
            EventType::ArticleDeleted => Self::ArticleDeleted,
            EventType::CommentCreated => Self::CommentCreated,
            EventType::CommentModerated => Self::CommentModerated,
            EventType::Ping => Self::WebhookPing,
        }
    }
}

impl From<WebhookEventType> for EventType {
    fn from(e: WebhookEventType) -> Self {
        match e {
            WebhookEventType::ArticlePublished => Self::ArticlePublished,
            WebhookEventType::ArticleUpdated => Self::ArticleUpdated,
            WebhookEventType::ArticleCorrected => Self::ArticleCorrected,
            WebhookEventType::ArticleUnpublished => Self::ArticleUnpublished,
            WebhookEventType::ArticleDeleted => Self::ArticleDeleted,
            WebhookEventType::CommentCreated => Self::CommentCreated,
            WebhookEventType::CommentModerated => Self::CommentModerated,
            WebhookEventType::WebhookPing => Self::Ping,
        }
    }
}

#[ComplexObject]
impl WebhookEndpoint {
    /// Deliveries, newest first (20 unless `first` says otherwise, at most 100).
    #[graphql(complexity = "DELIVERIES.expected(first).max(1) * child_complexity + 1")]
    async fn deliveries(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        status: Option<WebhookDeliveryStatus>,
    ) -> Result<WebhookDeliveryConnection> {
        let r = request(ctx);
        let limit = DELIVERIES.check(first, "first")?;
        let page = endpoints::deliveries(
            &state(ctx).db,
            &r.actor,
            self.raw_id,
            status.map(Into::into),
            after.as_deref(),
            limit,
        )
        .await?;
        let edges: Vec<WebhookDeliveryEdge> = page
            .items
            .iter()
            .map(|(cursor, d)| {
                Ok(WebhookDeliveryEdge { cursor: cursor.clone(), node: WebhookDelivery::new(d)? })
            })
            .collect::<Result<_, AppError>>()?;
        Ok(WebhookDeliveryConnection {
            nodes: page
                .items
                .iter()
                .map(|(_, d)| WebhookDelivery::new(d))
                .collect::<Result<_, AppError>>()?,
            page_info: PageInfo::of_keyed(&page),
            edges,
        })
    }
}

/// One event for one endpoint, and how sending it went.
#[derive(SimpleObject)]
pub struct WebhookDelivery {
    pub id: ID,
    /// The `webhook-id` header of every attempt.
    pub message_id: String,
    pub event_type: WebhookEventType,
    pub status: WebhookDeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
    /// The JSON body sent.
    pub payload: String,
}

impl WebhookDelivery {
    pub fn new(d: &Delivery) -> Result<Self, AppError> {
        let d = present::delivery(d)?;
        Ok(Self {
            id: ids::encode(Kind::WebhookDelivery, d.id),
            message_id: d.message_id,
            event_type: d.event_type.into(),
            status: d.status.into(),
            attempts: d.attempts,
            next_attempt_at: d.next_attempt_at,
            last_status_code: d.last_status_code,
            last_error: d.last_error,
            created_at: d.created_at,
            delivered_at: d.delivered_at,
            payload: d.payload,
        })
    }
}

/// Where a delivery stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum WebhookDeliveryStatus {
    /// Waiting for its next attempt.
    Pending,
    /// The receiver answered 2xx.
    Delivered,
    /// Every attempt failed; `retryWebhookDelivery` tries again.
    Failed,
}

impl From<DeliveryStatus> for WebhookDeliveryStatus {
    fn from(s: DeliveryStatus) -> Self {
        match s {
            DeliveryStatus::Pending => Self::Pending,
            DeliveryStatus::Delivered => Self::Delivered,
            DeliveryStatus::Failed => Self::Failed,
        }
    }
}

impl From<WebhookDeliveryStatus> for DeliveryStatus {
    fn from(s: WebhookDeliveryStatus) -> Self {
        match s {
            WebhookDeliveryStatus::Pending => Self::Pending,
            WebhookDeliveryStatus::Delivered => Self::Delivered,
            WebhookDeliveryStatus::Failed => Self::Failed,
        }
    }
}

/// Deliveries, newest first, as a Relay connection: pass
/// `pageInfo.endCursor` as `after` for older ones.
#[derive(SimpleObject)]
pub struct WebhookDeliveryConnection {
    pub edges: Vec<WebhookDeliveryEdge>,
    /// The nodes without their edges, for clients that do not page.
    pub nodes: Vec<WebhookDelivery>,
    pub page_info: PageInfo,
}

#[derive(SimpleObject)]
pub struct WebhookDeliveryEdge {
    pub cursor: String,
    pub node: WebhookDelivery,
}

#[derive(Default)]
pub struct IntegratorQuery;

#[Object]
impl IntegratorQuery {
    /// Every change after `after` (an `endCursor`; none for an initial
    /// sync), in commit order, with the documents as they stand now. Needs
    /// `sync:read`; with `content:read-drafts` drafts are included.
    #[graphql(complexity = "(first.unwrap_or(100).max(1) as usize).saturating_mul(child_complexity) + 1")]
    async fn changes(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
        #[graphql(validator(minimum = 1, maximum = 1000))] first: Option<i32>,
    ) -> Result<ChangeConnection> {
        let r = request(ctx);
        let limit = FEED.check(first, "first")?;
        let page = feed::page(&state(ctx).db, &r.actor, after.as_deref(), limit, r.now).await?;
        let edges = page
            .entries
            .into_iter()
            .map(|e| {
                let kind = match e.entity {
                    Entity::Article => Kind::Article,
                    Entity::Section => Kind::Section,
                    Entity::Tag => Kind::Tag,
                    Entity::Author => Kind::Author,
                    Entity::Media => Kind::Media,
                };
                let mut node = Change {
                    cursor: e.cursor(),
                    entity: e.entity.into(),
                    event: e.event.into(),
                    id: ids::encode(kind, e.id),
                    external_id: e.external_id,
                    at: e.at,
                    article: None,
                    section: None,
                    tag: None,
                    author: None,
                };
                match e.document {
                    Some(Document::Article(d)) => {
                        let (a, b) = *d;
                        node.article = Some(Article(a, Some(Arc::new(b))));
                    }
                    Some(Document::Section(s)) => node.section = Some(Section(s)),
                    Some(Document::Tag(t)) => node.tag = Some(Tag(t)),
                    Some(Document::Author(a)) => node.author = Some(Author(a)),
                    None => {}
                }
                ChangeEdge { cursor: node.cursor.clone(), node }
            })
            .collect();
        Ok(ChangeConnection {
            edges,
            page_info: ChangePageInfo { has_next_page: page.has_more, end_cursor: page.next_cursor },
        })
    }

    /// Every webhook endpoint. Needs `webhooks:manage`.
    async fn webhook_endpoints(&self, ctx: &Context<'_>) -> Result<Vec<WebhookEndpoint>> {
        let r = request(ctx);
        Ok(endpoints::list(&state(ctx).db, &r.actor)
            .await?
            .iter()
            .map(WebhookEndpoint::new)
            .collect::<Result<_, AppError>>()?)
    }

    async fn webhook_endpoint(&self, ctx: &Context<'_>, id: ID) -> Result<Option<WebhookEndpoint>> {
        let r = request(ctx);
        let id = ids::decode_as(&id, Kind::WebhookEndpoint, "id")?;
        match endpoints::get(&state(ctx).db, &r.actor, id).await {
            Ok(e) => Ok(Some(WebhookEndpoint::new(&e)?)),
            Err(crate::error::AppError::NotFound(_)) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
}
