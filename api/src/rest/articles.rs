//! `/v1/articles`: thin handlers over `domain::articles`.

use super::cache::{Conditional, json_with_etag};
use super::views::{ArticleList, ArticleView};
use super::{Caller, audience, parse_opt};
use crate::domain::articles::Audience;
use crate::domain::articles::relations::ArticleRelations;
use crate::domain::articles::{self, ArticleFilter, ArticleKey, ArticleOrder, Status};
use crate::domain::pagination::{ARTICLES, ArgNames, Direction, PageRequest};
use crate::error::{AppError, AppResult};
use crate::rest::names::{ArticleStatus, ListOrder};
use crate::rest::responses::{ListRead, NotFound, PreviewRead};
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;

/// Query parameters arrive as text and are parsed here, so a bad value is
/// reported by its parameter name.
#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Section slug.
    #[param(pattern = "@slug", max_length = 120)]
    section: Option<String>,
    /// Tag slug.
    #[param(pattern = "@slug", max_length = 120)]
    tag: Option<String>,
    /// Author slug.
    #[param(pattern = "@slug", max_length = 120)]
    author: Option<String>,
    /// Published at or after this instant.
    #[param(value_type = Option<DateTime<Utc>>)]
    published_after: Option<String>,
    /// Published before this instant; not earlier than `publishedAfter`.
    #[param(value_type = Option<DateTime<Utc>>)]
    published_before: Option<String>,
    /// Full-text search; all words must match (stop words such as "the" and
    /// words of one or two letters are left out). It needs an ASCII letter or
    /// digit or a visible character beyond ASCII; one of symbols alone
    /// matches nothing.
    #[param(pattern = "@search", max_length = 200)]
    search: Option<String>,
    /// `newest` (default) or `oldest`.
    #[param(value_type = Option<ListOrder>, inline)]
    order: Option<String>,
    /// Page size (default 20).
    #[param(value_type = Option<i32>, minimum = 0, maximum = 100)]
    limit: Option<String>,
    /// `nextCursor` from the previous page.
    #[param(pattern = "@cursor-stories")]
    cursor: Option<String>,
    /// Other than PUBLISHED needs `preview=true`.
    #[param(value_type = Option<ArticleStatus>, inline)]
    status: Option<String>,
    /// `true` to include unpublished stories (needs `content:read-drafts`).
    #[param(value_type = Option<bool>)]
    preview: Option<String>,
}

impl ListParams {
    fn parse(self) -> AppResult<(ArticleFilter, PageRequest, Option<String>)> {
        let order = match self.order.as_deref() {
            None | Some("newest") => ArticleOrder::NewestFirst,
            Some("oldest") => ArticleOrder::OldestFirst,
            Some(_) => return Err(AppError::field("order", "must be newest or oldest")),
        };
        let filter = ArticleFilter {
            order,
            section: self.section,
            tag: self.tag,
            author: self.author,
            published_after: parse_opt(self.published_after, "publishedAfter")?,
            published_before: parse_opt(self.published_before, "publishedBefore")?,
            search: self.search,
            status: self
                .status
                .map(|s| {
                    Status::parse(&s).ok_or_else(|| {
                        AppError::field("status", "must be DRAFT, SCHEDULED, PUBLISHED or ARCHIVED")
                    })
                })
                .transpose()?,
        };
        filter.validate()?;
        let size: Option<i32> = parse_opt(self.limit, "limit")?;
        let names = ArgNames { size: "limit", cursor: "cursor" };
        let page = PageRequest::new(ARTICLES, size, self.cursor.as_deref(), Direction::Forward, names)?;
        Ok((filter, page, self.preview))
    }
}

/// List visible articles, newest first, with cursor pagination.
#[utoipa::path(
    tag = "articles",
    params(ListParams),
    responses(
        (status = 200, description = "A page of articles", body = ArticleList),
        (status = 304, description = "Not modified since the ETag sent in If-None-Match"),
        ListRead,
    )
)]
#[get("/articles")]
pub async fn list_articles(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    params: web::Query<ListParams>,
) -> AppResult<HttpResponse> {
    let (filter, page_req, preview) = params.into_inner().parse()?;
    let audience = audience(&caller, preview)?;
    let now = state.clock.now();
    let page = articles::list(&state.db, audience, now, &filter, &page_req).await?;
    let rows: Vec<_> = page.items.iter().map(|(_, a)| a.clone()).collect();
    let rel = ArticleRelations::load(&state.db, &state.catalog, &rows).await?;
    let site = crate::rest::views::Site::of(&state);
    let body = ArticleList {
        items: rows.iter().map(|a| ArticleView::new(a, &rel, now, &site, None)).collect(),
        next_cursor: page.has_next_page.then(|| page.end_cursor().map(|c| c.encode())).flatten(),
    };
    Ok(json_with_etag(&req, &body, audience == Audience::Public, None))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PreviewParam {
    /// `true` to read a draft, scheduled or archived story (needs `content:read-drafts`).
    #[param(value_type = Option<bool>)]
    preview: Option<String>,
}

/// One article by UUID or slug, with its body.
#[utoipa::path(
    tag = "articles",
    params(("idOrSlug" = String, Path, pattern = "@id-or-slug", description = "Article UUID or slug"), PreviewParam),
    responses(
        (status = 200, description = "The article", body = ArticleView),
        (status = 304, description = "Not modified since the ETag sent in If-None-Match"),
        PreviewRead,
        NotFound,
    )
)]
#[get("/articles/{idOrSlug}")]
pub async fn get_article(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<String>,
    query: web::Query<PreviewParam>,
) -> AppResult<HttpResponse> {
    let audience = audience(&caller, query.into_inner().preview)?;
    let now = state.clock.now();
    let key = ArticleKey::parse(&path.into_inner()).ok_or(AppError::NotFound("article"))?;
    let (article, body) = articles::find_with_body(&state.db, audience, now, &key)
        .await?
        .ok_or(AppError::NotFound("article"))?;
    let rel = ArticleRelations::load(&state.db, &state.catalog, std::slice::from_ref(&article)).await?;
    let site = crate::rest::views::Site::of(&state);
    let view = ArticleView::new(&article, &rel, now, &site, Some(&body));
    Ok(Conditional::new(audience == Audience::Public)
        .version(Some(article.version))
        .modified(article.updated_at)
        .json(&req, &view))
}
