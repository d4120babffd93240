//! Bylines, tags and section of many stories in one statement: the three
//! are alike (id, slug, name, an optional text), so one union carries them.

use super::{Author, Section, Tag};
use crate::domain::sql::Params;
use crate::error::AppResult;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult};
use std::collections::HashMap;
use uuid::Uuid;

/// What one story links to, in the editor's order.
#[derive(Debug, Clone, Default)]
pub struct Links {
    pub authors: Vec<Author>,
    pub tags: Vec<Tag>,
    pub section: Option<Section>,
}

/// Which links a caller wants; a list that shows only bylines reads no tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct LinkKinds {
    pub authors: bool,
    pub tags: bool,
    pub section: bool,
}

impl LinkKinds {
    pub const ALL: Self = Self { authors: true, tags: true, section: true };
    pub const AUTHORS: Self = Self { authors: true, tags: false, section: false };
    pub const TAGS: Self = Self { authors: false, tags: true, section: false };
    pub const SECTION: Self = Self { authors: false, tags: false, section: true };

    pub fn union(self, other: Self) -> Self {
        Self {
            authors: self.authors || other.authors,
            tags: self.tags || other.tags,
            section: self.section || other.section,
        }
    }
}

#[derive(FromQueryResult)]
struct LinkRow {
    article_id: Uuid,
    kind: String,
    position: i32,
    id: Uuid,
    slug: String,
    name: String,
    note: Option<String>,
    ref_id: Option<Uuid>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// Links of the given kinds per story id; stories linking to nothing are
/// absent. One statement whatever the kinds.
pub async fn by_article(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
    kinds: LinkKinds,
) -> AppResult<HashMap<Uuid, Links>> {
    let mut out: HashMap<Uuid, Links> = HashMap::new();
    if ids.is_empty() || kinds == LinkKinds::default() {
        return Ok(out);
    }
    let mut p = Params::new(db.get_database_backend());
    let mut parts = Vec::new();
    if kinds.authors {
        parts.push(format!(
            "SELECT l.article_id AS article_id, 'A' AS kind, l.position AS position, x.id AS id,
                    x.slug AS slug, x.name AS name, x.bio AS note, x.avatar_id AS ref_id,
                    x.created_at AS created_at, x.updated_at AS updated_at
             FROM article_author l JOIN author x ON x.id = l.author_id WHERE l.article_id IN ({})",
            p.list(ids)
        ));
    }
    if kinds.tags {
        parts.push(format!(
            "SELECT l.article_id AS article_id, 'T' AS kind, l.position AS position, x.id AS id,
                    x.slug AS slug, x.name AS name, NULL AS note, NULL AS ref_id,
                    x.created_at AS created_at, x.updated_at AS updated_at
             FROM article_tag l JOIN tag x ON x.id = l.tag_id WHERE l.article_id IN ({})",
            p.list(ids)
        ));
    }
    if kinds.section {
        parts.push(format!(
            "SELECT a.id AS article_id, 'S' AS kind, 0 AS position, x.id AS id, x.slug AS slug,
                    x.name AS name, x.description AS note, NULL AS ref_id,
                    x.created_at AS created_at, x.updated_at AS updated_at
             FROM article a JOIN section x ON x.id = a.section_id WHERE a.id IN ({})",
            p.list(ids)
        ));
    }
    // Ordered here rather than in SQL: an ORDER BY over the union makes
    // SQLite sort each part in a temporary b-tree.
    let mut rows = LinkRow::find_by_statement(p.statement(parts.join(" UNION ALL "))).all(db).await?;
    rows.sort_unstable_by_key(|r| r.position);
    for r in rows {
        let links = out.entry(r.article_id).or_default();
        match r.kind.as_str() {
            "A" => links.authors.push(Author {
                id: r.id,
                slug: r.slug,
                name: r.name,
                bio: r.note,
                avatar_id: r.ref_id,
                created_at: r.created_at,
                updated_at: r.updated_at,
            }),
            "T" => links.tags.push(Tag {
                id: r.id,
                slug: r.slug,
                name: r.name,
                created_at: r.created_at,
                updated_at: r.updated_at,
            }),
            _ => {
                links.section = Some(Section {
                    id: r.id,
                    slug: r.slug,
                    name: r.name,
                    description: r.note,
                    created_at: r.created_at,
                    updated_at: r.updated_at,
                })
            }
        }
    }
    Ok(out)
}
