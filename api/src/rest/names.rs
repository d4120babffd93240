//! The fixed vocabularies REST shows and accepts, as types, so the OpenAPI
//! document lists their values as enums. Each converts from the domain's
//! own enum by an exhaustive match, so the two cannot drift apart.

use crate::domain::articles::{CommentsStatus, Status};
use crate::domain::related::Reason;
use serde::Serialize;
use utoipa::ToSchema;

/// Where a story stands for readers at the time of the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum ArticleStatus {
    Draft,
    Scheduled,
    Published,
    Archived,
}

impl From<Status> for ArticleStatus {
    fn from(s: Status) -> Self {
        match s {
            Status::Draft => Self::Draft,
            Status::Scheduled => Self::Scheduled,
            Status::Published => Self::Published,
            Status::Archived => Self::Archived,
        }
    }
}

/// Whether readers may comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum CommentsStatusName {
    Open,
    Closed,
    Disabled,
}

impl From<CommentsStatus> for CommentsStatusName {
    fn from(c: CommentsStatus) -> Self {
        match c {
            CommentsStatus::Open => Self::Open,
            CommentsStatus::Closed => Self::Closed,
            CommentsStatus::Disabled => Self::Disabled,
        }
    }
}

/// Why a related story was picked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RelatedReason {
    Curated,
    SharedTags,
    SameSection,
}

impl From<Reason> for RelatedReason {
    fn from(r: Reason) -> Self {
        match r {
            Reason::Curated => Self::Curated,
            Reason::SharedTags => Self::SharedTags,
            Reason::SameSection => Self::SameSection,
        }
    }
}

/// The order of a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ListOrder {
    Newest,
    Oldest,
}

/// What a change-feed entry says happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum FeedEventName {
    Published,
    Updated,
    Corrected,
    Unpublished,
    Deleted,
    Upserted,
}

impl From<crate::domain::journal::FeedEvent> for FeedEventName {
    fn from(e: crate::domain::journal::FeedEvent) -> Self {
        use crate::domain::journal::FeedEvent;
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

/// What a change-feed entry is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum FeedEntity {
    Article,
    Section,
    Tag,
    Author,
    Media,
}

impl From<crate::domain::journal::Entity> for FeedEntity {
    fn from(e: crate::domain::journal::Entity) -> Self {
        use crate::domain::journal::Entity;
        match e {
            Entity::Article => Self::Article,
            Entity::Section => Self::Section,
            Entity::Tag => Self::Tag,
            Entity::Author => Self::Author,
            Entity::Media => Self::Media,
        }
    }
}

/// What a webhook endpoint may subscribe to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub enum WebhookEventName {
    #[serde(rename = "article.published")]
    ArticlePublished,
    #[serde(rename = "article.updated")]
    ArticleUpdated,
    #[serde(rename = "article.corrected")]
    ArticleCorrected,
    #[serde(rename = "article.unpublished")]
    ArticleUnpublished,
    #[serde(rename = "article.deleted")]
    ArticleDeleted,
    #[serde(rename = "comment.created")]
    CommentCreated,
    #[serde(rename = "comment.moderated")]
    CommentModerated,
    #[serde(rename = "cache.purge")]
    CachePurge,
    #[serde(rename = "webhook.ping")]
    WebhookPing,
}

impl From<crate::domain::webhooks::EventType> for WebhookEventName {
    fn from(e: crate::domain::webhooks::EventType) -> Self {
        use crate::domain::webhooks::EventType as E;
        match e {
            E::ArticlePublished => Self::ArticlePublished,
            E::ArticleUpdated => Self::ArticleUpdated,
            E::ArticleCorrected => Self::ArticleCorrected,
            E::ArticleUnpublished => Self::ArticleUnpublished,
            E::ArticleDeleted => Self::ArticleDeleted,
            E::CommentCreated => Self::CommentCreated,
            E::CommentModerated => Self::CommentModerated,
            E::CachePurge => Self::CachePurge,
            E::Ping => Self::WebhookPing,
        }
    }
}

/// Where a webhook delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum DeliveryStatusName {
    Pending,
    Delivered,
    Failed,
}

impl From<crate::domain::webhooks::outbox::DeliveryStatus> for DeliveryStatusName {
    fn from(s: crate::domain::webhooks::outbox::DeliveryStatus) -> Self {
        use crate::domain::webhooks::outbox::DeliveryStatus;
        match s {
            DeliveryStatus::Pending => Self::Pending,
            DeliveryStatus::Delivered => Self::Delivered,
            DeliveryStatus::Failed => Self::Failed,
        }
    }
}
