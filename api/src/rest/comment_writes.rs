//! Writing and moderating comments over REST. Credentials are checked
//! before the body is read, like every REST write.

use super::comment_views::{CommentList, CommentView, Context};
use super::responses::{BodyWrite, BodylessWrite, NotFound, Refused};
use super::write_support::{JsonBody, parse_body};
use super::{Caller, parse_opt, parse_uuid};
use crate::domain::accounts::policy;
use crate::domain::articles::ArticleKey;
use crate::domain::comments::read::COMMENTS;
use crate::domain::comments::visibility::Viewer;
use crate::domain::comments::write::{self, Ctx, NewComment};
use crate::domain::comments::{CommentStatus, FlagReason, flags, moderation, reactions};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use actix_web::{HttpResponse, delete, get, patch, post, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CommentCreate {
    /// The comment replied to; absent for a top-level comment.
    pub parent_id: Option<Uuid>,
    /// Plain text with light Markdown, 1 to 5,000 characters.
    #[schema(pattern = "@prose", max_length = 5000)]
    pub body: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentEdit {
    #[schema(pattern = "@prose", max_length = 5000)]
    pub body: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FlagCreate {
    /// SPAM, ABUSIVE, OFF_TOPIC or OTHER.
    #[schema(pattern = "^(SPAM|ABUSIVE|OFF_TOPIC|OTHER)$")]
    pub reason: String,
    #[schema(pattern = "@text", max_length = 500)]
    pub details: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// APPROVED, REJECTED, SPAM or PENDING.
    #[schema(pattern = "^(PENDING|APPROVED|REJECTED|SPAM)$")]
    pub status: String,
    #[schema(pattern = "@text", max_length = 500)]
    pub reason: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReactionResult {
    pub comment: CommentView,
    /// Whether the caller now reacts to the comment.
    pub reacted: bool,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueParams {
    /// Which comments (default PENDING).
    #[param(value_type = Option<String>, pattern = "^(PENDING|APPROVED|REJECTED|SPAM)$")]
    status: Option<String>,
    /// Only comments readers flagged.
    #[param(value_type = Option<bool>)]
    reported: Option<String>,
    #[param(value_type = Option<i32>, minimum = 0, maximum = 100)]
    limit: Option<String>,
    /// `nextCursor` of the previous page of the same queue.
    #[param(pattern = "@cursor-comments")]
    cursor: Option<String>,
}

fn cx<'a>(state: &'a AppState, caller: &'a Caller) -> Ctx<'a> {
    state.community.ctx(&caller.0, state.clock.now())
}

async fn one(
    state: &AppState,
    caller: &Caller,
    c: &crate::domain::comments::Comment,
) -> AppResult<CommentView> {
    Ok(Context::load(&state.db, Viewer::of(&caller.0), [c]).await?.view(c))
}

/// Post a comment or a reply, as the signed-in person (session token).
#[utoipa::path(
    tag = "comments",
    params(("idOrSlug" = String, Path, pattern = "@id-or-slug", description = "Article UUID or slug")),
    request_body = CommentCreate,
    responses((status = 201, description = "The new comment (PENDING when held for review)", body = CommentView), BodyWrite, NotFound, Refused),
    security(("bearer" = []))
)]
#[post("/articles/{idOrSlug}/comments")]
pub async fn post_comment(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    policy::can_take_part(&caller.0, state.clock.now())?;
    let article = ArticleKey::parse(&path.into_inner()).ok_or(AppError::NotFound("article"))?;
    let input: CommentCreate = parse_body(&body)?;
    let cx = cx(&state, &caller);
    let new =
        || NewComment { article: article.clone(), parent_id: input.parent_id, body: input.body.clone() };
    let c = write::post(&state.db, &cx, new()).await?;
    Ok(HttpResponse::Created().json(one(&state, &caller, &c).await?))
}

/// Change one's own comment within the edit window.
#[utoipa::path(
    tag = "comments",
    params(("id" = Uuid, Path, description = "The comment's UUID")),
    request_body = CommentEdit,
    responses((status = 200, description = "The comment as edited", body = CommentView), BodyWrite, NotFound),
    security(("bearer" = []))
)]
#[patch("/comments/{id}")]
pub async fn edit_comment(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    policy::can_take_part(&caller.0, state.clock.now())?;
    let id = parse_uuid(&path.into_inner(), "id")?;
    let input: CommentEdit = parse_body(&body)?;
    let cx = cx(&state, &caller);
    let c = write::edit(&state.db, &cx, id, &input.body).await?;
    Ok(HttpResponse::Ok().json(one(&state, &caller, &c).await?))
}

/// Delete one's own comment, or any as a moderator.
#[utoipa::path(
    tag = "comments",
    params(("id" = Uuid, Path, description = "The comment's UUID")),
    responses((status = 200, description = "The comment as deleted (a placeholder)", body = CommentView), BodylessWrite, NotFound),
    security(("bearer" = []))
)]
#[delete("/comments/{id}")]
pub async fn delete_comment(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = parse_uuid(&path.into_inner(), "id")?;
    let cx = cx(&state, &caller);
    let c = write::delete(&state.db, &cx, id).await?;
    Ok(HttpResponse::Ok().json(one(&state, &caller, &c).await?))
}

/// React to a comment, or take the reaction back.
#[utoipa::path(
    tag = "comments",
    params(("id" = Uuid, Path, description = "The comment's UUID")),
    responses((status = 200, description = "The comment and whether the caller now reacts", body = ReactionResult), BodylessWrite, NotFound, Refused),
    security(("bearer" = []))
)]
#[post("/comments/{id}/reactions")]
pub async fn react(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = parse_uuid(&path.into_inner(), "id")?;
    let cx = cx(&state, &caller);
    let (c, reacted) = reactions::toggle(&state.db, &cx, id).await?;
    Ok(HttpResponse::Ok().json(ReactionResult { comment: one(&state, &caller, &c).await?, reacted }))
}

/// Report a comment to the moderators.
#[utoipa::path(
    tag = "comments",
    params(("id" = Uuid, Path, description = "The comment's UUID")),
    request_body = FlagCreate,
    responses((status = 200, description = "The comment", body = CommentView), BodyWrite, NotFound, Refused),
    security(("bearer" = []))
)]
#[post("/comments/{id}/flags")]
pub async fn flag(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    policy::can_take_part(&caller.0, state.clock.now())?;
    let id = parse_uuid(&path.into_inner(), "id")?;
    let input: FlagCreate = parse_body(&body)?;
    let reason = FlagReason::parse(&input.reason)
        .ok_or_else(|| AppError::field("reason", "must be SPAM, ABUSIVE, OFF_TOPIC or OTHER"))?;
    let cx = cx(&state, &caller);
    let c = flags::flag(&state.db, &cx, id, reason, input.details.as_deref()).await?;
    Ok(HttpResponse::Ok().json(one(&state, &caller, &c).await?))
}

/// Approve, reject, mark as spam, or send back to the queue (moderators).
#[utoipa::path(
    tag = "moderation",
    params(("id" = Uuid, Path, description = "The comment's UUID")),
    request_body = Decision,
    responses((status = 200, description = "The comment as decided", body = CommentView), BodyWrite, NotFound, Refused),
    security(("bearer" = []))
)]
#[post("/comments/{id}/moderation")]
pub async fn moderate(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    policy::can_moderate(&caller.0)?;
    let id = parse_uuid(&path.into_inner(), "id")?;
    let input: Decision = parse_body(&body)?;
    let status = CommentStatus::parse(&input.status)
        .filter(|s| *s != CommentStatus::Deleted)
        .ok_or_else(|| AppError::field("status", "must be PENDING, APPROVED, REJECTED or SPAM"))?;
    let now = state.clock.now();
    let c = moderation::decide(&state.db, &caller.0, id, status, input.reason.as_deref(), now).await?;
    Ok(HttpResponse::Ok().json(one(&state, &caller, &c).await?))
}

/// The moderation queue, longest waiting first (moderators).
#[utoipa::path(
    tag = "moderation",
    params(QueueParams),
    responses((status = 200, description = "A page of the queue", body = CommentList), BodylessWrite, Refused),
    security(("bearer" = []))
)]
#[get("/moderation/queue")]
pub async fn queue(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<QueueParams>,
) -> AppResult<HttpResponse> {
    policy::can_moderate(&caller.0)?;
    let q = query.into_inner();
    let status = match q.status.as_deref() {
        None => CommentStatus::Pending,
        Some(s) => CommentStatus::parse(s)
            .filter(|s| *s != CommentStatus::Deleted)
            .ok_or_else(|| AppError::field("status", "must be PENDING, APPROVED, REJECTED or SPAM"))?,
    };
    let reported = parse_opt::<bool>(q.reported, "reported")?.unwrap_or(false);
    let limit = COMMENTS.check(parse_opt(q.limit, "limit")?, "limit")?;
    let page = moderation::queue(&state.db, &caller.0, status, reported, limit, q.cursor.as_deref()).await?;
    let cx = Context::load(&state.db, Viewer::of(&caller.0), page.items.iter().map(|(_, c)| c)).await?;
    Ok(HttpResponse::Ok().json(cx.list(&page)))
}
