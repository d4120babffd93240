//! Relay cursor connections over the domain's keyset pages.

use super::article::Article;
use crate::domain::articles::Audience;
use crate::domain::articles::{self, ArticleFilter};
use crate::domain::pagination::{ARTICLES, ArgNames, Direction, Page, PageRequest, PageSize};
use crate::error::{AppError, AppResult};
use crate::graphql::{request, state};
use async_graphql::{Context, Object, Result, SimpleObject};

#[derive(SimpleObject)]
pub struct PageInfo {
    pub has_next_page: bool,
    pub has_previous_page: bool,
    pub start_cursor: Option<String>,
    pub end_cursor: Option<String>,
}

impl PageInfo {
    pub fn of<T>(page: &Page<T>) -> Self {
        Self {
            has_next_page: page.has_next_page,
            has_previous_page: page.has_previous_page,
            start_cursor: page.start_cursor().map(|c| c.encode()),
            end_cursor: page.end_cursor().map(|c| c.encode()),
        }
    }

    /// The same for a page whose cursors are already opaque strings.
    pub fn of_keyed<T>(page: &Page<T, String>) -> Self {
        Self {
            has_next_page: page.has_next_page,
            has_previous_page: page.has_previous_page,
            start_cursor: page.start_cursor().cloned(),
            end_cursor: page.end_cursor().cloned(),
        }
    }
}

/// Query cost of a page: the children's cost once per requested item, so a
/// client cannot ask for 100 × 100 nested items within the limit.
pub fn page_cost(first: Option<i32>, last: Option<i32>, child: usize) -> usize {
    ARTICLES.expected(first.or(last)).max(1).saturating_mul(child).saturating_add(1)
}

/// Relay's four page arguments as a client sent them.
#[derive(Debug, Clone, Default)]
pub struct RelayArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
}

impl RelayArgs {
    /// `last`/`before` page backwards from the end; they do not mix with
    /// `first`/`after`.
    pub fn page(&self, size: PageSize) -> AppResult<PageRequest> {
        if self.first.is_some() && self.last.is_some() {
            return Err(AppError::field("last", "cannot be combined with first"));
        }
        if self.after.is_some() && self.before.is_some() {
            return Err(AppError::field("before", "cannot be combined with after"));
        }
        if self.last.is_some() || self.before.is_some() {
            let names = ArgNames { size: "last", cursor: "before" };
            return PageRequest::new(size, self.last, self.before.as_deref(), Direction::Backward, names);
        }
        let names = ArgNames { size: "first", cursor: "after" };
        PageRequest::new(size, self.first, self.after.as_deref(), Direction::Forward, names)
    }
}

pub struct ArticleEdge {
    cursor: String,
    node: articles::Article,
}

#[Object]
impl ArticleEdge {
    async fn cursor(&self) -> &str {
        &self.cursor
    }
    async fn node(&self) -> Article {
        Article::from(self.node.clone())
    }
}

pub struct ArticleConnection {
    page: Page<articles::Article>,
    filter: ArticleFilter,
    audience: Audience,
}

#[Object]
impl ArticleConnection {
    async fn edges(&self) -> Vec<ArticleEdge> {
        self.page.items.iter().map(|(c, a)| ArticleEdge { cursor: c.encode(), node: a.clone() }).collect()
    }
    /// The nodes without their edges, for clients that do not page.
    async fn nodes(&self) -> Vec<Article> {
        self.page.items.iter().map(|(_, a)| Article::from(a.clone())).collect()
    }
    async fn page_info(&self) -> PageInfo {
        PageInfo::of(&self.page)
    }
    /// All matching articles, not just this page. Costs one COUNT, only
    /// when asked for.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<u64> {
        let r = request(ctx);
        Ok(articles::count(&state(ctx).db, self.audience, r.now, &self.filter).await?)
    }
}

pub async fn articles_connection(
    ctx: &Context<'_>,
    filter: ArticleFilter,
    args: RelayArgs,
    audience: Audience,
) -> AppResult<ArticleConnection> {
    let r = request(ctx);
    filter.validate().map_err(|e| e.under("filter."))?;
    let req = args.page(ARTICLES)?;
    let page = articles::list(&state(ctx).db, audience, r.now, &filter, &req).await?;
    Ok(ArticleConnection { page, filter, audience })
}
