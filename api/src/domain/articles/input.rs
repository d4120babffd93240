//! What writers send for an article, and the checks it must pass. The same
//! input serves create, update (absent fields stay) and replace (absent
//! fields are cleared), from GraphQL and REST alike.

use super::CommentsStatus;
use crate::domain::body::{self, Block};
use crate::domain::slug;
use crate::domain::text::is_web_url;
use crate::domain::text::{self, Lines};
use crate::error::{AppError, AppResult, Validator};
use std::collections::HashSet;
use uuid::Uuid;

pub const MAX_HEADLINE: usize = 300;
pub const MAX_DEK: usize = 1000;
pub const MAX_DATELINE: usize = 200;
pub const MAX_EXTERNAL_ID: usize = 200;
pub const MAX_MARKDOWN_BYTES: usize = 512 * 1024;
pub const MAX_BLOCKS: usize = 2000;
pub const MAX_TAGS: usize = 50;
pub const MAX_AUTHORS: usize = 20;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyInput {
    Markdown(String),
    Blocks(Vec<Block>),
}

impl BodyInput {
    /// A body arrives as Markdown or as blocks, never both.
    pub fn from_parts(markdown: Option<String>, blocks: Option<Vec<Block>>) -> AppResult<Option<Self>> {
        match (markdown, blocks) {
            (Some(_), Some(_)) => {
                Err(AppError::field("bodyBlocks", "give bodyMarkdown or bodyBlocks, not both"))
            }
            (Some(md), None) => Ok(Some(Self::Markdown(md))),
            (None, Some(b)) => Ok(Some(Self::Blocks(b))),
            (None, None) => Ok(None),
        }
    }

    pub fn blocks(&self) -> Vec<Block> {
        match self {
            Self::Markdown(md) => body::from_markdown(md),
            Self::Blocks(b) => b.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudioInput {
    pub url: String,
    pub duration_seconds: Option<i32>,
    pub mime_type: Option<String>,
}

/// `None` leaves a field as it is; for nullable fields `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct ArticleChanges {
    pub slug: Option<String>,
    pub external_id: Option<Option<String>>,
    pub headline: Option<String>,
    pub dek: Option<Option<String>>,
    pub dateline: Option<Option<String>>,
    pub body: Option<BodyInput>,
    pub section_id: Option<Option<Uuid>>,
    pub tag_ids: Option<Vec<Uuid>>,
    pub author_ids: Option<Vec<Uuid>>,
    pub hero_image_id: Option<Option<Uuid>>,
    pub audio: Option<Option<AudioInput>>,
    pub seo_title: Option<Option<String>>,
    pub seo_description: Option<Option<String>>,
    pub canonical_url: Option<Option<String>>,
    pub comments_status: Option<CommentsStatus>,
}

impl ArticleChanges {
    /// A full replacement (REST PUT): every field not given is cleared.
    pub fn into_replacement(self) -> Self {
        Self {
            external_id: Some(self.external_id.flatten()),
            dek: Some(self.dek.flatten()),
            dateline: Some(self.dateline.flatten()),
            body: Some(self.body.unwrap_or(BodyInput::Blocks(Vec::new()))),
            section_id: Some(self.section_id.flatten()),
            tag_ids: Some(self.tag_ids.unwrap_or_default()),
            author_ids: Some(self.author_ids.unwrap_or_default()),
            hero_image_id: Some(self.hero_image_id.flatten()),
            audio: Some(self.audio.flatten()),
            seo_title: Some(self.seo_title.flatten()),
            seo_description: Some(self.seo_description.flatten()),
            canonical_url: Some(self.canonical_url.flatten()),
            comments_status: Some(self.comments_status.unwrap_or(CommentsStatus::Open)),
            ..self
        }
    }

    /// Checks that need no database, every failing field named by its
    /// path within the changes (`slug`, `bodyBlocks[2].url`).
    pub fn check_shape(&self, v: &mut Validator) {
        let p = |f: &str| f.to_owned();
        if let Some(s) = &self.slug {
            slug::check(v, "slug", s);
        }
        let single_lines = [
            ("headline", self.headline.as_deref()),
            ("dek", self.dek.as_ref().and_then(Option::as_deref)),
            ("dateline", self.dateline.as_ref().and_then(Option::as_deref)),
            ("seoTitle", self.seo_title.as_ref().and_then(Option::as_deref)),
            ("seoDescription", self.seo_description.as_ref().and_then(Option::as_deref)),
            ("canonicalUrl", self.canonical_url.as_ref().and_then(Option::as_deref)),
            ("audio.url", self.audio.as_ref().and_then(Option::as_ref).map(|a| a.url.as_str())),
            (
                "audio.mimeType",
                self.audio.as_ref().and_then(Option::as_ref).and_then(|a| a.mime_type.as_deref()),
            ),
        ];
        for (field, value) in single_lines {
            text::check_opt(v, &p(field), value, Lines::Single);
        }
        if let Some(h) = &self.headline {
            let n = h.trim().chars().count();
            v.check(n > 0, &p("headline"), "is required");
            v.check(n <= MAX_HEADLINE, &p("headline"), &format!("must be at most {MAX_HEADLINE} characters"));
        }
        text_len(v, &p("dek"), &self.dek, MAX_DEK);
        text_len(v, &p("dateline"), &self.dateline, MAX_DATELINE);
        text_len(v, &p("seoTitle"), &self.seo_title, MAX_HEADLINE);
        text_len(v, &p("seoDescription"), &self.seo_description, MAX_DEK);
        if let Some(Some(e)) = &self.external_id {
            check_external_id(v, &p("externalId"), e);
        }
        if let Some(Some(u)) = &self.canonical_url {
            v.check(is_web_url(u), &p("canonicalUrl"), "must be an http(s) URL");
        }
        if let Some(Some(a)) = &self.audio {
            v.check(is_web_url(&a.url), &p("audio.url"), "must be an http(s) URL");
            if let Some(d) = a.duration_seconds {
                v.check(
                    (0..=86_400).contains(&d),
                    &p("audio.durationSeconds"),
                    "must be between 0 and 86400",
                );
            }
            if let Some(m) = &a.mime_type {
                v.check(
                    m.len() <= 100 && m.contains('/'),
                    &p("audio.mimeType"),
                    "must be a MIME type such as audio/mpeg",
                );
            }
        }
        match &self.body {
            Some(BodyInput::Markdown(md)) => {
                v.check(md.len() <= MAX_MARKDOWN_BYTES, &p("bodyMarkdown"), "must be at most 512 KiB");
                text::check(v, &p("bodyMarkdown"), md, Lines::Multi);
            }
            Some(BodyInput::Blocks(blocks)) => {
                v.check(
                    blocks.len() <= MAX_BLOCKS,
                    &p("bodyBlocks"),
                    &format!("must have at most {MAX_BLOCKS} blocks"),
                );
                for (i, b) in blocks.iter().enumerate() {
                    check_block_text(v, &format!("bodyBlocks[{i}]"), b);
                    if let Block::Image { url, .. } | Block::Embed { url, .. } = b {
                        v.check(is_web_url(url), &format!("bodyBlocks[{i}].url"), "must be an http(s) URL");
                    }
                    if let Block::Heading { level, .. } = b {
                        v.check((1..=6).contains(level), &format!("bodyBlocks[{i}].level"), "must be 1 to 6");
                    }
                }
            }
            None => {}
        }
        ids_unique(v, &p("tagIds"), self.tag_ids.as_deref(), MAX_TAGS);
        ids_unique(v, &p("authorIds"), self.author_ids.as_deref(), MAX_AUTHORS);
    }
}

/// The integrator's own id, from a body or a URL.
pub fn check_external_id(v: &mut Validator, path: &str, e: &str) {
    v.check(
        !e.trim().is_empty() && e.chars().count() <= MAX_EXTERNAL_ID,
        path,
        &format!("must be 1 to {MAX_EXTERNAL_ID} characters"),
    );
    text::check(v, path, e, Lines::Single);
}

/// Every string of a block, wherever it sits, is body text.
fn check_block_text(v: &mut Validator, path: &str, block: &Block) {
    fn walk(v: &mut Validator, path: &str, value: &serde_json::Value) {
        match value {
            serde_json::Value::String(s) => text::check(v, path, s, Lines::Multi),
            serde_json::Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    walk(v, &format!("{path}[{i}]"), item);
                }
            }
            serde_json::Value::Object(fields) => {
                for (k, item) in fields {
                    walk(v, &format!("{path}.{k}"), item);
                }
            }
            _ => {}
        }
    }
    if let Ok(value) = serde_json::to_value(block) {
        walk(v, path, &value);
    }
}

fn text_len(v: &mut Validator, path: &str, value: &Option<Option<String>>, max: usize) {
    if let Some(Some(s)) = value {
        v.check(s.chars().count() <= max, path, &format!("must be at most {max} characters"));
    }
}

fn ids_unique(v: &mut Validator, path: &str, ids: Option<&[Uuid]>, max: usize) {
    let Some(ids) = ids else { return };
    v.check(ids.len() <= max, path, &format!("must have at most {max} entries"));
    let mut seen = HashSet::new();
    for (i, id) in ids.iter().enumerate() {
        if !seen.insert(id) {
            v.push(format!("{path}[{i}]"), "repeats an earlier entry");
        }
    }
}
