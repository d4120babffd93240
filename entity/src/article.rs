//! A story, without its body (see `article_body`): a row small enough that
//! lists and related stories read many per page.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "article")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
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
    pub published_at: Option<DateTimeUtc>,
    pub scheduled_at: Option<DateTimeUtc>,
    pub seo_title: Option<String>,
    pub seo_description: Option<String>,
    pub canonical_url: Option<String>,
    pub comments_status: String,
    pub comment_count: i32,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
