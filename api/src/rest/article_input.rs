//! REST request bodies for article writes: the same field names as the read
//! side and GraphQL, in camelCase. On PATCH a field left out stays as it is
//! and `null` clears it; on PUT a field left out is cleared.

use super::names::CommentsStatusName;
use super::required::create_body;
use crate::domain::articles::CommentsStatus;
use crate::domain::articles::input::{ArticleChanges, AudioInput, BodyInput};
use crate::domain::body::Block;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer};
use utoipa::ToSchema;
use uuid::Uuid;

/// JSON Schema counts `12.0` as an integer, so generated clients may send
/// one; it is taken as 12. A fraction or a number out of range is refused.
pub fn whole_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i32>, D::Error> {
    use serde::de::Error;
    let Some(n) = Option::<serde_json::Number>::deserialize(d)? else { return Ok(None) };
    if let Some(i) = n.as_i64() {
        return i32::try_from(i).map(Some).map_err(|_| D::Error::custom("is out of range"));
    }
    match n.as_f64() {
        Some(f) if f.fract() == 0.0 && (f64::from(i32::MIN)..=f64::from(i32::MAX)).contains(&f) => {
            Ok(Some(f as i32))
        }
        _ => Err(D::Error::custom("must be a whole number")),
    }
}

/// [`whole_number`] for a field where `null` clears.
pub fn nullable_whole_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<i32>>, D::Error> {
    whole_number(d).map(Some)
}

/// A nested object, refused when sent as an array (which serde would
/// otherwise read field by field).
pub fn object<'de, D: Deserializer<'de>, T: serde::de::DeserializeOwned>(
    d: D,
) -> Result<Option<T>, D::Error> {
    use serde::de::Error;
    match Option::<serde_json::Map<String, serde_json::Value>>::deserialize(d)? {
        None => Ok(None),
        Some(map) => T::deserialize(serde_json::Value::Object(map)).map(Some).map_err(D::Error::custom),
    }
}

/// [`object`] for a field where `null` clears.
pub fn nullable_object<'de, D: Deserializer<'de>, T: serde::de::DeserializeOwned>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    object(d).map(Some)
}

/// Tells "absent" (outer None) from "null" (Some(None)).
pub fn nullable_field<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AudioWrite {
    /// An http(s) URL.
    #[schema(pattern = "@web-url", max_length = 2000)]
    pub url: String,
    #[serde(default, deserialize_with = "whole_number")]
    #[schema(minimum = 0, maximum = 86400)]
    pub duration_seconds: Option<i32>,
    /// A MIME type such as audio/mpeg.
    #[schema(pattern = "^[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+$", max_length = 100)]
    pub mime_type: Option<String>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ArticleWrite {
    /// Lowercase letters, digits and single hyphens.
    #[schema(pattern = "@slug", max_length = 120)]
    pub slug: Option<String>,
    #[serde(default, deserialize_with = "nullable_field")]
    #[schema(value_type = Option<String>, pattern = "@name", max_length = 200)]
    pub external_id: Option<Option<String>>,
    #[schema(pattern = "@name", max_length = 300)]
    pub headline: Option<String>,
    #[serde(default, deserialize_with = "nullable_field")]
    #[schema(value_type = Option<String>, pattern = "@line", max_length = 1000)]
    pub dek: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable_field")]
    /// The place line, e.g. "MEXICO CITY, MEXICO".
    #[schema(value_type = Option<String>, pattern = "@line", max_length = 200)]
    pub dateline: Option<Option<String>>,
    /// The body as Markdown (at most 512 KiB); raw HTML in it is dropped.
    /// Give this or `bodyBlocks`, not both.
    #[schema(pattern = "@text")]
    pub body_markdown: Option<String>,
    /// The body as typed blocks, as the read side returns them.
    pub body_blocks: Option<Vec<Block>>,
    #[serde(default, deserialize_with = "nullable_field")]
    #[schema(value_type = Option<Uuid>)]
    pub section_id: Option<Option<Uuid>>,
    #[schema(max_items = 50)]
    pub tag_ids: Option<Vec<Uuid>>,
    /// The byline, in order.
    #[schema(max_items = 20)]
    pub author_ids: Option<Vec<Uuid>>,
    #[serde(default, deserialize_with = "nullable_field")]
    #[schema(value_type = Option<Uuid>)]
    pub hero_image_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "nullable_object")]
    #[schema(value_type = Option<AudioWrite>)]
    pub audio: Option<Option<AudioWrite>>,
    #[serde(default, deserialize_with = "nullable_field")]
    #[schema(value_type = Option<String>, pattern = "@line", max_length = 300)]
    pub seo_title: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable_field")]
    #[schema(value_type = Option<String>, pattern = "@line", max_length = 1000)]
    pub seo_description: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable_field")]
    /// An http(s) URL.
    #[schema(value_type = Option<String>, pattern = "@web-url", max_length = 2000)]
    pub canonical_url: Option<Option<String>>,
    #[schema(value_type = Option<CommentsStatusName>)]
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

create_body!(
    /// A new article: `slug` and `headline` are required.
    ArticleCreate = ArticleWrite, ["slug", "headline"]
);

/// A body comes as Markdown or as blocks, never both; every article body
/// schema says so with a JSON Schema `not`. utoipa has no attribute for
/// `not`, so it is added to the finished document, as a schema member that
/// utoipa serializes beside the others.
pub fn one_body_form(api: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::RefOr;
    use utoipa::openapi::schema::Schema;
    let Some(components) = api.components.as_mut() else { return };
    for name in ["ArticleWrite", "ArticleCreate"] {
        if let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(name) {
            let both = serde_json::json!({
                "required": ["bodyMarkdown", "bodyBlocks"],
                "properties": { "bodyMarkdown": { "type": "string" }, "bodyBlocks": { "type": "array" } }
            });
            object.extensions.get_or_insert_with(Default::default).insert("not".into(), both);
        }
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
    /// The curated related stories, in order, each once.
    #[schema(max_items = 20)]
    pub related_ids: Vec<Uuid>,
}
