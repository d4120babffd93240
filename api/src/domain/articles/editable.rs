//! What a writer controls of a story, as stored (`Editable`): applying a
//! client's changes to it, checking them and the references they make, and
//! building the rows a write stores. Shared by the single writes (`write`)
//! and the bulk ones (`bulk`).

use super::input::{ArticleChanges, AudioInput};
use super::rows::Row;
use super::{CommentsStatus, StoredStatus};
use crate::domain::text::{self, Lines};
use crate::domain::{body, slug, sql};
use crate::error::{AppResult, Validator};
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
pub(super) struct Editable {
    pub(super) slug: String,
    pub(super) external_id: Option<String>,
    pub(super) headline: String,
    pub(super) dek: Option<String>,
    pub(super) dateline: Option<String>,
    pub(super) body_blocks: String,
    pub(super) section_id: Option<Uuid>,
    pub(super) tag_ids: Vec<Uuid>,
    pub(super) author_ids: Vec<Uuid>,
    pub(super) hero_image_id: Option<Uuid>,
    pub(super) audio: Option<AudioInput>,
    pub(super) seo_title: Option<String>,
    pub(super) seo_description: Option<String>,
    pub(super) canonical_url: Option<String>,
    pub(super) comments_status: CommentsStatus,
}

impl Editable {
    pub(super) fn empty() -> Self {
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

    pub(super) async fn of(db: &impl ConnectionTrait, a: &Row) -> AppResult<Self> {
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
    pub(super) fn apply(mut self, c: ArticleChanges) -> AppResult<(Self, Option<body::RenderedBody>)> {
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
    pub(super) fn ranks_differently(&self, before: &Self) -> bool {
        self.tag_ids != before.tag_ids || self.section_id != before.section_id
    }

    /// Checks against the database: unique slug and external id, and that
    /// every referenced row exists.
    pub(super) async fn check_refs(
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

    pub(super) fn write_to(&self, row: &mut article::ActiveModel, rendered: Option<&body::RenderedBody>) {
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
        row.author_ids = Set(sql::join_ids(&self.author_ids));
        row.tag_ids = Set(sql::join_ids(&self.tag_ids));
    }

    /// Every row of a new story: the story, its body, its bylines and tags.
    /// `create` writes them for one story, `import_many` for many at once.
    pub(super) fn new_rows(
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

    pub(super) fn author_rows(&self, id: Uuid) -> Vec<article_author::ActiveModel> {
        let row = |(i, a): (usize, &Uuid)| article_author::ActiveModel {
            article_id: Set(id),
            author_id: Set(*a),
            position: Set(sql::position(i)),
        };
        self.author_ids.iter().enumerate().map(row).collect()
    }

    pub(super) fn tag_rows(&self, id: Uuid) -> Vec<article_tag::ActiveModel> {
        let row = |(i, t): (usize, &Uuid)| article_tag::ActiveModel {
            article_id: Set(id),
            tag_id: Set(*t),
            position: Set(sql::position(i)),
        };
        self.tag_ids.iter().enumerate().map(row).collect()
    }

    /// Updates the body row: the body when it was sent, and always the
    /// headline and dek it repeats for search.
    pub(super) async fn write_body(
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

    pub(super) async fn write_links(&self, db: &impl ConnectionTrait, id: Uuid) -> AppResult<()> {
        article_tag::Entity::delete_many().filter(article_tag::Column::ArticleId.eq(id)).exec(db).await?;
        article_author::Entity::delete_many()
            .filter(article_author::Column::ArticleId.eq(id))
            .exec(db)
            .await?;
        insert_rows(db, self.tag_rows(id), self.author_rows(id)).await
    }
}

/// The rows of new stories, built once by [`Editable::new_rows`].
pub(super) struct NewRows {
    pub(super) story: article::ActiveModel,
    pub(super) body: article_body::ActiveModel,
    pub(super) authors: Vec<article_author::ActiveModel>,
    pub(super) tags: Vec<article_tag::ActiveModel>,
}

pub(super) async fn insert_rows(
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
