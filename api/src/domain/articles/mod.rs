//! Articles: who sees what, and the read queries.

pub mod bulk;
pub mod clock_edges;
pub mod corrections;
mod editable;
mod filter;
pub mod input;
pub mod lifecycle;
mod model;
pub mod present;
pub mod relations;
pub mod rows;
pub mod search;
mod status;
pub mod urls;
pub mod write;

pub use filter::{ArticleFilter, ArticleOrder};
pub use model::{Article, ArticleBody, bodies, body_columns, head_columns};
pub use status::{CommentsStatus, Status, StoredStatus};

use crate::domain::freshness;
use crate::domain::pagination::{Cursor, Direction, Page, PageRequest};
use crate::domain::slug::Slug;
use crate::domain::surrogate::Key;
use crate::error::AppResult;
use chrono::{DateTime, Utc};
use entity::article::{self, Column};
use entity::article_body;
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, FromQueryResult, JoinType, Order, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait,
};
use uuid::Uuid;

/// How a client names one article.
#[derive(Debug, Clone)]
pub enum ArticleKey {
    Id(Uuid),
    Slug(Slug),
}

impl ArticleKey {
    /// REST paths take either; a UUID-shaped value is an id. None when it is
    /// neither, which can name no article.
    pub fn parse(id_or_slug: &str) -> Option<Self> {
        match Uuid::parse_str(id_or_slug) {
            Ok(id) => Some(Self::Id(id)),
            Err(_) => Slug::parse(id_or_slug).map(Self::Slug),
        }
    }

    fn condition(&self) -> Condition {
        match self {
            Self::Id(id) => Condition::all().add(Column::Id.eq(*id)),
            Self::Slug(slug) => Condition::all().add(Column::Slug.eq(slug.as_str())),
        }
    }
}

pub use crate::domain::audience::Audience;

/// What `audience` may see at `now`. A scheduled story is stored as
/// PUBLISHED with a future `published_at`, so it becomes visible when its
/// time passes with no job to run, and the public listing is one index range.
pub fn visibility(audience: Audience, now: DateTime<Utc>) -> Condition {
    if audience == Audience::Preview {
        Condition::all()
    } else {
        Condition::all().add(Column::Status.eq(StoredStatus::Published)).add(Column::PublishedAt.lte(now))
    }
}

pub fn is_public(a: &Article, now: DateTime<Utc>) -> bool {
    a.status == StoredStatus::Published && a.published_at.is_some_and(|p| p <= now)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn find(
    db: &impl ConnectionTrait,
    audience: Audience,
    now: DateTime<Utc>,
    key: &ArticleKey,
) -> AppResult<Option<Article>> {
    // Keys are unique, so no LIMIT: SQLite re-plans a bound LIMIT on every call.
    let rows =
        article::Entity::find().filter(key.condition()).filter(visibility(audience, now)).all(db).await?;
    let found = rows.into_iter().next();
    shows_found(found.as_ref());
    Ok(found)
}

/// A lookup shows the story it found, or that none was found.
fn shows_found(found: Option<&Article>) {
    match found {
        Some(a) => freshness::shows_story(a),
        None => freshness::shows([Key::Missing]),
    }
}

/// One story and its body, in one statement.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn find_with_body(
    db: &impl ConnectionTrait,
    audience: Audience,
    now: DateTime<Utc>,
    key: &ArticleKey,
) -> AppResult<Option<(Article, ArticleBody)>> {
    let body = article::Entity::belongs_to(article_body::Entity)
        .from(Column::Id)
        .to(article_body::Column::ArticleId)
        .into();
    let rows = article::Entity::find()
        .join(JoinType::InnerJoin, body)
        .select_also(article_body::Entity)
        .filter(key.condition())
        .filter(visibility(audience, now))
        .all(db)
        .await?;
    let found = rows.into_iter().next().and_then(|(a, b)| b.map(|b| (a, b)));
    shows_found(found.as_ref().map(|(a, _)| a));
    Ok(found)
}

/// Visible articles among `ids`, for batch loaders and `node` lookups.
pub async fn find_many(
    db: &impl ConnectionTrait,
    audience: Audience,
    now: DateTime<Utc>,
    ids: &[Uuid],
) -> AppResult<Vec<Article>> {
    let found = article::Entity::find()
        .filter(Column::Id.is_in(crate::domain::sql::padded(ids)))
        .filter(visibility(audience, now))
        .all(db)
        .await?;
    found.iter().for_each(freshness::shows_story);
    Ok(found)
}

/// The list's sort key. Unpublished drafts (no date yet) sort by creation.
pub fn cursor_of(a: &Article) -> Cursor {
    Cursor { at: a.published_at.unwrap_or(a.created_at), id: a.id }
}

/// Ordered by publish date with the id as tie-breaker, keyset-paged.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn list(
    db: &impl ConnectionTrait,
    audience: Audience,
    now: DateTime<Utc>,
    filter: &ArticleFilter,
    page: &PageRequest,
) -> AppResult<Page<Article>> {
    let mut q = article::Entity::find()
        .filter(visibility(audience, now))
        .filter(filter.condition(db.get_database_backend(), now));
    // Readers page by publish date (an index range). Previews include
    // undated drafts, which sort by when they were created.
    let key = match audience {
        Audience::Public => Expr::col((article::Entity, Column::PublishedAt)),
        Audience::Preview => Func::coalesce([
            Expr::col((article::Entity, Column::PublishedAt)),
            Expr::col((article::Entity, Column::CreatedAt)),
        ])
        .into(),
    };
    let id = || Expr::col((article::Entity, Column::Id));
    // Walking forward through a newest-first list goes to older rows;
    // walking backward, or forward through an oldest-first list, to newer.
    let towards_older = (page.direction == Direction::Forward) == (filter.order == ArticleOrder::NewestFirst);
    if let Some(c) = &page.cursor {
        let cond = if towards_older {
            Condition::any()
                .add(key.clone().lt(c.at))
                .add(Condition::all().add(key.clone().eq(c.at)).add(id().lt(c.id)))
        } else {
            Condition::any()
                .add(key.clone().gt(c.at))
                .add(Condition::all().add(key.clone().eq(c.at)).add(id().gt(c.id)))
        };
        q = q.filter(cond);
    }
    let order = if towards_older { Order::Desc } else { Order::Asc };
    q = q.order_by(key, order.clone()).order_by(id(), order);
    let q = q.limit(page.limit + 1);
    let stmt = crate::domain::sql::inline_limit(q.build(db.get_database_backend()));
    let rows = Article::find_by_statement(stmt).all(db).await?;
    freshness::shows(filter.list_keys());
    rows.iter().for_each(freshness::shows_story);
    Ok(Page::from_rows(rows, page, cursor_of))
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn count(
    db: &impl ConnectionTrait,
    audience: Audience,
    now: DateTime<Utc>,
    filter: &ArticleFilter,
) -> AppResult<u64> {
    let q = article::Entity::find()
        .filter(visibility(audience, now))
        .filter(filter.condition(db.get_database_backend(), now));
    crate::domain::count::rows(db, q).await
}

/// Minutes to read, derived from the stored word count.
pub fn reading_time_minutes(a: &Article) -> i32 {
    crate::domain::body::reading_time_minutes(a.word_count)
}
