//! What a read loads of a story. The body is large (three forms, about
//! 15 KB a story), lives in its own table and is read only when a client
//! asks for it: lists, related stories and bylines never touch it.

use crate::error::AppResult;
use chrono::{DateTime, Utc};
use entity::{article, article_body};
use sea_orm::{ColumnTrait, ConnectionTrait, DerivePartialModel, EntityTrait, QueryFilter};
use std::collections::HashMap;
use uuid::Uuid;

/// Every column of a story but its body.
#[derive(Clone, Debug, PartialEq, Eq, DerivePartialModel)]
#[sea_orm(entity = "article::Entity")]
pub struct Article {
    pub id: Uuid,
    pub slug: String,
    pub external_id: Option<String>,
    pub headline: String,
    pub dek: Option<String>,
    pub dateline: Option<String>,
    pub word_count: i32,
    pub hero_image_id: Option<Uuid>,
    pub section_id: Option<Uuid>,
    pub audio_url: Option<String>,
    pub audio_duration_seconds: Option<i32>,
    pub audio_mime_type: Option<String>,
    pub status: String,
    pub published_at: Option<DateTime<Utc>>,
    pub scheduled_at: Option<DateTime<Utc>>,
    pub seo_title: Option<String>,
    pub seo_description: Option<String>,
    pub canonical_url: Option<String>,
    pub comments_status: String,
    pub comment_count: i32,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The stored body of one story: canonical blocks and the two forms
/// rendered from them on write.
#[derive(Clone, Debug, PartialEq, Eq, DerivePartialModel)]
#[sea_orm(entity = "article_body::Entity")]
pub struct ArticleBody {
    pub article_id: Uuid,
    pub body_blocks: String,
    pub body_html: String,
    pub body_text: String,
}

/// The columns of [`Article`], for statements written by hand.
pub const HEAD_COLUMNS: &[&str] = &[
    "id",
    "slug",
    "external_id",
    "headline",
    "dek",
    "dateline",
    "word_count",
    "hero_image_id",
    "section_id",
    "audio_url",
    "audio_duration_seconds",
    "audio_mime_type",
    "status",
    "published_at",
    "scheduled_at",
    "seo_title",
    "seo_description",
    "canonical_url",
    "comments_status",
    "comment_count",
    "version",
    "created_at",
    "updated_at",
];

impl From<article::Model> for Article {
    fn from(m: article::Model) -> Self {
        Self {
            id: m.id,
            slug: m.slug,
            external_id: m.external_id,
            headline: m.headline,
            dek: m.dek,
            dateline: m.dateline,
            word_count: m.word_count,
            hero_image_id: m.hero_image_id,
            section_id: m.section_id,
            audio_url: m.audio_url,
            audio_duration_seconds: m.audio_duration_seconds,
            audio_mime_type: m.audio_mime_type,
            status: m.status,
            published_at: m.published_at,
            scheduled_at: m.scheduled_at,
            seo_title: m.seo_title,
            seo_description: m.seo_description,
            canonical_url: m.canonical_url,
            comments_status: m.comments_status,
            comment_count: m.comment_count,
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// Bodies by article id, in one statement.
pub async fn bodies(db: &impl ConnectionTrait, ids: &[Uuid]) -> AppResult<HashMap<Uuid, ArticleBody>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = article_body::Entity::find()
        .filter(article_body::Column::ArticleId.is_in(crate::domain::sql::padded(ids)))
        .into_partial_model::<ArticleBody>()
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|b| (b.article_id, b)).collect())
}
