//! The archive format of export and import: one story per line (NDJSON),
//! self-contained. Sections, tags and authors travel by slug with their
//! names, the hero picture with its credit, curated related stories by id
//! and external id, so an archive moves between databases (and from other
//! systems) without Dateline's internal ids for any of them. Versions and
//! comment counts stay behind: they describe one database's history.

use crate::domain::accounts::{Actor, Scope, policy};
use crate::domain::articles::relations::ArticleRelations;
use crate::domain::articles::{self, Article, CommentsStatus, StoredStatus};
use crate::domain::body::Block;
use crate::domain::media::Media;
use crate::domain::related::curated;
use crate::domain::taxonomy::catalog::Catalog;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use entity::article;
use futures_util::Stream;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ArchivedArticle {
    pub id: Option<Uuid>,
    #[serde(default)]
    pub external_id: Option<String>,
    pub slug: String,
    pub headline: String,
    #[serde(default)]
    pub dek: Option<String>,
    #[serde(default)]
    pub dateline: Option<String>,
    /// DRAFT, PUBLISHED or ARCHIVED; a PUBLISHED story with a future
    /// `publishedAt` is scheduled.
    pub status: String,
    #[serde(default)]
    pub published_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub body_blocks: Vec<Block>,
    #[serde(default)]
    pub section: Option<ArchivedTerm>,
    #[serde(default)]
    pub tags: Vec<ArchivedTerm>,
    #[serde(default)]
    pub authors: Vec<ArchivedTerm>,
    #[serde(default)]
    pub hero_image: Option<ArchivedMedia>,
    #[serde(default)]
    pub audio: Option<ArchivedAudio>,
    #[serde(default)]
    pub seo: ArchivedSeo,
    #[serde(default = "open")]
    pub comments_status: String,
    #[serde(default)]
    pub corrections: Vec<ArchivedCorrection>,
    #[serde(default)]
    pub related: Vec<ArchivedRef>,
}

fn open() -> String {
    "OPEN".into()
}

/// A section, tag or author: found by slug, created with this name (and
/// description or bio, and an author's picture) when missing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ArchivedTerm {
    pub slug: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub about: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar: Option<ArchivedMedia>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ArchivedMedia {
    pub url: String,
    #[serde(default)]
    pub alt: Option<String>,
    #[serde(default)]
    pub caption: Option<String>,
    #[serde(default)]
    pub width: Option<i32>,
    #[serde(default)]
    pub height: Option<i32>,
    #[serde(default)]
    pub mime_type: Option<String>,
    #[serde(default)]
    pub photographer: Option<String>,
    #[serde(default)]
    pub agency: Option<String>,
    #[serde(default)]
    pub rights_holder: Option<String>,
    #[serde(default)]
    pub license: Option<String>,
    #[serde(default)]
    pub license_expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ArchivedAudio {
    pub url: String,
    #[serde(default)]
    pub duration_seconds: Option<i32>,
    #[serde(default)]
    pub mime_type: Option<String>,
}

/// The stored search-engine fields, without the fallbacks readers see.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ArchivedSeo {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub canonical_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ArchivedCorrection {
    pub text: String,
    pub published_at: DateTime<Utc>,
}

/// A curated related story: by its external id when it has one, else by id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ArchivedRef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
}

pub fn status_name(s: StoredStatus) -> &'static str {
    match s {
        StoredStatus::Draft => "DRAFT",
        StoredStatus::Published => "PUBLISHED",
        StoredStatus::Archived => "ARCHIVED",
    }
}

pub fn parse_status(s: &str) -> Option<StoredStatus> {
    [StoredStatus::Draft, StoredStatus::Published, StoredStatus::Archived]
        .into_iter()
        .find(|x| status_name(*x) == s)
}

pub fn comments_name(c: CommentsStatus) -> &'static str {
    match c {
        CommentsStatus::Open => "OPEN",
        CommentsStatus::Closed => "CLOSED",
        CommentsStatus::Disabled => "DISABLED",
    }
}

pub fn parse_comments(s: &str) -> Option<CommentsStatus> {
    [CommentsStatus::Open, CommentsStatus::Closed, CommentsStatus::Disabled]
        .into_iter()
        .find(|x| comments_name(*x) == s)
}

fn media(m: &Media) -> ArchivedMedia {
    ArchivedMedia {
        url: m.url.clone(),
        alt: m.alt_text.clone(),
        caption: m.caption.clone(),
        width: m.width,
        height: m.height,
        mime_type: m.mime_type.clone(),
        photographer: m.credit_photographer.clone(),
        agency: m.credit_agency.clone(),
        rights_holder: m.credit_rights_holder.clone(),
        license: m.credit_license.clone(),
        license_expires_at: m.credit_license_expires_at,
    }
}

/// The archive records of `stories`, in their order, in a fixed number of
/// statements.
pub async fn records(
    db: &impl ConnectionTrait,
    catalog: &Catalog,
    stories: &[Article],
) -> AppResult<Vec<ArchivedArticle>> {
    let ids: Vec<Uuid> = stories.iter().map(|a| a.id).collect();
    let rel = ArticleRelations::load(db, catalog, stories).await?;
    let mut bodies = articles::bodies(db, &ids).await?;
    let curated = curated::curated_ids(db, &ids).await?;
    let mut targets: Vec<Uuid> = curated.values().flatten().copied().collect();
    targets.sort_unstable();
    targets.dedup();
    let external: HashMap<Uuid, Option<String>> = if targets.is_empty() {
        HashMap::new()
    } else {
        article::Entity::find()
            .select_only()
            .column(article::Column::Id)
            .column(article::Column::ExternalId)
            .filter(article::Column::Id.is_in(crate::domain::sql::padded(&targets)))
            .into_tuple::<(Uuid, Option<String>)>()
            .all(db)
            .await?
            .into_iter()
            .collect()
    };
    let mut out = Vec::with_capacity(stories.len());
    for a in stories {
        let links = rel.links(a);
        let body = bodies.remove(&a.id);
        let blocks: Vec<Block> = body
            .as_ref()
            .map(|b| serde_json::from_str(&b.body_blocks))
            .transpose()
            .map_err(AppError::internal)?
            .unwrap_or_default();
        let term = |slug: &str, name: &str, about: Option<&String>| ArchivedTerm {
            slug: slug.to_owned(),
            name: name.to_owned(),
            about: about.cloned(),
            avatar: None,
        };
        out.push(ArchivedArticle {
            id: Some(a.id),
            external_id: a.external_id.clone(),
            slug: a.slug.clone(),
            headline: a.headline.clone(),
            dek: a.dek.clone(),
            dateline: a.dateline.clone(),
            status: status_name(a.status).to_owned(),
            published_at: a.published_at,
            created_at: Some(a.created_at),
            updated_at: Some(a.updated_at),
            body_blocks: blocks,
            section: links
                .and_then(|l| l.section.as_ref())
                .map(|s| term(&s.slug, &s.name, s.description.as_ref())),
            tags: links
                .map(|l| l.tags.iter().map(|t| term(&t.slug, &t.name, None)).collect())
                .unwrap_or_default(),
            authors: links
                .map(|l| {
                    l.authors
                        .iter()
                        .map(|x| ArchivedTerm {
                            avatar: x.avatar_id.and_then(|m| rel.media.get(&m)).map(media),
                            ..term(&x.slug, &x.name, x.bio.as_ref())
                        })
                        .collect()
                })
                .unwrap_or_default(),
            hero_image: a.hero_image_id.and_then(|m| rel.media.get(&m)).map(media),
            audio: a.audio_url.as_ref().map(|url| ArchivedAudio {
                url: url.clone(),
                duration_seconds: a.audio_duration_seconds,
                mime_type: a.audio_mime_type.clone(),
            }),
            seo: ArchivedSeo {
                title: a.seo_title.clone(),
                description: a.seo_description.clone(),
                canonical_url: a.canonical_url.clone(),
            },
            comments_status: comments_name(a.comments_status).to_owned(),
            corrections: rel
                .corrections
                .get(&a.id)
                .map(|cs| {
                    cs.iter()
                        .map(|c| ArchivedCorrection { text: c.text.clone(), published_at: c.published_at })
                        .collect()
                })
                .unwrap_or_default(),
            related: curated
                .get(&a.id)
                .map(|rs| {
                    rs.iter()
                        .map(|r| match external.get(r).cloned().flatten() {
                            Some(e) => ArchivedRef { id: None, external_id: Some(e) },
                            None => ArchivedRef { id: Some(*r), external_id: None },
                        })
                        .collect()
                })
                .unwrap_or_default(),
        });
    }
    Ok(out)
}

const PAGE: u64 = 200;

/// Every story (drafts included) as archive lines, in id order, a page at
/// a time: memory stays flat whatever the archive's size. Needs `sync:read`
/// and, since drafts are in it, `content:read-drafts`.
pub fn export<C: ConnectionTrait + Clone + Send + 'static>(
    db: C,
    actor: &Actor,
) -> AppResult<impl Stream<Item = AppResult<String>> + Send + 'static> {
    policy::require(actor, Scope::SyncRead)?;
    policy::require(actor, Scope::ContentReadDrafts)?;
    Ok(async_stream::try_stream! {
        // The export's own: its terms are read once, on first sight.
        let catalog = Catalog::default();
        let mut after: Option<Uuid> = None;
        loop {
            let mut q = article::Entity::find();
            if let Some(a) = after {
                q = q.filter(article::Column::Id.gt(a));
            }
            let page = q.order_by_asc(article::Column::Id).limit(PAGE).all(&db).await?;
            let Some(last) = page.last() else { break };
            after = Some(last.id);
            for r in records(&db, &catalog, &page).await? {
                let mut line = serde_json::to_string(&r).map_err(AppError::internal)?;
                line.push('\n');
                yield line;
            }
            if (page.len() as u64) < PAGE {
                break;
            }
        }
    })
}
