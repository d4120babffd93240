//! `GET /v1/articles/{idOrSlug}/related`.

use super::cache::json_with_etag;
use super::views::{ArticleView, TagView};
use super::{Caller, audience, parse_opt};
use crate::domain::accounts::policy::Audience;
use crate::domain::articles::relations::ArticleRelations;
use crate::domain::articles::{self, ArticleKey};
use crate::domain::pagination::RELATED;
use crate::domain::related;
use crate::error::{AppError, AppResult};
use crate::rest::problem::Problem;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RelatedParams {
    /// How many stories, 0 to 20 (default 5).
    limit: Option<String>,
    /// `true` to list related stories of an unpublished story (needs `content:read-drafts`).
    preview: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RelatedStoryView {
    pub article: ArticleView,
    /// CURATED, SHARED_TAGS or SAME_SECTION.
    pub reason: String,
    /// Σ ln(1 + N/df) over shared tags, plus 0.5 for the same section; 0 for curated.
    pub score: f64,
    pub shared_tags: Vec<TagView>,
}

#[derive(Serialize, ToSchema)]
pub struct RelatedList {
    pub items: Vec<RelatedStoryView>,
}

/// The editor's curated stories, then automatic picks, each saying why.
#[utoipa::path(
    tag = "articles",
    params(("idOrSlug" = String, Path, description = "Article UUID or slug"), RelatedParams),
    responses(
        (status = 200, body = RelatedList),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/articles/{idOrSlug}/related")]
pub async fn related_articles(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<String>,
    query: web::Query<RelatedParams>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let limit = usize::try_from(RELATED.check(parse_opt(q.limit, "limit")?, "limit")?).unwrap_or(0);
    let audience = audience(&caller, q.preview)?;
    let now = state.clock.now();
    let key = ArticleKey::parse(&path.into_inner()).ok_or(AppError::NotFound("article"))?;
    let source =
        articles::find(&state.db, audience, now, &key).await?.ok_or(AppError::NotFound("article"))?;
    let items =
        related::lists(&state.db, &[source.id], limit, now).await?.remove(&source.id).unwrap_or_default();
    let rows: Vec<_> = items.iter().map(|i| i.article.clone()).collect();
    let rel = ArticleRelations::load(&state.db, &rows).await?;
    let cdn = state.config.image_cdn_template.as_deref();
    let body = RelatedList {
        items: items
            .iter()
            .map(|i| RelatedStoryView {
                article: ArticleView::new(&i.article, &rel, now, cdn, None),
                reason: i.reason.as_str().into(),
                score: i.score,
                shared_tags: rel
                    .links(&i.article)
                    .map(|l| i.shared_tags(&l.tags).map(TagView::from).collect())
                    .unwrap_or_default(),
            })
            .collect(),
    };
    Ok(json_with_etag(&req, &body, audience == Audience::Public, None))
}
