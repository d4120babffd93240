//! The change feed: one row per change a reader or integrator could see,
//! written in the same transaction as the change itself.

use crate::error::AppResult;
use chrono::{DateTime, Utc};
use entity::change_event;
use sea_orm::{ActiveValue::NotSet, ActiveValue::Set, ConnectionTrait, EntityTrait};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    Article,
    Author,
    Section,
    Tag,
    Media,
}

impl Entity {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Article => "article",
            Self::Author => "author",
            Self::Section => "section",
            Self::Tag => "tag",
            Self::Media => "media",
        }
    }
}

/// What happened, as integrators read it (`article.published`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Created,
    Updated,
    Published,
    Scheduled,
    Unpublished,
    Archived,
    Deleted,
    RelatedChanged,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Updated => "updated",
            Self::Published => "published",
            Self::Scheduled => "scheduled",
            Self::Unpublished => "unpublished",
            Self::Archived => "archived",
            Self::Deleted => "deleted",
            Self::RelatedChanged => "related_changed",
        }
    }
}

pub struct Change<'a> {
    pub entity: Entity,
    pub id: Uuid,
    pub action: Action,
    pub version: Option<i32>,
    pub slug: Option<&'a str>,
}

impl<'a> Change<'a> {
    /// A story as it stands after the write.
    pub fn article(a: &'a entity::article::Model, action: Action) -> Self {
        Self { entity: Entity::Article, id: a.id, action, version: Some(a.version), slug: Some(&a.slug) }
    }
}

pub async fn record(db: &impl ConnectionTrait, change: Change<'_>, now: DateTime<Utc>) -> AppResult<()> {
    change_event::Entity::insert(change_event::ActiveModel {
        seq: NotSet,
        entity_type: Set(change.entity.as_str().into()),
        entity_id: Set(change.id),
        action: Set(change.action.as_str().into()),
        version: Set(change.version),
        slug: Set(change.slug.map(str::to_owned)),
        occurred_at: Set(now),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}
