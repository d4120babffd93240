//! Importing an archive: NDJSON lines, create-or-replace by `externalId`
//! (by `id` for a story without one), in batched transactions. A bad line
//! is rejected with its number and reason; the rest go in. Importing the
//! same file again changes nothing: a story already exactly as the line
//! says is left alone, version and all.

use super::archive::{self, ArchivedArticle, ArchivedRef};
use super::import_slots::{ImportSlot, ImportSlots};
use super::ndjson::{Line, Lines};
use crate::domain::accounts::{Actor, policy};
use crate::domain::articles::bulk::{self, Restore, Restored};
use crate::domain::articles::input::{ArticleChanges, AudioInput, BodyInput};
use crate::domain::articles::{Article, rows};
use crate::domain::journal::{self, Action, Change, Entity};
use crate::domain::media::{self, Media};
use crate::domain::related::curated;
use crate::domain::taxonomy::write::{check_ensure, ensure as ensure_term};
use crate::domain::{sql, tx};
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use entity::article;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

/// Lines per transaction.
pub const BATCH: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Created,
    Updated,
    Unchanged,
    Rejected,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LineReport {
    pub line: usize,
    pub outcome: Outcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Totals {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub rejected: usize,
}

impl Totals {
    fn count(&mut self, o: Outcome) {
        match o {
            Outcome::Created => self.created += 1,
            Outcome::Updated => self.updated += 1,
            Outcome::Unchanged => self.unchanged += 1,
            Outcome::Rejected => self.rejected += 1,
        }
    }
}

/// Problem lines a report lists; the totals count every line. A body of a
/// million bad lines gets the same small answer as one of a hundred.
pub const MAX_LISTED: usize = 100;

/// Lines that were rejected or went in with a problem, the first
/// [`MAX_LISTED`] by line number, and how many more there were.
#[derive(Debug, Clone, Default)]
pub struct Problems {
    listed: Vec<LineReport>,
    pub unlisted: usize,
}

impl Problems {
    fn push(&mut self, r: LineReport) {
        self.listed.push(r);
        // Trimmed now and then rather than on every push: memory stays
        // within twice the bound.
        if self.listed.len() >= 2 * MAX_LISTED {
            self.trim();
        }
    }

    fn trim(&mut self) {
        self.listed.sort_by_key(|r| r.line);
        if self.listed.len() > MAX_LISTED {
            self.unlisted += self.listed.len() - MAX_LISTED;
            self.listed.truncate(MAX_LISTED);
        }
    }

    /// The listed problems in line order.
    pub fn listed(mut self) -> (Vec<LineReport>, usize) {
        self.trim();
        (self.listed, self.unlisted)
    }
}

/// One import run: bytes are fed as they arrive ([`Importer::feed`]),
/// lines go in a batch at a time, then [`Importer::end`] links curated
/// related stories (a story may name one that comes later).
pub struct Importer {
    lines: Lines,
    waiting: Vec<(usize, String)>,
    actor: Actor,
    now: DateTime<Utc>,
    related: Vec<(usize, Uuid, Vec<ArchivedRef>)>,
    /// Sections, tags and authors met in committed batches, by slug.
    known: HashMap<(Entity, String), Uuid>,
    pub totals: Totals,
    pub problems: Problems,
    /// Held while the import runs, so only so many run at once.
    _slot: ImportSlot,
}

/// The terms of one batch: those met before, and those each line looks up
/// or creates. A line's lookups count once the line is in; a rejected
/// line's new terms rolled back with it and are forgotten.
struct Terms {
    known: HashMap<(Entity, String), Uuid>,
    line: Vec<(Entity, String, Uuid, bool)>,
    created: Vec<(Entity, Uuid, String)>,
}

impl Terms {
    fn get(&self, kind: Entity, slug: &str) -> Option<Uuid> {
        self.known
            .get(&(kind, slug.to_owned()))
            .copied()
            .or_else(|| self.line.iter().find(|(k, s, ..)| *k == kind && s == slug).map(|(_, _, id, _)| *id))
    }

    fn keep_line(&mut self) {
        for (kind, slug, id, new) in self.line.drain(..) {
            if new {
                self.created.push((kind, id, slug.clone()));
            }
            self.known.insert((kind, slug), id);
        }
    }
}

impl Importer {
    /// An import by `actor`, if it may import and one of `slots` is free.
    /// Credentials are judged before capacity: a caller who may not import
    /// learns that, not that imports are busy.
    pub fn new(actor: &Actor, now: DateTime<Utc>, slots: &ImportSlots) -> AppResult<Self> {
        policy::can_write_content(actor)?;
        let slot = slots.take()?;
        Ok(Self {
            lines: Lines::new(),
            waiting: Vec::with_capacity(BATCH),
            actor: actor.clone(),
            now,
            related: Vec::new(),
            known: HashMap::new(),
            totals: Totals::default(),
            problems: Problems::default(),
            _slot: slot,
        })
    }

    /// Reads the lines `chunk` completes, importing each full batch.
    pub async fn feed<C: tx::Db>(&mut self, db: &C, chunk: &[u8]) -> AppResult<()> {
        for line in self.lines.feed(chunk) {
            self.take(db, line).await?;
        }
        Ok(())
    }

    /// The input is over: imports what is left and links related stories.
    pub async fn end<C: tx::Db>(&mut self, db: &C) -> AppResult<()> {
        for line in self.lines.end() {
            self.take(db, line).await?;
        }
        let last = std::mem::take(&mut self.waiting);
        if !last.is_empty() {
            self.batch(db, &last).await?;
        }
        self.finish(db).await
    }

    /// Whether any byte was fed.
    pub fn read_anything(&self) -> bool {
        self.lines.seen_any()
    }

    async fn take<C: tx::Db>(&mut self, db: &C, line: Line) -> AppResult<()> {
        match line {
            Line::Text(n, text) => self.waiting.push((n, text)),
            Line::Refused(n, why) => {
                self.totals.count(Outcome::Rejected);
                self.problems.push(rejected(n, None, why.to_owned()));
            }
        }
        if self.waiting.len() >= BATCH {
            let full = std::mem::take(&mut self.waiting);
            self.batch(db, &full).await?;
        }
        Ok(())
    }

    /// Imports up to [`BATCH`] numbered lines in one transaction; a lost
    /// deadlock runs the batch again.
    async fn batch<C: tx::Db>(&mut self, db: &C, lines: &[(usize, String)]) -> AppResult<()> {
        let (reports, related, known) = self.run(db, lines).await?;
        self.related.extend(related);
        self.known = known;
        for r in reports {
            self.totals.count(r.outcome);
            if r.outcome == Outcome::Rejected || r.reason.is_some() {
                self.problems.push(r);
            }
        }
        Ok(())
    }

    async fn run<C: tx::Db>(
        &self,
        db: &C,
        lines: &[(usize, String)],
    ) -> AppResult<(Vec<LineReport>, Vec<(usize, Uuid, Vec<ArchivedRef>)>, HashMap<(Entity, String), Uuid>)>
    {
        tx::unit!(db, |txn| {
            let mut reports = Vec::with_capacity(lines.len());
            let mut related = Vec::new();
            let mut saved: Vec<(Article, bool, Action)> = Vec::new();
            let mut terms = Terms { known: self.known.clone(), line: Vec::new(), created: Vec::new() };
            for (n, text) in lines {
                let rec: ArchivedArticle = match serde_json::from_str(text) {
                    Ok(r) => r,
                    Err(e) => {
                        reports.push(rejected(*n, None, format!("not an archived story: {e}")));
                        continue;
                    }
                };
                let sp = tx::begin(txn).await?;
                match self.one(&sp, &rec, &mut terms).await {
                    Ok((outcome, article, was_public)) => {
                        sp.commit().await?;
                        terms.keep_line();
                        reports.push(LineReport {
                            line: *n,
                            outcome,
                            id: Some(article.id),
                            external_id: article.external_id.clone(),
                            reason: None,
                        });
                        related.push((*n, article.id, rec.related.clone()));
                        match outcome {
                            Outcome::Created => saved.push((article, false, Action::Created)),
                            Outcome::Updated => saved.push((article, was_public, Action::Updated)),
                            _ => {}
                        }
                    }
                    // Only the line's own faults are its rejection; anything
                    // else (a lost deadlock, a dropped connection) fails the
                    // batch, which is then run again whole or reported.
                    Err(e @ (AppError::BadInput(_) | AppError::Unprocessable(_) | AppError::NotFound(_))) => {
                        sp.rollback().await?;
                        terms.line.clear();
                        reports.push(rejected(*n, rec.external_id.clone(), reason(&e)));
                    }
                    Err(e) => return Err(e),
                }
            }
            let mut changes: Vec<Change> =
                terms.created.iter().map(|(kind, id, slug)| Change::term(*kind, *id, true, slug)).collect();
            changes.extend(saved.iter().map(|(a, was, action)| Change::article(*was, a, *action)));
            journal::record_many(txn, &changes, self.now).await?;
            Ok((reports, related, terms.known))
        })
    }

    async fn one(
        &self,
        db: &impl tx::Db,
        rec: &ArchivedArticle,
        terms: &mut Terms,
    ) -> AppResult<(Outcome, Article, bool)> {
        let existing = stored(db, rec).await?;
        let id = match (&existing, rec.id) {
            (Some(a), _) => a.id,
            (None, Some(id)) if article::Entity::find_by_id(id).one(db).await?.is_some() => {
                return Err(AppError::unprocessable("id", "belongs to a story with another externalId"));
            }
            (None, Some(id)) => id,
            (None, None) => Uuid::now_v7(),
        };
        let status = archive::parse_status(&rec.status)
            .ok_or_else(|| AppError::field("status", "must be DRAFT, PUBLISHED or ARCHIVED"))?;
        let comments = archive::parse_comments(&rec.comments_status)
            .ok_or_else(|| AppError::field("commentsStatus", "must be OPEN, CLOSED or DISABLED"))?;
        let section_id = match &rec.section {
            Some(t) => Some(self.term(db, Entity::Section, t, "section", terms).await?),
            None => None,
        };
        let mut tag_ids = Vec::new();
        for (i, t) in rec.tags.iter().enumerate() {
            tag_ids.push(self.term(db, Entity::Tag, t, &format!("tags[{i}]"), terms).await?);
        }
        let mut author_ids = Vec::new();
        for (i, t) in rec.authors.iter().enumerate() {
            author_ids.push(self.term(db, Entity::Author, t, &format!("authors[{i}]"), terms).await?);
        }
        let hero_image_id = match &rec.hero_image {
            Some(m) => Some(
                media::ensure(db, &media_row(m, self.now), self.now)
                    .await
                    .map_err(|e| e.under("heroImage."))?,
            ),
            None => None,
        };
        let changes = ArticleChanges {
            slug: Some(rec.slug.clone()),
            external_id: Some(rec.external_id.clone()),
            headline: Some(rec.headline.clone()),
            dek: Some(rec.dek.clone()),
            dateline: Some(rec.dateline.clone()),
            body: Some(BodyInput::Blocks(rec.body_blocks.clone())),
            section_id: Some(section_id),
            tag_ids: Some(tag_ids),
            author_ids: Some(author_ids),
            hero_image_id: Some(hero_image_id),
            audio: Some(rec.audio.as_ref().map(|a| AudioInput {
                url: a.url.clone(),
                duration_seconds: a.duration_seconds,
                mime_type: a.mime_type.clone(),
            })),
            seo_title: Some(rec.seo.title.clone()),
            seo_description: Some(rec.seo.description.clone()),
            canonical_url: Some(rec.seo.canonical_url.clone()),
            comments_status: Some(comments),
        };
        let at = |d: Option<DateTime<Utc>>| d.map(crate::clock::truncate);
        let restore = Restore {
            id,
            changes,
            status,
            published_at: at(rec.published_at),
            created_at: at(rec.created_at),
            updated_at: at(rec.updated_at),
            corrections: rec.corrections.iter().map(|c| (c.text.clone(), c.published_at)).collect(),
        };
        // Another import of the same archive may create the story after
        // the look-up: its insert then fails, or the unique checks before it
        // see the other import's story. Either way one more look finds the
        // story to update.
        let (mut existing, mut looked_again) = (existing, false);
        loop {
            let result = bulk::restore(db, &self.actor, restore.clone(), existing.clone(), self.now).await;
            let raced = matches!(result, Ok(Restored::Raced))
                || (existing.is_none() && matches!(result, Err(AppError::Unprocessable(_))));
            if raced && !looked_again {
                looked_again = true;
                existing = stored(db, rec).await?;
                continue;
            }
            return Ok(match result? {
                Restored::Created(a) => (Outcome::Created, a, false),
                Restored::Updated { saved, was_public } => (Outcome::Updated, saved, was_public),
                Restored::Unchanged(a) => (Outcome::Unchanged, a, false),
                Restored::Raced => return Err(AppError::Busy),
            });
        }
    }

    async fn term(
        &self,
        db: &impl tx::Db,
        kind: Entity,
        t: &archive::ArchivedTerm,
        path: &str,
        terms: &mut Terms,
    ) -> AppResult<Uuid> {
        let under = |e: AppError| e.under(&format!("{path}."));
        if let Some(id) = terms.get(kind, &t.slug) {
            check_ensure(kind, &t.slug, &t.name, t.about.as_deref(), t.avatar.is_some()).map_err(under)?;
            return Ok(id);
        }
        let avatar = t.avatar.as_ref().map(|m| media_row(m, self.now));
        let (id, new) =
            ensure_term(db, kind, &t.slug, &t.name, t.about.as_deref(), avatar.as_ref(), self.now)
                .await
                .map_err(under)?;
        terms.line.push((kind, t.slug.clone(), id, new));
        Ok(id)
    }

    /// Links curated related stories once every line is in. A reference to
    /// a story that is nowhere is reported with its line; the story itself
    /// stays imported.
    async fn finish<C: tx::Db>(&mut self, db: &C) -> AppResult<()> {
        let pending = std::mem::take(&mut self.related);
        for chunk in pending.chunks(BATCH) {
            for p in self.link(db, chunk).await? {
                self.problems.push(p);
            }
        }
        Ok(())
    }

    async fn link<C: tx::Db>(
        &self,
        db: &C,
        chunk: &[(usize, Uuid, Vec<ArchivedRef>)],
    ) -> AppResult<Vec<LineReport>> {
        tx::unit!(db, |txn| {
            let ids: Vec<Uuid> = chunk.iter().map(|(_, id, _)| *id).collect();
            let current = curated::curated_ids(txn, &ids).await?;
            let externals: Vec<String> =
                chunk.iter().flat_map(|(_, _, r)| r.iter().filter_map(|x| x.external_id.clone())).collect();
            let by_external: HashMap<String, Uuid> = if externals.is_empty() {
                HashMap::new()
            } else {
                article::Entity::find()
                    .filter(article::Column::ExternalId.is_in(externals))
                    .all(txn)
                    .await?
                    .into_iter()
                    .filter_map(|a| a.external_id.map(|e| (e, a.id)))
                    .collect()
            };
            let plain: Vec<Uuid> = chunk.iter().flat_map(|(_, _, r)| r.iter().filter_map(|x| x.id)).collect();
            let known =
                crate::domain::sql::existing::<article::Entity>(txn, article::Column::Id, &plain).await?;
            let mut problems = Vec::new();
            let mut changed = Vec::new();
            for (line, id, refs) in chunk {
                let mut want = Vec::new();
                let mut missing = Vec::new();
                for (i, r) in refs.iter().enumerate() {
                    let found = match (&r.external_id, r.id) {
                        (Some(e), _) => by_external.get(e).copied(),
                        (None, Some(x)) => known.contains(&x).then_some(x),
                        (None, None) => None,
                    };
                    match found {
                        Some(x) if x != *id && !want.contains(&x) && want.len() < curated::MAX_CURATED => {
                            want.push(x)
                        }
                        Some(_) => {}
                        None => missing.push(format!("related[{i}]")),
                    }
                }
                if !missing.is_empty() {
                    problems.push(LineReport {
                        line: *line,
                        outcome: Outcome::Updated,
                        id: Some(*id),
                        external_id: None,
                        reason: Some(format!(
                            "{}: no such story; the story went in without these links",
                            missing.join(", ")
                        )),
                    });
                }
                if current.get(id).cloned().unwrap_or_default() == want {
                    continue;
                }
                let story = rows::find_for_update(txn, *id).await?;
                curated::restore(txn, &story, &want, self.now).await?;
                changed.push(rows::find_any(txn, *id).await?);
            }
            let changes: Vec<Change> =
                changed.iter().map(|a| Change::article(a.feed_public, a, Action::RelatedChanged)).collect();
            journal::record_many(txn, &changes, self.now).await?;
            Ok(problems)
        })
    }
}

/// The stored story a line names: by `externalId`, else by `id` (locked,
/// so a locking read sees a story another import just committed).
async fn stored(db: &impl ConnectionTrait, rec: &ArchivedArticle) -> AppResult<Option<rows::Row>> {
    match (&rec.external_id, rec.id) {
        (Some(e), _) => rows::find_external_for_update(db, e).await,
        (None, Some(id)) => {
            Ok(sql::locked(article::Entity::find_by_id(id), db.get_database_backend()).one(db).await?)
        }
        (None, None) => Err(AppError::field("externalId", "an archived story needs an externalId or an id")),
    }
}

fn rejected(line: usize, external_id: Option<String>, reason: String) -> LineReport {
    LineReport { line, outcome: Outcome::Rejected, id: None, external_id, reason: Some(reason) }
}

fn reason(e: &AppError) -> String {
    let fields = e.fields();
    if fields.is_empty() {
        e.to_string()
    } else {
        fields.iter().map(|f| format!("{}: {}", f.path, f.message)).collect::<Vec<_>>().join("; ")
    }
}

fn media_row(m: &archive::ArchivedMedia, now: DateTime<Utc>) -> Media {
    Media {
        id: Uuid::nil(),
        url: m.url.clone(),
        alt_text: m.alt.clone(),
        caption: m.caption.clone(),
        width: m.width,
        height: m.height,
        mime_type: m.mime_type.clone(),
        credit_photographer: m.photographer.clone(),
        credit_agency: m.agency.clone(),
        credit_rights_holder: m.rights_holder.clone(),
        credit_license: m.license.clone(),
        credit_license_expires_at: m.license_expires_at.map(crate::clock::truncate),
        created_at: now,
        updated_at: now,
    }
}
