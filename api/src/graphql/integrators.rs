//! What integrators query: the change feed and webhook endpoints. Thin
//! resolvers over `domain::sync::feed` and `domain::webhooks::endpoints`.

use super::ids::{self, Kind};
use super::types::article::Article;
use super::types::taxonomy::{Author, Section, Tag};
use super::{request, state};
use crate::domain::journal::Entity;
use crate::domain::pagination::{DELIVERIES, FEED};
use crate::domain::sync::feed::{self, Document};
use crate::domain::webhooks::endpoints::{self, Delivery, Endpoint};
use crate::domain::webhooks::present::{self, DeliveryShown, EndpointShown};
use crate::error::AppError;
use crate::graphql::types::connection::PageInfo;
use async_graphql::{Context, Enum, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use std::sync::Arc;

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "ChangeEvent")]
#[graphql(remote = "crate::domain::journal::FeedEvent")]
pub enum ChangeEventName {
    Published,
    Updated,
    Corrected,
    Unpublished,
    Deleted,
    Upserted,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::journal::Entity")]
pub enum ChangeEntity {
    Article,
    Section,
    Tag,
    Author,
    Media,
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
pub struct WebhookEndpoint(EndpointShown);

impl WebhookEndpoint {
    pub fn new(e: &Endpoint) -> Result<Self, AppError> {
        Ok(Self(present::endpoint(e)?))
    }
}

/// What a webhook endpoint subscribes to; each is sent as the event name
/// in lower case with a dot (`ARTICLE_PUBLISHED` is `article.published`).
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::webhooks::EventType")]
pub enum WebhookEventType {
    ArticlePublished,
    ArticleUpdated,
    ArticleCorrected,
    ArticleUnpublished,
    ArticleDeleted,
    CommentCreated,
    CommentModerated,
    /// The surrogate keys a write changed, for a cache in front.
    CachePurge,
    /// Sent on request only (`pingWebhookEndpoint`), to check an endpoint.
    #[graphql(name = "WEBHOOK_PING")]
    Ping,
}

/// A registered webhook receiver.
#[Object]
impl WebhookEndpoint {
    async fn id(&self) -> ID {
        ids::encode(Kind::WebhookEndpoint, self.0.id)
    }
    async fn url(&self) -> &str {
        &self.0.url
    }
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    async fn events(&self) -> Vec<WebhookEventType> {
        self.0.events.iter().copied().map(Into::into).collect()
    }
    async fn enabled(&self) -> bool {
        self.0.enabled
    }
    async fn disabled_reason(&self) -> Option<&str> {
        self.0.disabled_reason.as_deref()
    }
    async fn failing_since(&self) -> Option<DateTime<Utc>> {
        self.0.failing_since
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
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
            self.0.id,
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
pub struct WebhookDelivery(DeliveryShown);

impl WebhookDelivery {
    pub fn new(d: &Delivery) -> Result<Self, AppError> {
        Ok(Self(present::delivery(d)?))
    }
}

/// One event for one endpoint, and how sending it went.
#[Object]
impl WebhookDelivery {
    async fn id(&self) -> ID {
        ids::encode(Kind::WebhookDelivery, self.0.id)
    }
    /// The `webhook-id` header of every attempt.
    async fn message_id(&self) -> &str {
        &self.0.message_id
    }
    async fn event_type(&self) -> WebhookEventType {
        self.0.event_type.into()
    }
    async fn status(&self) -> WebhookDeliveryStatus {
        self.0.status.into()
    }
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }
    async fn next_attempt_at(&self) -> Option<DateTime<Utc>> {
        self.0.next_attempt_at
    }
    async fn last_status_code(&self) -> Option<i32> {
        self.0.last_status_code
    }
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn delivered_at(&self) -> Option<DateTime<Utc>> {
        self.0.delivered_at
    }
    /// The JSON body sent.
    async fn payload(&self) -> &str {
        &self.0.payload
    }
}

/// Where a delivery stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::webhooks::outbox::DeliveryStatus")]
pub enum WebhookDeliveryStatus {
    /// Waiting for its next attempt.
    Pending,
    /// The receiver answered 2xx.
    Delivered,
    /// Every attempt failed; `retryWebhookDelivery` tries again.
    Failed,
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
                        node.article = Some(Article(a, Some(Arc::new(b)), None));
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
