//! Reading threads over REST: an article's top-level comments with their
//! first replies inline, one comment, and the replies of one comment.

use super::cache::{Conditional, json_with_etag};
use super::comment_views::{CommentList, CommentView, Context};
use super::responses::{NotFound, PublicQuery, Refused};
use super::{Caller, parse_opt, parse_uuid};
use crate::domain::articles::ArticleKey;
use crate::domain::comments::cursor::{Position, Scope};
use crate::domain::comments::read::{self, COMMENTS, INLINE_REPLIES, REPLIES};
use crate::domain::comments::thread_page::{self, ThreadAsk, ThreadPage};
use crate::domain::comments::visibility::Viewer;
use crate::domain::comments::{Sort, threads};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use actix_web::HttpRequest;
use actix_web::{HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ThreadParams {
    /// Order of top-level comments.
    #[param(value_type = Option<String>, pattern = "^(newest|oldest|most_replies|most_reactions)$")]
    sort: Option<String>,
    /// Top-level comments per page (default 20).
    #[param(value_type = Option<i32>, minimum = 0, maximum = 100)]
    limit: Option<String>,
    /// `nextCursor` of the previous page, from the same thread and sort.
    #[param(pattern = "@cursor-comments")]
    cursor: Option<String>,
    /// Replies shown inline under each comment (default 3).
    #[param(value_type = Option<i32>, minimum = 0, maximum = 10)]
    replies: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RepliesParams {
    /// Replies per page (default 10).
    #[param(value_type = Option<i32>, minimum = 0, maximum = 50)]
    limit: Option<String>,
    /// `nextCursor` of the previous page of the same comment's replies.
    #[param(pattern = "@cursor-comments")]
    cursor: Option<String>,
}

const ID_OR_SLUG: &str = "Article UUID or slug";

/// Top-level comments of a story, each with its first replies.
#[utoipa::path(
    tag = "comments",
    params(("idOrSlug" = String, Path, pattern = "@id-or-slug", description = ID_OR_SLUG), ThreadParams),
    responses(
        (status = 200, description = "A page of top-level comments; empty when comments are disabled", body = CommentList),
        PublicQuery,
        NotFound,
        Refused,
    )
)]
#[get("/articles/{idOrSlug}/comments")]
pub async fn list_comments(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    query: web::Query<ThreadParams>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let sort = match q.sort.as_deref() {
        None => Sort::Newest,
        Some(s) => Sort::parse(s).ok_or_else(|| {
            AppError::field("sort", "must be newest, oldest, most_replies or most_reactions")
        })?,
    };
    let limit = COMMENTS.check(parse_opt(q.limit, "limit")?, "limit")?;
    let inline = INLINE_REPLIES.check(parse_opt(q.replies, "replies")?, "replies")?;
    let now = state.clock.now();
    let key = ArticleKey::parse(&path.into_inner()).ok_or(AppError::NotFound("article"))?;
    let Some(article) = threads::listing(&state.db, &key, &state.community.comments, now).await? else {
        // Disabled: the story's own state (content) says so.
        let empty = CommentList { items: Vec::new(), next_cursor: None, has_more: false };
        return Ok(json_with_etag(&req, &empty, caller.0.is_anonymous(), None));
    };
    let after =
        q.cursor.map(|s| Position::decode(&s, Scope::Article(article.id), sort, "cursor")).transpose()?;
    let viewer = Viewer::of(&caller.0);
    let ask = ThreadAsk { viewer, sort, limit, after, replies: inline };
    let ThreadPage { top: page, replies, shown } = thread_page::read(&state.db, article.id, ask).await?;
    let cx = Context::of(viewer, shown);
    let mut list = cx.list(&page);
    if inline > 0 {
        for item in &mut list.items {
            item.replies = replies.get(&item.id).map(|p| cx.list(p));
        }
    }
    // Shared caches may keep what anyone would be shown; a signed-in
    // reader's page holds their own pending comments and reactions.
    Ok(json_with_etag(&req, &list, caller.0.is_anonymous(), None))
}

/// One comment, for permalinks, with its ancestors for showing it in context.
#[utoipa::path(
    tag = "comments",
    params(("id" = uuid::Uuid, Path, description = "The comment's UUID")),
    responses((status = 200, description = "The comment", body = CommentView), PublicQuery, NotFound)
)]
#[get("/comments/{id}")]
pub async fn get_comment(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = parse_uuid(&path.into_inner(), "id")?;
    let viewer = Viewer::of(&caller.0);
    let c = read::open(&state.db, &state.community.comments, viewer, id, state.clock.now())
        .await?
        .ok_or(AppError::NotFound("comment"))?;
    let ancestors = read::visible_ancestors(&state.db, &c, viewer).await?;
    let cx = Context::load(&state.db, viewer, std::iter::once(&c).chain(&ancestors)).await?;
    let mut view = cx.view(&c);
    view.ancestors = Some(ancestors.iter().map(|a| cx.view(a)).collect());
    let modified = ancestors.iter().map(|a| a.updated_at).fold(c.updated_at, std::cmp::max);
    Ok(Conditional::new(caller.0.is_anonymous()).modified(modified).json(&req, &view))
}

/// Direct replies of one comment, oldest first.
#[utoipa::path(
    tag = "comments",
    params(("id" = uuid::Uuid, Path, description = "The comment's UUID"), RepliesParams),
    responses((status = 200, description = "A page of replies", body = CommentList), PublicQuery, NotFound, Refused)
)]
#[get("/comments/{id}/replies")]
pub async fn list_replies(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    query: web::Query<RepliesParams>,
) -> AppResult<HttpResponse> {
    let id = parse_uuid(&path.into_inner(), "id")?;
    let q = query.into_inner();
    let limit = REPLIES.check(parse_opt(q.limit, "limit")?, "limit")?;
    let viewer = Viewer::of(&caller.0);
    read::open(&state.db, &state.community.comments, viewer, id, state.clock.now())
        .await?
        .ok_or(AppError::NotFound("comment"))?;
    let after =
        q.cursor.map(|s| Position::decode(&s, Scope::Replies(id), Sort::Oldest, "cursor")).transpose()?;
    let page = read::replies(&state.db, id, viewer, limit, after).await?;
    let cx = Context::load(&state.db, viewer, page.items.iter().map(|(_, c)| c)).await?;
    Ok(json_with_etag(&req, &cx.list(&page), caller.0.is_anonymous(), None))
}
