//! `/v1/sections`, `/v1/tags`, `/v1/authors`.

use super::cache::json_with_etag;
use super::parse_opt;
use super::responses::{PublicQuery, PublicRead};
use super::views::{SectionView, TagView};
use crate::domain::pagination::TERMS;
use crate::domain::taxonomy;
use crate::error::AppResult;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SlugPage {
    /// Page size (default 100).
    #[param(value_type = Option<i32>, minimum = 0, maximum = 500)]
    limit: Option<String>,
    /// The last slug of the previous page.
    #[param(pattern = "@line")]
    after: Option<String>,
}

impl SlugPage {
    fn limit(&self) -> AppResult<u64> {
        TERMS.check(parse_opt(self.limit.clone(), "limit")?, "limit")
    }
}

#[derive(Serialize, ToSchema)]
pub struct AuthorSummary {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub bio: Option<String>,
}

/// All sections.
#[utoipa::path(
    tag = "taxonomy",
    responses(
        (status = 200, description = "Every section", body = Vec<SectionView>),
        (status = 304, description = "Not modified since the ETag sent in If-None-Match"),
        PublicRead,
    )
)]
#[get("/sections")]
pub async fn list_sections(state: web::Data<AppState>, req: HttpRequest) -> AppResult<HttpResponse> {
    let rows = taxonomy::list_sections(&state.db).await?;
    let body: Vec<SectionView> = rows.iter().map(SectionView::from).collect();
    Ok(json_with_etag(&req, &body, true, None))
}

/// Tags in slug order.
#[utoipa::path(
    tag = "taxonomy",
    params(SlugPage),
    responses(
        (status = 200, description = "A page of tags", body = Vec<TagView>),
        (status = 304, description = "Not modified since the ETag sent in If-None-Match"),
        PublicQuery,
    )
)]
#[get("/tags")]
pub async fn list_tags(
    state: web::Data<AppState>,
    req: HttpRequest,
    q: web::Query<SlugPage>,
) -> AppResult<HttpResponse> {
    let rows = taxonomy::list_tags(&state.db, q.after.as_deref(), q.limit()?).await?;
    let body: Vec<TagView> = rows.iter().map(TagView::from).collect();
    Ok(json_with_etag(&req, &body, true, None))
}

/// Authors in slug order.
#[utoipa::path(
    tag = "taxonomy",
    params(SlugPage),
    responses(
        (status = 200, description = "A page of authors", body = Vec<AuthorSummary>),
        (status = 304, description = "Not modified since the ETag sent in If-None-Match"),
        PublicQuery,
    )
)]
#[get("/authors")]
pub async fn list_authors(
    state: web::Data<AppState>,
    req: HttpRequest,
    q: web::Query<SlugPage>,
) -> AppResult<HttpResponse> {
    let rows = taxonomy::list_authors(&state.db, q.after.as_deref(), q.limit()?).await?;
    let body: Vec<AuthorSummary> = rows
        .into_iter()
        .map(|a| AuthorSummary { id: a.id, slug: a.slug, name: a.name, bio: a.bio })
        .collect();
    Ok(json_with_etag(&req, &body, true, None))
}
