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

#[derive(FromQueryResult)]
struct LinkRow {
    article_id: Uuid,
    kind: String,
    id: Uuid,
    slug: String,
    name: String,
    note: Option<String>,
    ref_id: Option<Uuid>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// Links per story id; stories linking to nothing are absent.
pub async fn by_article(db: &impl ConnectionTrait, ids: &[Uuid]) -> AppResult<HashMap<Uuid, Links>> {
    let mut out: HashMap<Uuid, Links> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let mut p = Params::new(db.get_database_backend());
    let (authors, tags, sections) = (p.list(ids), p.list(ids), p.list(ids));
    let sql = format!(
        "SELECT l.article_id AS article_id, 'A' AS kind, l.position AS position, x.id AS id, x.slug AS slug,
                x.name AS name, x.bio AS note, x.avatar_id AS ref_id, x.created_at AS created_at,
                x.updated_at AS updated_at
         FROM article_author l JOIN author x ON x.id = l.author_id WHERE l.article_id IN ({authors})
         UNION ALL
         SELECT l.article_id, 'T', l.position, x.id, x.slug, x.name, NULL, NULL, x.created_at, x.updated_at
         FROM article_tag l JOIN tag x ON x.id = l.tag_id WHERE l.article_id IN ({tags})
         UNION ALL
         SELECT a.id, 'S', 0, x.id, x.slug, x.name, x.description, NULL, x.created_at, x.updated_at
         FROM article a JOIN section x ON x.id = a.section_id WHERE a.id IN ({sections})
         ORDER BY article_id, kind, position"
    );
    for r in LinkRow::find_by_statement(p.statement(sql)).all(db).await? {
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
