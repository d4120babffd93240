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
    pub status: StoredStatus,
    pub published_at: Option<DateTimeUtc>,
    pub seo_title: Option<String>,
    pub seo_description: Option<String>,
    pub canonical_url: Option<String>,
    pub comments_status: CommentsStatus,
    pub comment_count: i32,
    /// PRE or POST overrides the site's comment moderation; null follows it.
    pub comment_moderation: Option<CommentModeration>,
    pub version: i32,
    /// The change feed has announced the story as public. Set by the write
    /// that publishes it, or by the scheduler when its time comes.
    pub feed_public: bool,
    /// The byline's author ids in order, comma-separated: a copy of the
    /// story's `article_author` rows written by the same write, so a story
    /// and its links are one row to read.
    pub author_ids: String,
    /// The tag ids in order, as `author_ids`.
    pub tag_ids: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// An editorial state as stored. A scheduled story is PUBLISHED with a
/// future publish date, so it goes live with no job to run.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum StoredStatus {
    #[sea_orm(string_value = "DRAFT")]
    Draft,
    #[sea_orm(string_value = "PUBLISHED")]
    Published,
    #[sea_orm(string_value = "ARCHIVED")]
    Archived,
}

/// An article's own moderation of new comments: all held (PRE) or none
/// held unless another rule holds one (POST); none set follows the site.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(8))")]
pub enum CommentModeration {
    #[sea_orm(string_value = "PRE")]
    Pre,
    #[sea_orm(string_value = "POST")]
    Post,
}

/// Whether readers may comment (OPEN), only read comments (CLOSED), or see
/// none (DISABLED).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum CommentsStatus {
    #[sea_orm(string_value = "OPEN")]
    Open,
    #[sea_orm(string_value = "CLOSED")]
    Closed,
    #[sea_orm(string_value = "DISABLED")]
    Disabled,
}

impl CommentsStatus {
    /// The name clients send and see, the same as the stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "OPEN",
            Self::Closed => "CLOSED",
            Self::Disabled => "DISABLED",
        }
    }

    pub fn from_name(s: &str) -> Option<Self> {
        [Self::Open, Self::Closed, Self::Disabled].into_iter().find(|x| x.as_str() == s)
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
