//! Articles: who sees what, and the read queries.

pub mod corrections;
mod filter;
pub mod relations;
mod search;
mod status;

pub use filter::{ArticleFilter, ArticleOrder};
pub use status::{CommentsStatus, Status};

use crate::domain::accounts::Actor;
use crate::domain::pagination::{Cursor, Direction, Page, PageRequest};
use crate::error::AppResult;
use chrono::{DateTime, Utc};
use entity::article::{self, Column};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

pub type Article = article::Model;

/// How a client names one article.
#[derive(Debug, Clone)]
pub enum ArticleKey {
    Id(Uuid),
    Slug(String),
}

impl ArticleKey {
    /// REST paths take either; a UUID-shaped value is an id.
    pub fn parse(id_or_slug: &str) -> Self {
        match Uuid::parse_str(id_or_slug) {
            Ok(id) => Self::Id(id),
            Err(_) => Self::Slug(id_or_slug.to_owned()),
        }
    }
}

/// What `actor` may see at `now`. A scheduled story is stored as PUBLISHED
/// with a future `published_at`, so it becomes visible when its time passes
/// with no job to run, and the public listing is one index range.
pub fn visibility(actor: &Actor, now: DateTime<Utc>) -> Condition {
    if actor.can_read_unpublished() {
        Condition::all()
    } else {
        Condition::all()
            .add(Column::Status.eq(Status::Published.as_str()))
            .add(Column::PublishedAt.lte(now))
    }
}

pub fn is_public(a: &Article, now: DateTime<Utc>) -> bool {
    a.status == Status::Published.as_str() && a.published_at.is_some_and(|p| p <= now)
}

pub async fn find(
    db: &impl ConnectionTrait,
    actor: &Actor,
    now: DateTime<Utc>,
    key: &ArticleKey,
) -> AppResult<Option<Article>> {
    let by = match key {
        ArticleKey::Id(id) => Column::Id.eq(*id),
        ArticleKey::Slug(slug) => Column::Slug.eq(slug.as_str()),
    };
    Ok(article::Entity::find()
        .filter(by)
        .filter(visibility(actor, now))
        .one(db)
        .await?)
}

/// Visible articles among `ids`, for batch loaders and `node` lookups.
pub async fn find_many(
    db: &impl ConnectionTrait,
    actor: &Actor,
    now: DateTime<Utc>,
    ids: &[Uuid],
) -> AppResult<Vec<Article>> {
    Ok(article::Entity::find()
        .filter(Column::Id.is_in(ids.iter().copied()))
        .filter(visibility(actor, now))
        .all(db)
        .await?)
}

/// The list's sort key. Unpublished drafts (no date yet) sort by creation.
pub fn cursor_of(a: &Article) -> Cursor {
    Cursor {
        at: a.published_at.unwrap_or(a.created_at),
        id: a.id,
    }
}

/// Ordered by publish date with the id as tie-breaker, keyset-paged.
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    now: DateTime<Utc>,
    filter: &ArticleFilter,
    page: &PageRequest,
) -> AppResult<Page<Article>> {
    let mut q = article::Entity::find()
        .filter(visibility(actor, now))
        .filter(filter.condition(db.get_database_backend()))
        // Drafts have no publish date; they are listed only by preview
        // clients and only through filters, never in the dated list.
        .filter(Column::PublishedAt.is_not_null());
    let newer = |c: &Cursor| {
        Condition::any().add(Column::PublishedAt.gt(c.at)).add(
            Condition::all()
                .add(Column::PublishedAt.eq(c.at))
                .add(Column::Id.gt(c.id)),
        )
    };
    let older = |c: &Cursor| {
        Condition::any().add(Column::PublishedAt.lt(c.at)).add(
            Condition::all()
                .add(Column::PublishedAt.eq(c.at))
                .add(Column::Id.lt(c.id)),
        )
    };
    // Walking forward through a newest-first list goes to older rows;
    // walking backward, or forward through an oldest-first list, to newer.
    let towards_older =
        (page.direction == Direction::Forward) == (filter.order == ArticleOrder::NewestFirst);
    if let Some(c) = &page.cursor {
        q = q.filter(if towards_older { older(c) } else { newer(c) });
    }
    q = if towards_older {
        q.order_by_desc(Column::PublishedAt)
            .order_by_desc(Column::Id)
    } else {
        q.order_by_asc(Column::PublishedAt).order_by_asc(Column::Id)
    };
    let rows = q.limit(page.limit + 1).all(db).await?;
    Ok(Page::from_rows(rows, page, cursor_of))
}

pub async fn count(
    db: &impl ConnectionTrait,
    actor: &Actor,
    now: DateTime<Utc>,
    filter: &ArticleFilter,
) -> AppResult<u64> {
    Ok(article::Entity::find()
        .filter(visibility(actor, now))
        .filter(filter.condition(db.get_database_backend()))
        .filter(Column::PublishedAt.is_not_null())
        .count(db)
        .await?)
}

/// Minutes to read, derived from the stored word count.
pub fn reading_time_minutes(a: &Article) -> i32 {
    crate::domain::body::reading_time_minutes(a.word_count)
}
