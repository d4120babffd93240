//! REST request bodies for article writes: the same field names as the read
//! side and GraphQL, in camelCase. On PATCH a field left out stays as it is
//! and `null` clears it; on PUT a field left out is cleared.

use crate::domain::articles::CommentsStatus;
use crate::domain::articles::input::{ArticleChanges, AudioInput, BodyInput};
use crate::domain::body::Block;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer};
use utoipa::ToSchema;
use uuid::Uuid;

/// Tells "absent" (outer None) from "null" (Some(None)).
pub fn nullable_field<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AudioWrite {
    pub url: String,
    pub duration_seconds: Option<i32>,
    pub mime_type: Option<String>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ArticleWrite {
    pub slug: Option<String>,
    #[serde(default, deserialize_with = "nullable_field")]
    #[schema(value_type = Option<String>)]
    pub external_id: Option<Option<String>>,
    pub headline: Option<String>,
    #[serde(default, deserialize_with = "nullable_field")]
    #[schema(value_type = Option<String>)]
    pub dek: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable_field")]
    #[schema(value_type = Option<String>)]
    pub dateline: Option<Option<String>>,
    /// The body as Markdown; raw HTML in it is dropped.
    pub body_markdown: Option<String>,
    /// The body as typed blocks, as the read side returns them.
    pub body_blocks: Option<Vec<Block>>,
    #[serde(default, deserialize_with = "nullable_field")]
    #[schema(value_type = Option<Uuid>)]
    pub section_id: Option<Option<Uuid>>,
    pub tag_ids: Option<Vec<Uuid>>,
    pub author_ids: Option<Vec<Uuid>>,
    #[serde(default, deserialize_with = "nullable_field")]
    #[schema(value_type = Option<Uuid>)]
    pub hero_image_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "nullable_field")]
    #[schema(value_type = Option<AudioWrite>)]
    pub audio: Option<Option<AudioWrite>>,
    #[serde(default, deserialize_with = "nullable_field")]
    #[schema(value_type = Option<String>)]
    pub seo_title: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable_field")]
    #[schema(value_type = Option<String>)]
    pub seo_description: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable_field")]
    #[schema(value_type = Option<String>)]
    pub canonical_url: Option<Option<String>>,
    /// OPEN, CLOSED or DISABLED.
    pub comments_status: Option<String>,
}

impl ArticleWrite {
    pub fn into_changes(self) -> AppResult<ArticleChanges> {
        let body = BodyInput::from_parts(self.body_markdown, self.body_blocks)?;
        let comments_status = self
            .comments_status
            .map(|c| {
                CommentsStatus::from_name(&c)
                    .ok_or_else(|| AppError::field("commentsStatus", "must be OPEN, CLOSED or DISABLED"))
            })
            .transpose()?;
        Ok(ArticleChanges {
            slug: self.slug,
            external_id: self.external_id,
            headline: self.headline,
            dek: self.dek,
            dateline: self.dateline,
            body,
            section_id: self.section_id,
            tag_ids: self.tag_ids,
            author_ids: self.author_ids,
            hero_image_id: self.hero_image_id,
            audio: self.audio.map(|a| {
                a.map(|a| AudioInput {
                    url: a.url,
                    duration_seconds: a.duration_seconds,
                    mime_type: a.mime_type,
                })
            }),
            seo_title: self.seo_title,
            seo_description: self.seo_description,
            canonical_url: self.canonical_url,
            comments_status,
        })
    }
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PublishWrite {
    /// A future instant to schedule for; leave out to publish now.
    pub at: Option<DateTime<Utc>>,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RelatedWrite {
    /// The curated related stories, in order.
    pub related_ids: Vec<Uuid>,
}
