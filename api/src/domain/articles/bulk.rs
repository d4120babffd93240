//! Writing many stories at once: a whole archive of new stories in a few
//! statements per batch (`import_many`), and a story restored from an
//! archive with its own id and dates (`restore`), in the caller's
//! transaction.

use super::editable::{Editable, insert_rows};
use super::input::ArticleChanges;
use super::rows::{Row, bump, find_any};
use super::{Article, StoredStatus};
use crate::domain::accounts::{Actor, policy};
use crate::domain::journal::{self, Action, Change};
use crate::domain::text::{self, Lines};
use crate::domain::{body, related, tx};
use crate::error::{AppResult, Validator};
use chrono::{DateTime, Utc};
use entity::{article, article_body};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use uuid::Uuid;

/// A story brought in whole, with its own id and publish date (none for a
/// draft).
pub struct Imported {
    pub id: Uuid,
    pub changes: ArticleChanges,
    pub published_at: Option<DateTime<Utc>>,
}

/// Writes many new stories at once, a few statements per batch rather than
/// per story: the path for whole archives (Dateline's own benchmark
/// archive). Rows are built exactly as `create` builds them, after the same
/// checks on their shape; references are the caller's to get right, and
/// the caller marks related lists as it sees fit. The change feed gets one
/// entry per story, PUBLISHED for those already public.
pub async fn import_many(
    db: &impl ConnectionTrait,
    actor: &Actor,
    stories: Vec<Imported>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    policy::can_write_content(actor)?;
    let (mut heads, mut bodies, mut tags, mut authors) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut feed = Vec::with_capacity(stories.len());
    for s in stories {
        let mut v = Validator::new();
        v.check(s.changes.slug.is_some(), "slug", "is required");
        v.check(s.changes.headline.is_some(), "headline", "is required");
        s.changes.check_shape(&mut v);
        v.finish()?;
        let (state, rendered) = Editable::empty().apply(s.changes)?;
        let rendered = match rendered {
            Some(r) => r,
            None => body::render(&[])?,
        };
        let rows = state.new_rows(s.id, &rendered, s.published_at, now);
        feed.push((s.id, state.slug.clone(), state.external_id.clone(), s.published_at));
        heads.push(rows.story);
        bodies.push(rows.body);
        tags.extend(rows.tags);
        authors.extend(rows.authors);
    }
    for c in heads.chunks(200) {
        article::Entity::insert_many(c.to_vec()).exec_without_returning(db).await?;
    }
    // Bodies are large: a few per statement keeps each under any server's
    // packet limit.
    for c in bodies.chunks(50) {
        article_body::Entity::insert_many(c.to_vec()).exec_without_returning(db).await?;
    }
    insert_rows(db, tags, authors).await?;
    let changes: Vec<Change> = feed
        .iter()
        .map(|(id, slug, external_id, published_at)| {
            let public = published_at.is_some_and(|p| p <= now);
            let action = match published_at {
                Some(_) if public => Action::Published,
                Some(_) => Action::Scheduled,
                None => Action::Created,
            };
            Change {
                entity: journal::Entity::Article,
                id: *id,
                action,
                feed: public.then_some(journal::FeedEvent::Published),
                version: Some(1),
                slug: Some(slug),
                external_id: external_id.as_deref(),
                story: None,
                before: None,
            }
        })
        .collect();
    journal::record_many(db, &changes, now).await
}

/// A story as an archive holds it: its own id, state and dates, and every
/// field (what is not given is cleared).
#[derive(Clone)]
pub struct Restore {
    pub id: Uuid,
    pub changes: ArticleChanges,
    pub status: StoredStatus,
    pub published_at: Option<DateTime<Utc>>,
    /// None: the stored story's, or for a new one its publish time (never
    /// later than now), else now.
    pub created_at: Option<DateTime<Utc>>,
    /// None: the stored story's while nothing changes, now when something
    /// does; for a new one its creation time.
    pub updated_at: Option<DateTime<Utc>>,
    pub corrections: Vec<(String, DateTime<Utc>)>,
}

pub enum Restored {
    Created(Article),
    Updated {
        saved: Article,
        was_public: bool,
    },
    /// The story already was exactly this: nothing written, version kept.
    Unchanged(Article),
    /// A story with its id, external id or slug was created by another
    /// writer meanwhile; nothing was written, and a second look finds it.
    Raced,
}

/// Creates the story, or replaces `existing` with it in place, keeping the
/// archive's dates rather than now. Runs in the caller's transaction and
/// records nothing in the change feed: an import records a whole batch at
/// its end (see `journal::record_many`), so it takes the feed's turn once.
pub async fn restore(
    db: &impl tx::Db,
    actor: &Actor,
    r: Restore,
    existing: Option<Row>,
    now: DateTime<Utc>,
) -> AppResult<Restored> {
    policy::can_write_content(actor)?;
    let mut v = Validator::new();
    let changes = r.changes.into_replacement();
    changes.check_shape(&mut v);
    v.check(changes.slug.is_some(), "slug", "is required");
    v.check(changes.headline.is_some(), "headline", "is required");
    v.check(
        r.status == StoredStatus::Draft || r.published_at.is_some(),
        "publishedAt",
        "is required for a published or archived story",
    );
    for (i, (t, _)) in r.corrections.iter().enumerate() {
        let path = format!("corrections[{i}].text");
        v.check(!text::is_blank(t), &path, "must not be blank");
        v.check(t.chars().count() <= super::corrections::MAX_TEXT, &path, "must be at most 2000 characters");
        text::check(&mut v, &path, t, Lines::Multi);
    }
    let (after, rendered) = Editable::empty().apply(changes)?;
    let rendered = match rendered {
        Some(r) => r,
        None => body::render(&[])?,
    };
    after.check_refs(db, existing.as_ref().map(|e| e.id).or(Some(r.id)), &mut v).await?;
    v.finish()?;
    let public = r.status == StoredStatus::Published && r.published_at.is_some_and(|p| p <= now);
    let corrections: Vec<(String, DateTime<Utc>)> =
        r.corrections.iter().map(|(t, at)| (t.trim().to_owned(), crate::clock::truncate(*at))).collect();
    match existing {
        Some(cur) => {
            let before = Editable::of(db, &cur).await?;
            let stored: Vec<(String, DateTime<Utc>)> = super::corrections::by_article(db, &[cur.id])
                .await?
                .remove(&cur.id)
                .unwrap_or_default()
                .into_iter()
                .map(|c| (c.text, c.published_at))
                .collect();
            let created_at = r.created_at.unwrap_or(cur.created_at);
            let same = before == after
                && cur.status == r.status
                && cur.published_at == r.published_at
                && cur.created_at == created_at
                && cur.updated_at == r.updated_at.unwrap_or(cur.updated_at)
                && stored == corrections;
            if same {
                return Ok(Restored::Unchanged(cur));
            }
            let mut row = article::ActiveModel::default();
            after.write_to(&mut row, Some(&rendered));
            row.status = Set(r.status);
            row.published_at = Set(r.published_at);
            row.created_at = Set(created_at);
            row.updated_at = Set(r.updated_at.unwrap_or(now));
            row.feed_public = Set(public);
            bump(db, &cur, row).await?;
            after.write_body(db, cur.id, Some(&rendered)).await?;
            after.write_links(db, cur.id).await?;
            if stored != corrections {
                super::corrections::replace(db, cur.id, &corrections, now).await?;
            }
            if after.ranks_differently(&before)
                || cur.status != r.status
                || cur.published_at != r.published_at
            {
                related::refresh::mark_around(db, cur.id, now).await?;
            }
            Ok(Restored::Updated { saved: find_any(db, cur.id).await?, was_public: cur.feed_public })
        }
        None => {
            let mut rows = after.new_rows(r.id, &rendered, r.published_at, now);
            let created_at = r.created_at.or(r.published_at.map(|p| p.min(now))).unwrap_or(now);
            rows.story.status = Set(r.status);
            rows.story.created_at = Set(created_at);
            rows.story.updated_at = Set(r.updated_at.unwrap_or(created_at));
            rows.story.feed_public = Set(public);
            // Another writer may have created this very story since it was
            // looked up (two imports of one archive): the caller looks again.
            if !tx::insert_unless_present(db, rows.story).await? {
                return Ok(Restored::Raced);
            }
            article_body::Entity::insert(rows.body).exec_without_returning(db).await?;
            insert_rows(db, rows.tags, rows.authors).await?;
            if !corrections.is_empty() {
                super::corrections::replace(db, r.id, &corrections, now).await?;
            }
            related::refresh::mark(db, &[r.id], now).await?;
            Ok(Restored::Created(find_any(db, r.id).await?))
        }
    }
}
