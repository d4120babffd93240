//! `GET /v1/articles/{idOrSlug}/related`.

use super::cache::json_with_etag;
use super::views::{ArticleView, TagView};
use super::{Caller, audience, parse_opt};
use crate::domain::articles::ArticleKey;
use crate::domain::articles::Audience;
use crate::domain::articles::relations::ArticleRelations;
use crate::domain::pagination::RELATED;
use crate::domain::related;
use crate::error::{AppError, AppResult};
use crate::rest::names::RelatedReason;
use crate::rest::responses::{NotFound, PreviewRead};
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RelatedParams {
    /// How many stories (default 5).
    #[param(value_type = Option<i32>, minimum = 0, maximum = 20)]
    limit: Option<String>,
    /// `true` to list related stories of an unpublished story (needs `content:read-drafts`).
    #[param(value_type = Option<bool>)]
    preview: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RelatedStoryView {
    pub article: ArticleView,
    pub reason: RelatedReason,
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
    params(("idOrSlug" = String, Path, pattern = "@id-or-slug", description = "Article UUID or slug"), RelatedParams),
    responses(
        (status = 200, description = "The related stories, curated first", body = RelatedList),
        (status = 304, description = "Not modified since the ETag sent in If-None-Match"),
        PreviewRead,
        NotFound,
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
    let (_, _, items) = related::with_story(&state.db, &key, audience, false, limit, now)
        .await?
        .ok_or(AppError::NotFound("article"))?;
    let rows: Vec<_> = items.iter().map(|i| i.article.clone()).collect();
    let rel = ArticleRelations::load(&state.db, &state.catalog, &rows).await?;
    let site = crate::rest::views::Site::of(&state);
    let body = RelatedList {
        items: items
            .iter()
            .map(|i| RelatedStoryView {
                article: ArticleView::new(&i.article, &rel, now, &site, None),
                reason: i.reason.into(),
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
