//! Creating and changing articles. Each call is one transaction: the row,
//! its bylines and tags, and the change-feed entry commit together or not
//! at all. Every write bumps `version`; a stale expected version changes
//! nothing and is a CONFLICT.

use super::input::{self, ArticleChanges, AudioInput};
use super::rows::{Row, bump, check_version, find_any, find_external_for_update, find_for_update};
use super::{Article, CommentsStatus, StoredStatus};
use crate::domain::accounts::{Actor, policy};
use crate::domain::journal::{self, Action, Change};
use crate::domain::text::{self, Lines};
use crate::domain::{body, related, slug, sql, tx};
use crate::error::{AppError, AppResult, Validator};
use chrono::{DateTime, Utc};
use entity::{article, article_author, article_body, article_tag, author, media, section, tag};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

/// Everything a writer controls, as stored. Two equal states mean a write
/// would change nothing, so a retried write is a no-op.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Editable {
    slug: String,
    external_id: Option<String>,
    headline: String,
    dek: Option<String>,
    dateline: Option<String>,
    body_blocks: String,
    section_id: Option<Uuid>,
    tag_ids: Vec<Uuid>,
    author_ids: Vec<Uuid>,
    hero_image_id: Option<Uuid>,
    audio: Option<AudioInput>,
    seo_title: Option<String>,
    seo_description: Option<String>,
    canonical_url: Option<String>,
    comments_status: CommentsStatus,
}

impl Editable {
    fn empty() -> Self {
        Self {
            slug: String::new(),
            external_id: None,
            headline: String::new(),
            dek: None,
            dateline: None,
            body_blocks: "[]".into(),
            section_id: None,
            tag_ids: Vec::new(),
            author_ids: Vec::new(),
            hero_image_id: None,
            audio: None,
            seo_title: None,
            seo_description: None,
            canonical_url: None,
            comments_status: CommentsStatus::Open,
        }
    }

    async fn of(db: &impl ConnectionTrait, a: &Row) -> AppResult<Self> {
        let tag_ids = article_tag::Entity::find()
            .filter(article_tag::Column::ArticleId.eq(a.id))
            .order_by_asc(article_tag::Column::Position)
            .all(db)
            .await?
            .into_iter()
            .map(|t| t.tag_id)
            .collect();
        let author_ids = article_author::Entity::find()
            .filter(article_author::Column::ArticleId.eq(a.id))
            .order_by_asc(article_author::Column::Position)
            .all(db)
            .await?
            .into_iter()
            .map(|t| t.author_id)
            .collect();
        let body_blocks: Vec<String> = article_body::Entity::find_by_id(a.id)
            .select_only()
            .column(article_body::Column::BodyBlocks)
            .into_tuple()
            .all(db)
            .await?;
        Ok(Self {
            slug: a.slug.clone(),
            external_id: a.external_id.clone(),
            headline: a.headline.clone(),
            dek: a.dek.clone(),
            dateline: a.dateline.clone(),
            body_blocks: body_blocks.into_iter().next().unwrap_or_else(|| "[]".into()),
            section_id: a.section_id,
            tag_ids,
            author_ids,
            hero_image_id: a.hero_image_id,
            audio: a.audio_url.clone().map(|url| AudioInput {
                url,
                duration_seconds: a.audio_duration_seconds,
                mime_type: a.audio_mime_type.clone(),
            }),
            seo_title: a.seo_title.clone(),
            seo_description: a.seo_description.clone(),
            canonical_url: a.canonical_url.clone(),
            comments_status: a.comments_status,
        })
    }

    /// Applies changes; the body is re-rendered only when it was sent.
    fn apply(mut self, c: ArticleChanges) -> AppResult<(Self, Option<body::RenderedBody>)> {
        if let Some(v) = c.slug {
            self.slug = v;
        }
        if let Some(v) = c.external_id {
            self.external_id = text::trimmed(v);
        }
        if let Some(v) = c.headline {
            self.headline = v.trim().to_owned();
        }
        if let Some(v) = c.dek {
            self.dek = text::trimmed(v);
        }
        if let Some(v) = c.dateline {
            self.dateline = text::trimmed(v);
        }
        let rendered = match c.body {
            Some(b) => {
                let r = body::render(&b.blocks())?;
                self.body_blocks = r.blocks_json.clone();
                Some(r)
            }
            None => None,
        };
        if let Some(v) = c.section_id {
            self.section_id = v;
        }
        if let Some(v) = c.tag_ids {
            self.tag_ids = v;
        }
        if let Some(v) = c.author_ids {
            self.author_ids = v;
        }
        if let Some(v) = c.hero_image_id {
            self.hero_image_id = v;
        }
        if let Some(v) = c.audio {
            self.audio = v;
        }
        if let Some(v) = c.seo_title {
            self.seo_title = text::trimmed(v);
        }
        if let Some(v) = c.seo_description {
            self.seo_description = text::trimmed(v);
        }
        if let Some(v) = c.canonical_url {
            self.canonical_url = text::trimmed(v);
        }
        if let Some(v) = c.comments_status {
            self.comments_status = v;
        }
        Ok((self, rendered))
    }

    /// Whether related lists could rank this story differently after the
    /// change: they read its tags and section (and its status and date,
    /// which other writes change). A new headline or body changes no list,
    /// and marking the lists around the story costs each save a ranking
    /// of up to a hundred of them.
    fn ranks_differently(&self, before: &Self) -> bool {
        self.tag_ids != before.tag_ids || self.section_id != before.section_id
    }

    /// Checks against the database: unique slug and external id, and that
    /// every referenced row exists.
    async fn check_refs(
        &self,
        db: &impl ConnectionTrait,
        own_id: Option<Uuid>,
        v: &mut Validator,
    ) -> AppResult<()> {
        let others = |col: article::Column, value: String| {
            let mut q = article::Entity::find().filter(col.eq(value));
            if let Some(id) = own_id {
                q = q.filter(article::Column::Id.ne(id));
            }
            q
        };
        // Only well-formed values are looked up (PostgreSQL refuses NUL);
        // malformed ones are already reported by the shape checks.
        if slug::is_valid(&self.slug) && others(article::Column::Slug, self.slug.clone()).count(db).await? > 0
        {
            v.refuse("slug", "is already used by another article");
        }
        if let Some(e) = &self.external_id
            && text::is_clean(e, Lines::Single)
            && others(article::Column::ExternalId, e.clone()).count(db).await? > 0
        {
            v.refuse("externalId", "is already used by another article");
        }
        if let Some(id) = self.section_id
            && section::Entity::find_by_id(id).count(db).await? == 0
        {
            v.refuse("sectionId", "no such section");
        }
        if let Some(id) = self.hero_image_id
            && media::Entity::find_by_id(id).count(db).await? == 0
        {
            v.refuse("heroImageId", "no such media");
        }
        let known = sql::existing::<tag::Entity>(db, tag::Column::Id, &self.tag_ids).await?;
        for (i, id) in self.tag_ids.iter().enumerate() {
            if !known.contains(id) {
                v.refuse(format!("tagIds[{i}]"), "no such tag");
            }
        }
        let known = sql::existing::<author::Entity>(db, author::Column::Id, &self.author_ids).await?;
        for (i, id) in self.author_ids.iter().enumerate() {
            if !known.contains(id) {
                v.refuse(format!("authorIds[{i}]"), "no such author");
            }
        }
        Ok(())
    }

    fn write_to(&self, row: &mut article::ActiveModel, rendered: Option<&body::RenderedBody>) {
        row.slug = Set(self.slug.clone());
        row.external_id = Set(self.external_id.clone());
        row.headline = Set(self.headline.clone());
        row.dek = Set(self.dek.clone());
        row.dateline = Set(self.dateline.clone());
        if let Some(r) = rendered {
            row.word_count = Set(r.word_count);
        }
        row.section_id = Set(self.section_id);
        row.hero_image_id = Set(self.hero_image_id);
        row.audio_url = Set(self.audio.as_ref().map(|a| a.url.clone()));
        row.audio_duration_seconds = Set(self.audio.as_ref().and_then(|a| a.duration_seconds));
        row.audio_mime_type = Set(self.audio.as_ref().and_then(|a| a.mime_type.clone()));
        row.seo_title = Set(self.seo_title.clone());
        row.seo_description = Set(self.seo_description.clone());
        row.canonical_url = Set(self.canonical_url.clone());
        row.comments_status = Set(self.comments_status);
    }

    /// Every row of a new story: the story, its body, its bylines and tags.
    /// `create` writes them for one story, `import_many` for many at once.
    fn new_rows(
        &self,
        id: Uuid,
        rendered: &body::RenderedBody,
        published_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> NewRows {
        let status = if published_at.is_some() { StoredStatus::Published } else { StoredStatus::Draft };
        let mut story = article::ActiveModel {
            id: Set(id),
            status: Set(status),
            published_at: Set(published_at),
            feed_public: Set(published_at.is_some_and(|p| p <= now)),
            comment_count: Set(0),
            version: Set(1),
            // A story brought in with its date was created no later than that.
            created_at: Set(published_at.map_or(now, |p| p.min(now))),
            updated_at: Set(now),
            ..Default::default()
        };
        self.write_to(&mut story, Some(rendered));
        let body = article_body::ActiveModel {
            article_id: Set(id),
            headline: Set(self.headline.clone()),
            dek: Set(self.dek.clone()),
            body_blocks: Set(rendered.blocks_json.clone()),
            body_html: Set(rendered.html.clone()),
            body_text: Set(rendered.text.clone()),
        };
        NewRows { story, body, authors: self.author_rows(id), tags: self.tag_rows(id) }
    }

    fn author_rows(&self, id: Uuid) -> Vec<article_author::ActiveModel> {
        let row = |(i, a): (usize, &Uuid)| article_author::ActiveModel {
            article_id: Set(id),
            author_id: Set(*a),
            position: Set(sql::position(i)),
        };
        self.author_ids.iter().enumerate().map(row).collect()
    }

    fn tag_rows(&self, id: Uuid) -> Vec<article_tag::ActiveModel> {
        let row = |(i, t): (usize, &Uuid)| article_tag::ActiveModel {
            article_id: Set(id),
            tag_id: Set(*t),
            position: Set(sql::position(i)),
        };
        self.tag_ids.iter().enumerate().map(row).collect()
    }

    /// Updates the body row: the body when it was sent, and always the
    /// headline and dek it repeats for search.
    async fn write_body(
        &self,
        db: &impl ConnectionTrait,
        id: Uuid,
        rendered: Option<&body::RenderedBody>,
    ) -> AppResult<()> {
        let mut row = article_body::ActiveModel {
            headline: Set(self.headline.clone()),
            dek: Set(self.dek.clone()),
            ..Default::default()
        };
        if let Some(r) = rendered {
            row.body_blocks = Set(r.blocks_json.clone());
            row.body_html = Set(r.html.clone());
            row.body_text = Set(r.text.clone());
        }
        article_body::Entity::update_many()
            .set(row)
            .filter(article_body::Column::ArticleId.eq(id))
            .exec(db)
            .await?;
        Ok(())
    }

    async fn write_links(&self, db: &impl ConnectionTrait, id: Uuid) -> AppResult<()> {
        article_tag::Entity::delete_many().filter(article_tag::Column::ArticleId.eq(id)).exec(db).await?;
        article_author::Entity::delete_many()
            .filter(article_author::Column::ArticleId.eq(id))
            .exec(db)
            .await?;
        insert_rows(db, self.tag_rows(id), self.author_rows(id)).await
    }
}

/// The rows of new stories, built once by [`Editable::new_rows`].
struct NewRows {
    story: article::ActiveModel,
    body: article_body::ActiveModel,
    authors: Vec<article_author::ActiveModel>,
    tags: Vec<article_tag::ActiveModel>,
}

async fn insert_rows(
    db: &impl ConnectionTrait,
    tags: Vec<article_tag::ActiveModel>,
    authors: Vec<article_author::ActiveModel>,
) -> AppResult<()> {
    // Link rows are small; bounded batches stay under every backend's
    // limit on bound parameters.
    for c in tags.chunks(500) {
        article_tag::Entity::insert_many(c.to_vec()).exec_without_returning(db).await?;
    }
    for c in authors.chunks(500) {
        article_author::Entity::insert_many(c.to_vec()).exec_without_returning(db).await?;
    }
    Ok(())
}

/// Creates a draft.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn create<C: tx::Db>(
    db: &C,
    actor: &Actor,
    changes: ArticleChanges,
    now: DateTime<Utc>,
) -> AppResult<Article> {
    policy::can_write_content(actor)?;
    let mut v = Validator::new();
    v.check(changes.slug.is_some(), "slug", "is required");
    v.check(changes.headline.is_some(), "headline", "is required");
    changes.check_shape(&mut v);
    let (state, rendered) = Editable::empty().apply(changes)?;
    let rendered = match rendered {
        Some(r) => r,
        None => body::render(&[])?,
    };
    tx::unit!(db, |txn| {
        let mut v = v.clone();
        state.check_refs(txn, None, &mut v).await?;
        v.finish()?;
        let id = Uuid::now_v7();
        let rows = state.new_rows(id, &rendered, None, now);
        article::Entity::insert(rows.story).exec_without_returning(txn).await?;
        article_body::Entity::insert(rows.body).exec_without_returning(txn).await?;
        insert_rows(txn, rows.tags, rows.authors).await?;
        related::refresh::mark(txn, &[id], now).await?;
        let saved = find_any(txn, id).await?;
        journal::record(txn, Change::article(false, &saved, Action::Created), now).await?;
        Ok(saved)
    })
}

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
            }
        })
        .collect();
    journal::record_many(db, &changes, now).await
}

/// Applies changes to an existing article. With `expected_version`, a
/// concurrent write in between makes this a CONFLICT that changes nothing.
#[tracing::instrument(level = "debug", skip_all, fields(%id))]
pub async fn update<C: tx::Db>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    changes: ArticleChanges,
    now: DateTime<Utc>,
) -> AppResult<Article> {
    policy::can_write_content(actor)?;
    let mut v = Validator::new();
    changes.check_shape(&mut v);
    tx::unit!(db, |txn| {
        let mut v = v.clone();
        let current = find_for_update(txn, id).await?;
        let before = Editable::of(txn, &current).await?;
        let (after, rendered) = before.clone().apply(changes.clone())?;
        after.check_refs(txn, Some(id), &mut v).await?;
        // A malformed request is 400 whatever its If-Match (RFC 9110, 13.2.1).
        // A stale one is 412 before what is stored refuses it (422): the writer
        // must fetch again first, and the refusal may not hold after that.
        if !v.is_malformed() {
            check_version(&current, expected_version)?;
        }
        v.finish()?;
        if after == before {
            // Nothing to change: a retried write leaves version and feed alone.
            return Ok(current);
        }
        let mut row = article::ActiveModel { updated_at: Set(now), ..Default::default() };
        after.write_to(&mut row, rendered.as_ref());
        bump(txn, &current, row).await?;
        if rendered.is_some() || after.headline != before.headline || after.dek != before.dek {
            after.write_body(txn, id, rendered.as_ref()).await?;
        }
        if after.tag_ids != before.tag_ids || after.author_ids != before.author_ids {
            after.write_links(txn, id).await?;
        }
        if after.ranks_differently(&before) {
            related::refresh::mark_around(txn, id, now).await?;
        }
        let saved = find_any(txn, id).await?;
        journal::record(txn, Change::article(current.feed_public, &saved, Action::Updated), now).await?;
        Ok(saved)
    })
}

/// Create-or-replace keyed by the integrator's own id: repeating the same
/// request changes nothing the second time.
#[tracing::instrument(level = "debug", skip_all, fields(external_id = %external_id))]
pub async fn upsert_by_external_id<C: tx::Db>(
    db: &C,
    actor: &Actor,
    external_id: &str,
    expected_version: Option<i32>,
    changes: ArticleChanges,
    now: DateTime<Utc>,
) -> AppResult<(Article, bool)> {
    policy::can_write_content(actor)?;
    // Checked before it is looked up: PostgreSQL refuses NUL in a query.
    let mut v = Validator::new();
    input::check_external_id(&mut v, "externalId", external_id);
    v.finish()?;
    let changes =
        ArticleChanges { external_id: Some(Some(external_id.to_owned())), ..changes }.into_replacement();
    tx::unit!(db, |txn| {
        let result = match find_external_for_update(txn, external_id).await? {
            Some(a) => (update(txn, actor, a.id, expected_version, changes.clone(), now).await?, false),
            None => {
                // Only a new story needs these; an existing one keeps its own.
                // Whether one exists depends on what is stored, hence `refuse`.
                let mut v = Validator::new();
                changes.check_shape(&mut v);
                if changes.slug.is_none() {
                    v.refuse("slug", "is required to create an article");
                }
                if changes.headline.is_none() {
                    v.refuse("headline", "is required to create an article");
                }
                v.finish()?;
                match create(txn, actor, changes.clone(), now).await {
                    Ok(a) => (a, true),
                    // The same upsert, sent concurrently, may have created the row
                    // first (the slug or external id then clashes). Its row is now
                    // visible, and this request becomes an update of it. Only that
                    // clash (a field error) is recovered here; anything else, a lost
                    // deadlock above all, has rolled back the whole transaction
                    // (MariaDB drops the savepoints too) and goes up to be retried
                    // whole.
                    Err(err @ (AppError::BadInput(_) | AppError::Unprocessable(_))) => {
                        match find_external_for_update(txn, external_id).await? {
                            Some(a) => (
                                update(txn, actor, a.id, expected_version, changes.clone(), now).await?,
                                false,
                            ),
                            None => return Err(err),
                        }
                    }
                    Err(err) => return Err(err),
                }
            }
        };
        Ok(result)
    })
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
        v.check(!t.trim().is_empty(), &path, "must not be blank");
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
