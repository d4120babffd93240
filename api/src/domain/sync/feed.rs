//! Reading the change feed: entries after a cursor, in commit order, each
//! with the document as it stands now.
//!
//! Entries are folded: within a page only the last entry of each story
//! stays, and an entry whose story the reader can no longer see is left out
//! (a later tombstone in the feed says why). Documents are read after the
//! entries, so they may be newer than the entry; a consumer that upserts
//! documents and removes tombstones in order ends with exactly what the
//! reader may see.

use crate::domain::accounts::policy;
use crate::domain::accounts::{Actor, Scope};
use crate::domain::articles::Audience;
use crate::domain::articles::{self, Article, ArticleBody};
use crate::domain::journal::{self, Entity, FeedEvent, cursor};
use crate::domain::pagination;
use crate::domain::taxonomy::{self, Author, Section, Tag};
use crate::error::AppResult;
use chrono::{DateTime, Utc};
use entity::change_event;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

pub enum Document {
    Article(Box<(Article, ArticleBody)>),
    Section(Section),
    Tag(Tag),
    Author(Author),
}

pub struct Entry {
    pub seq: i64,
    pub entity: Entity,
    pub event: FeedEvent,
    pub id: Uuid,
    pub external_id: Option<String>,
    pub at: DateTime<Utc>,
    /// None on tombstones.
    pub document: Option<Document>,
}

impl Entry {
    pub fn cursor(&self) -> String {
        cursor::encode(self.seq)
    }
}

pub struct Page {
    pub entries: Vec<Entry>,
    /// Where the next read starts: after the last change this page looked
    /// at, folded or not.
    pub next_cursor: String,
    pub has_more: bool,
}

/// The changes after `after` (a cursor; None starts from the beginning).
/// Readers without `content:read-drafts` see only what the public saw.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn page(
    db: &impl ConnectionTrait,
    actor: &Actor,
    after: Option<&str>,
    limit: u64,
    now: DateTime<Utc>,
) -> AppResult<Page> {
    let f = folded(db, actor, after, limit).await?;
    let entries = documents(db, f.audience, now, f.entries).await?;
    Ok(Page { entries, next_cursor: f.next_cursor, has_more: f.has_more })
}

/// A page's entries before their documents are read, so that a long page
/// can be read and sent a part at a time.
pub struct Folded {
    pub entries: Vec<Pending>,
    pub next_cursor: String,
    pub has_more: bool,
    pub audience: Audience,
}

/// An entry whose document is still to be read.
pub struct Pending {
    row: change_event::Model,
    event: FeedEvent,
    tombstone: bool,
}

/// The entries of a page after `after`, folded, without their documents.
pub async fn folded(
    db: &impl ConnectionTrait,
    actor: &Actor,
    after: Option<&str>,
    limit: u64,
) -> AppResult<Folded> {
    policy::require(actor, Scope::SyncRead)?;
    let from = after.map(|c| cursor::decode(c, "cursor")).transpose()?.unwrap_or(0);
    let drafts = actor.has(Scope::ContentReadDrafts);
    let mut q = change_event::Entity::find().filter(change_event::Column::Seq.gt(from));
    if !drafts {
        q = q.filter(change_event::Column::FeedEvent.is_not_null());
    }
    let rows = q.order_by_asc(change_event::Column::Seq).limit(limit + 1).all(db).await?;
    let (rows, has_more) = pagination::one_more(rows, limit);
    let next = rows.last().map_or(from, |r| r.seq);

    // The last entry of each entity in the page stands for all of them.
    let mut seen = HashSet::new();
    let mut kept: Vec<Pending> = Vec::new();
    for r in rows.into_iter().rev() {
        if !seen.insert((r.entity_type, r.entity_id)) {
            continue;
        }
        let Some(event) = event_for(&r, drafts) else { continue };
        kept.push(Pending { row: r, event, tombstone: tombstone(event, drafts) });
    }
    kept.reverse();
    let audience = if drafts { Audience::Preview } else { Audience::Public };
    Ok(Folded { entries: kept, next_cursor: cursor::encode(next), has_more, audience })
}

/// The entries with their documents as they stand now; an entry whose
/// document is gone since, or out of the reader's sight, is left out (a
/// later entry says so).
pub async fn documents(
    db: &impl ConnectionTrait,
    audience: Audience,
    now: DateTime<Utc>,
    pending: Vec<Pending>,
) -> AppResult<Vec<Entry>> {
    let wanted = |e: Entity| -> Vec<Uuid> {
        pending.iter().filter(|p| p.row.entity_type == e && !p.tombstone).map(|p| p.row.entity_id).collect()
    };
    let article_ids = wanted(Entity::Article);
    let stories = articles::find_many(db, audience, now, &article_ids).await?;
    let mut bodies = articles::bodies(db, &article_ids).await?;
    let mut docs: HashMap<(Entity, Uuid), Document> = HashMap::new();
    for a in stories {
        if let Some(b) = bodies.remove(&a.id) {
            docs.insert((Entity::Article, a.id), Document::Article(Box::new((a, b))));
        }
    }
    for (id, s) in taxonomy::sections_by_id(db, &wanted(Entity::Section)).await? {
        docs.insert((Entity::Section, id), Document::Section(s));
    }
    for (id, t) in taxonomy::tags_by_id(db, &wanted(Entity::Tag)).await? {
        docs.insert((Entity::Tag, id), Document::Tag(t));
    }
    for (id, a) in taxonomy::authors_by_id(db, &wanted(Entity::Author)).await? {
        docs.insert((Entity::Author, id), Document::Author(a));
    }

    let mut entries = Vec::with_capacity(pending.len());
    for Pending { row: r, event, tombstone } in pending {
        let document = if tombstone {
            None
        } else {
            let Some(d) = docs.remove(&(r.entity_type, r.entity_id)) else { continue };
            Some(d)
        };
        entries.push(Entry {
            seq: r.seq,
            entity: r.entity_type,
            event,
            id: r.entity_id,
            external_id: r.external_id,
            at: r.occurred_at,
            document,
        });
    }
    Ok(entries)
}

/// The event a reader sees for a change. Drafts readers see every change;
/// one the public never saw is an UPDATE of a story they hold as a draft.
fn event_for(r: &change_event::Model, drafts: bool) -> Option<FeedEvent> {
    match r.feed_event {
        Some(e) => Some(e),
        None if !drafts => None,
        None if r.action == journal::Action::Deleted => Some(FeedEvent::Deleted),
        None => Some(FeedEvent::Updated),
    }
}

/// Drafts readers still hold an unpublished story, so only a deletion
/// removes it for them.
fn tombstone(event: FeedEvent, drafts: bool) -> bool {
    if drafts { event == FeedEvent::Deleted } else { event.is_tombstone() }
}
