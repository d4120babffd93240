//! What syndication formats show: the latest public stories (overall, or of
//! one section, tag or author) with bodies and everything beside them, and
//! the stories of the sitemaps. Rendering RSS, Atom, JSON Feed and sitemap
//! XML is the adapter's (`rest::feeds`).

use crate::domain::articles::Audience;
use crate::domain::articles::relations::ArticleRelations;
use crate::domain::articles::{self, Article, ArticleBody, ArticleFilter, StoredStatus};
use crate::domain::pagination::{Cursor, PageRequest};
use crate::domain::slug::Slug;
use crate::domain::taxonomy;
use crate::domain::taxonomy::catalog::Catalog;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, TimeDelta, Utc};
use entity::{article, section};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, FromQueryResult, JoinType, QueryFilter, QueryOrder,
    QuerySelect,
};
use std::collections::HashMap;
use uuid::Uuid;

/// Items in a feed.
pub const FEED_ITEMS: u64 = 50;
/// How far back the news sitemap reaches, and how many it lists at most
/// (Google News' own limits).
pub const NEWS_WINDOW: TimeDelta = TimeDelta::hours(48);
pub const NEWS_MAX: u64 = 1000;

/// Which stories a feed carries: all, or those of a section, a tag and an
/// author (any of the three, together narrowing further).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    pub section: Option<String>,
    pub tag: Option<String>,
    pub author: Option<String>,
}

impl Scope {
    pub fn parse(section: Option<String>, tag: Option<String>, author: Option<String>) -> AppResult<Self> {
        let check = |s: Option<String>, arg: &str| -> AppResult<Option<String>> {
            s.map(|s| Slug::parse(&s).map(|_| s).ok_or_else(|| AppError::field(arg, "is not a slug")))
                .transpose()
        };
        Ok(Self {
            section: check(section, "section")?,
            tag: check(tag, "tag")?,
            author: check(author, "author")?,
        })
    }
}

pub struct Feed {
    /// The section, tag or author's name; None for the whole site.
    pub subject: Option<String>,
    pub stories: Vec<(Article, ArticleBody)>,
    pub rel: ArticleRelations,
}

/// The latest public stories of `scope`, newest first; NOT_FOUND for a
/// section, tag or author that does not exist.
pub async fn latest(
    db: &impl ConnectionTrait,
    catalog: &Catalog,
    scope: &Scope,
    now: DateTime<Utc>,
) -> AppResult<Feed> {
    let mut names = Vec::new();
    if let Some(s) = &scope.section {
        names
            .push(taxonomy::section_by_slug(db, &slug(s)?).await?.ok_or(AppError::NotFound("section"))?.name);
    }
    if let Some(s) = &scope.tag {
        names.push(taxonomy::tag_by_slug(db, &slug(s)?).await?.ok_or(AppError::NotFound("tag"))?.name);
    }
    if let Some(s) = &scope.author {
        names.push(taxonomy::author_by_slug(db, &slug(s)?).await?.ok_or(AppError::NotFound("author"))?.name);
    }
    let subject = (!names.is_empty()).then(|| names.join(", "));
    let filter = ArticleFilter {
        section: scope.section.clone(),
        tag: scope.tag.clone(),
        author: scope.author.clone(),
        ..Default::default()
    };
    let page = PageRequest {
        limit: FEED_ITEMS,
        cursor: None,
        direction: crate::domain::pagination::Direction::Forward,
    };
    let list = articles::list(db, Audience::Public, now, &filter, &page).await?;
    let rows: Vec<Article> = list.items.into_iter().map(|(_, a)| a).collect();
    let ids: Vec<Uuid> = rows.iter().map(|a| a.id).collect();
    let rel = ArticleRelations::load(db, catalog, &rows).await?;
    let mut bodies = articles::bodies(db, &ids).await?;
    let stories = rows.into_iter().filter_map(|a| bodies.remove(&a.id).map(|b| (a, b))).collect();
    Ok(Feed { subject, stories, rel })
}

fn slug(s: &str) -> AppResult<Slug> {
    Slug::parse(s).ok_or(AppError::NotFound("slug"))
}

/// A story as a sitemap lists it.
#[derive(Debug, Clone, FromQueryResult)]
pub struct Listed {
    pub id: Uuid,
    pub slug: String,
    pub external_id: Option<String>,
    pub headline: String,
    pub published_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub section_slug: Option<String>,
}

impl Listed {
    /// Enough of a story for its public address.
    pub fn as_article(&self) -> Article {
        Article {
            id: self.id,
            slug: self.slug.clone(),
            external_id: self.external_id.clone(),
            headline: self.headline.clone(),
            dek: None,
            dateline: None,
            word_count: 0,
            hero_image_id: None,
            section_id: None,
            audio_url: None,
            audio_duration_seconds: None,
            audio_mime_type: None,
            status: StoredStatus::Published,
            published_at: self.published_at,
            seo_title: None,
            seo_description: None,
            canonical_url: None,
            comments_status: articles::CommentsStatus::Open,
            comment_count: 0,
            comment_moderation: None,
            version: 0,
            feed_public: true,
            author_ids: String::new(),
            tag_ids: String::new(),
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

fn listed() -> sea_orm::Select<article::Entity> {
    article::Entity::find()
        .select_only()
        .column(article::Column::Id)
        .column(article::Column::Slug)
        .column(article::Column::ExternalId)
        .column(article::Column::Headline)
        .column(article::Column::PublishedAt)
        .column(article::Column::CreatedAt)
        .column(article::Column::UpdatedAt)
        .column_as(Expr::col((section::Entity, section::Column::Slug)), "section_slug")
        .join(JoinType::LeftJoin, section_join())
}

fn section_join() -> sea_orm::RelationDef {
    article::Entity::belongs_to(section::Entity)
        .from(article::Column::SectionId)
        .to(section::Column::Id)
        .into()
}

fn public(now: DateTime<Utc>) -> Condition {
    articles::visibility(Audience::Public, now)
}

/// Stories published in the last 48 hours, newest first.
pub async fn news(db: &impl ConnectionTrait, now: DateTime<Utc>) -> AppResult<Vec<Listed>> {
    shows_archive();
    Ok(listed()
        .filter(public(now))
        .filter(article::Column::PublishedAt.gt(now - NEWS_WINDOW))
        .order_by_desc(article::Column::PublishedAt)
        .order_by_desc(article::Column::Id)
        .limit(NEWS_MAX)
        .into_model::<Listed>()
        .all(db)
        .await?)
}

/// Where each sitemap page starts, oldest stories first: every
/// `page_size`-th story's position, in one statement. Pages are keyset
/// ranges from these positions, so none is read with OFFSET.
pub async fn sitemap_pages(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    page_size: u64,
) -> AppResult<Vec<Cursor>> {
    #[derive(FromQueryResult)]
    struct Start {
        published_at: DateTime<Utc>,
        id: Uuid,
    }
    shows_archive();
    let backend = db.get_database_backend();
    let mut p = crate::domain::sql::Params::new(backend);
    let status = p.push(super::archive::status_name(StoredStatus::Published));
    let at = p.push(now);
    let size = p.push(i64::try_from(page_size).unwrap_or(i64::MAX));
    let sql = format!(
        "SELECT published_at, id FROM (SELECT published_at, id, ROW_NUMBER() OVER (ORDER BY published_at, id) AS rn \
         FROM article WHERE status = {status} AND published_at <= {at}) t WHERE (rn - 1) % {size} = 0 ORDER BY rn"
    );
    let starts = Start::find_by_statement(p.statement(sql)).all(db).await?;
    if starts.is_empty() {
        // The sitemap schema wants at least one entry in an index: an empty
        // archive has one page, from the beginning of time.
        return Ok(vec![Cursor { at: DateTime::<Utc>::UNIX_EPOCH, id: Uuid::nil() }]);
    }
    Ok(starts.into_iter().map(|s| Cursor { at: s.published_at, id: s.id }).collect())
}

/// One sitemap page: `page_size` stories from `from` on, oldest first.
pub async fn sitemap_page(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    from: &Cursor,
    page_size: u64,
) -> AppResult<Vec<Listed>> {
    let key = || Expr::col((article::Entity, article::Column::PublishedAt));
    let id = || Expr::col((article::Entity, article::Column::Id));
    let after = Condition::any()
        .add(key().gt(from.at))
        .add(Condition::all().add(key().eq(from.at)).add(id().gte(from.id)));
    shows_archive();
    Ok(listed()
        .filter(public(now))
        .filter(after)
        .order_by_asc(article::Column::PublishedAt)
        .order_by_asc(article::Column::Id)
        .limit(page_size)
        .into_model::<Listed>()
        .all(db)
        .await?)
}

/// Sitemaps list every public story, with addresses that may name its
/// section: too many stories for a key each, so the whole list's key.
fn shows_archive() {
    use crate::domain::surrogate::{Key, List, Terms};
    crate::domain::freshness::shows([Key::List(List::Front), Key::Terms(Terms::Sections)]);
}

/// Section slugs of stories, for their addresses.
pub fn section_slugs(feed: &Feed) -> HashMap<Uuid, String> {
    feed.stories
        .iter()
        .filter_map(|(a, _)| {
            feed.rel.links(a).and_then(|l| l.section.as_ref()).map(|s| (a.id, s.slug.clone()))
        })
        .collect()
}
