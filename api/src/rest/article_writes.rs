//! `/v1/articles` writes: thin handlers over the domain's article writes.
//! All need a key with the `content:write` scope.

use super::article_input::{ArticleCreate, ArticleWrite, PublishWrite, RelatedWrite};
use super::headers::{IdempotencyKey, IfMatch};
use super::responses::{BodyWrite, BodylessWrite, Conflict, NotFound, Refused, Stale};
use super::views::{ArticleView, WriteReceiptView};
use super::write_support::{JsonBody, if_match, parse_body, precondition, run, to_json};
use super::{Writer, parse_uuid};
use crate::domain::accounts::{Actor, policy};
use crate::domain::articles::relations::ArticleRelations;
use crate::domain::articles::{self, Article, lifecycle, write};
use crate::domain::related;
use crate::error::AppResult;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, delete, patch, post, put, web};
use sea_orm::ConnectionTrait;

/// The story as written, or only a receipt when the caller may not read it
/// (`policy::may_see_written`).
async fn view(
    db: &impl ConnectionTrait,
    state: &AppState,
    actor: &Actor,
    a: &Article,
) -> AppResult<serde_json::Value> {
    let now = state.clock.now();
    if !policy::may_see_written(actor, crate::domain::articles::is_public(a, now)) {
        return to_json(&WriteReceiptView::new(a, now));
    }
    let rel = ArticleRelations::load(db, &state.catalog, std::slice::from_ref(a)).await?;
    let body = articles::bodies(db, &[a.id]).await?.remove(&a.id);
    to_json(&ArticleView::new(a, &rel, now, &crate::rest::views::Site::of(state), body.as_ref()))
}

/// Create a draft. Send `Idempotency-Key` to make retries safe.
#[utoipa::path(
    tag = "articles",
    request_body = ArticleCreate,
    params(IdempotencyKey),
    responses(
        (status = 201, description = "The article, or only a receipt (`WriteReceiptView`) when the key may not read drafts and the article is not public", body = ArticleView),
        BodyWrite,
        Conflict,
        Refused,
    ),
    security(("bearer" = []))
)]
#[post("/articles")]
pub async fn create_article(
    state: web::Data<AppState>,
    writer: Writer,
    req: HttpRequest,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    let input: ArticleWrite = parse_body(&body)?;
    let changes = input.into_changes()?;
    let now = state.clock.now();
    run(&state, &writer.0, &req, &body, async |txn| {
        let a = write::create(txn, &writer.0, changes.clone(), now).await?;
        Ok((201, view(txn, &state, &writer.0, &a).await?))
    })
    .await
}

/// Replace an article: fields left out are cleared. `If-Match` makes it
/// conditional on the version.
#[utoipa::path(
    tag = "articles",
    request_body(content = Option<ArticleWrite>, description = "The fields; an empty body is `{}`"),
    params(("idOrSlug" = Uuid, Path, description = "The article's UUID: writes take the id, never the slug"), IfMatch),
    responses((status = 200, description = "The article, or only a receipt (`WriteReceiptView`) when the key may not read drafts and the article is not public", body = ArticleView), BodyWrite, NotFound, Conflict, Refused, Stale),
    security(("bearer" = []))
)]
#[put("/articles/{idOrSlug}")]
pub async fn replace_article(
    state: web::Data<AppState>,
    writer: Writer,
    req: HttpRequest,
    path: web::Path<String>,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    update(&state, &writer, &req, &path, &body, true).await
}

/// Change the fields given (`null` clears). `If-Match` makes it conditional.
#[utoipa::path(
    tag = "articles",
    request_body(content = Option<ArticleWrite>, description = "The fields; an empty body is `{}`"),
    params(("idOrSlug" = Uuid, Path, description = "The article's UUID: writes take the id, never the slug"), IfMatch),
    responses((status = 200, description = "The article, or only a receipt (`WriteReceiptView`) when the key may not read drafts and the article is not public", body = ArticleView), BodyWrite, NotFound, Conflict, Refused, Stale),
    security(("bearer" = []))
)]
#[patch("/articles/{idOrSlug}")]
pub async fn patch_article(
    state: web::Data<AppState>,
    writer: Writer,
    req: HttpRequest,
    path: web::Path<String>,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    update(&state, &writer, &req, &path, &body, false).await
}

/// PUT (`replace`: fields left out are cleared) and PATCH (they stay).
async fn update(
    state: &AppState,
    writer: &Writer,
    req: &HttpRequest,
    path: &str,
    body: &[u8],
    replace: bool,
) -> AppResult<HttpResponse> {
    let id = parse_uuid(path, "id")?;
    let expected = if_match(req)?;
    let changes = parse_body::<ArticleWrite>(body)?.into_changes()?;
    let changes = if replace { changes.into_replacement() } else { changes };
    let now = state.clock.now();
    run(state, &writer.0, req, body, async |txn| {
        let a = write::update(txn, &writer.0, id, expected, changes.clone(), now)
            .await
            .map_err(|e| precondition(e, expected.is_some()))?;
        Ok((200, view(txn, state, &writer.0, &a).await?))
    })
    .await
}

/// Create or replace by the integrator's own id; repeating it is harmless.
#[utoipa::path(
    tag = "articles",
    request_body(
        content = Option<ArticleWrite>,
        description = "The fields; left out ones are cleared. Creating needs `slug` and `headline` (422 without)"
    ),
    params(("externalId" = String, Path, pattern = "@segment", max_length = 200, description = "The integrator's own id"), IfMatch),
    responses(
        (status = 200, description = "Replaced (or unchanged); a receipt when the key may not read drafts and the article is not public", body = ArticleView),
        (status = 201, description = "Created; a receipt when the key may not read drafts", body = ArticleView),
        BodyWrite,
        Conflict,
        Refused,
        Stale,
    ),
    security(("bearer" = []))
)]
#[put("/articles/by-external-id/{externalId}")]
pub async fn upsert_article(
    state: web::Data<AppState>,
    writer: Writer,
    req: HttpRequest,
    path: web::Path<String>,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    let external_id = path.into_inner();
    let expected = if_match(&req)?;
    let changes = parse_body::<ArticleWrite>(&body)?.into_changes()?;
    let now = state.clock.now();
    run(&state, &writer.0, &req, &body, async |txn| {
        let (a, created) =
            write::upsert_by_external_id(txn, &writer.0, &external_id, expected, changes.clone(), now)
                .await
                .map_err(|e| precondition(e, expected.is_some()))?;
        Ok((if created { 201 } else { 200 }, view(txn, &state, &writer.0, &a).await?))
    })
    .await
}

/// Delete for good; the change feed keeps a tombstone.
#[utoipa::path(
    tag = "articles",
    params(("idOrSlug" = Uuid, Path, description = "The article's UUID: writes take the id, never the slug"), IfMatch),
    responses((status = 204, description = "Deleted"), BodylessWrite, NotFound, Conflict, Stale),
    security(("bearer" = []))
)]
#[delete("/articles/{idOrSlug}")]
pub async fn delete_article(
    state: web::Data<AppState>,
    writer: Writer,
    req: HttpRequest,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = parse_uuid(&path, "id")?;
    let expected = if_match(&req)?;
    lifecycle::delete(&state.db, &writer.0, id, expected, state.clock.now())
        .await
        .map_err(|e| precondition(e, expected.is_some()))?;
    Ok(HttpResponse::NoContent().finish())
}

/// Publish now, or schedule with a future `at`.
#[utoipa::path(
    tag = "articles",
    request_body(content = Option<PublishWrite>, description = "Leave the body out to publish now"),
    params(("id" = Uuid, Path, description = "Article UUID"), IdempotencyKey),
    responses((status = 200, description = "The article, or only a receipt (`WriteReceiptView`) when the key may not read drafts and the article is not public", body = ArticleView), BodyWrite, NotFound, Conflict, Refused),
    security(("bearer" = []))
)]
#[post("/articles/{id}/publish")]
pub async fn publish_article(
    state: web::Data<AppState>,
    writer: Writer,
    req: HttpRequest,
    path: web::Path<String>,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    let id = parse_uuid(&path, "id")?;
    let input: PublishWrite = parse_body(&body)?;
    let now = state.clock.now();
    run(&state, &writer.0, &req, &body, async |txn| {
        let a = lifecycle::publish(txn, &writer.0, id, input.at, now).await?;
        Ok((200, view(txn, &state, &writer.0, &a).await?))
    })
    .await
}

/// Back to draft.
#[utoipa::path(
    tag = "articles",
    params(("id" = Uuid, Path, description = "Article UUID"), IdempotencyKey),
    responses((status = 200, description = "The article, or only a receipt (`WriteReceiptView`) when the key may not read drafts and the article is not public", body = ArticleView), BodylessWrite, NotFound, Conflict),
    security(("bearer" = []))
)]
#[post("/articles/{id}/unpublish")]
pub async fn unpublish_article(
    state: web::Data<AppState>,
    writer: Writer,
    req: HttpRequest,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = parse_uuid(&path, "id")?;
    let now = state.clock.now();
    run(&state, &writer.0, &req, &[], async |txn| {
        let a = lifecycle::unpublish(txn, &writer.0, id, now).await?;
        Ok((200, view(txn, &state, &writer.0, &a).await?))
    })
    .await
}

/// Archive: out of public lists and lookups, kept in the database.
#[utoipa::path(
    tag = "articles",
    params(("id" = Uuid, Path, description = "Article UUID"), IdempotencyKey),
    responses((status = 200, description = "The article, or only a receipt (`WriteReceiptView`) when the key may not read drafts and the article is not public", body = ArticleView), BodylessWrite, NotFound, Conflict),
    security(("bearer" = []))
)]
#[post("/articles/{id}/archive")]
pub async fn archive_article(
    state: web::Data<AppState>,
    writer: Writer,
    req: HttpRequest,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = parse_uuid(&path, "id")?;
    let now = state.clock.now();
    run(&state, &writer.0, &req, &[], async |txn| {
        let a = lifecycle::archive(txn, &writer.0, id, now).await?;
        Ok((200, view(txn, &state, &writer.0, &a).await?))
    })
    .await
}

/// Replace the curated related list, in order.
#[utoipa::path(
    tag = "articles",
    request_body = RelatedWrite,
    params(("idOrSlug" = Uuid, Path, description = "The article's UUID: writes take the id, never the slug")),
    responses((status = 200, description = "The article, or only a receipt (`WriteReceiptView`) when the key may not read drafts and the article is not public", body = ArticleView), BodyWrite, NotFound, Conflict, Refused),
    security(("bearer" = []))
)]
#[put("/articles/{idOrSlug}/related")]
pub async fn set_related(
    state: web::Data<AppState>,
    writer: Writer,
    req: HttpRequest,
    path: web::Path<String>,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    let id = parse_uuid(&path, "id")?;
    let input: RelatedWrite = parse_body(&body)?;
    let now = state.clock.now();
    run(&state, &writer.0, &req, &body, async |txn| {
        let a = related::set_curated(txn, &writer.0, id, &input.related_ids, now).await?;
        Ok((200, view(txn, &state, &writer.0, &a).await?))
    })
    .await
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectionWrite {
    /// What was wrong and what is right now, 1 to 2,000 characters.
    #[schema(pattern = "@prose", max_length = 2000)]
    pub text: String,
}

/// Publish a correction to the story, dated now: an editorial event of its
/// own (CORRECTED in the change feed, `article.corrected` for webhooks).
#[utoipa::path(
    tag = "articles",
    request_body = CorrectionWrite,
    params(("id" = Uuid, Path, description = "Article UUID"), IdempotencyKey),
    responses((status = 201, description = "The article with its corrections, or only a receipt (`WriteReceiptView`) when the key may not read drafts and the article is not public", body = ArticleView), BodyWrite, NotFound, Conflict),
    security(("bearer" = []))
)]
#[post("/articles/{id}/corrections")]
pub async fn add_correction(
    state: web::Data<AppState>,
    writer: Writer,
    req: HttpRequest,
    path: web::Path<String>,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    let id = parse_uuid(&path, "id")?;
    let input: CorrectionWrite = parse_body(&body)?;
    let now = state.clock.now();
    run(&state, &writer.0, &req, &body, async |txn| {
        let (a, _) = crate::domain::articles::corrections::add(txn, &writer.0, id, &input.text, now).await?;
        Ok((201, view(txn, &state, &writer.0, &a).await?))
    })
    .await
}
