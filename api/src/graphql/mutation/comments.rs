//! Writing and moderating comments. Each resolver calls one domain
//! function, which checks who may and runs one transaction.

use super::input_paths;
use crate::domain::articles::ArticleKey;
use crate::domain::comments::write::{self, Ctx, NewComment};
use crate::domain::comments::{flags, moderation, reactions};
use crate::graphql::ids::{self, Kind};
use crate::graphql::types::comment::{Comment, CommentStatus, FlagReason};
use crate::graphql::{request, state};
use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};

#[derive(InputObject)]
pub struct PostCommentInput {
    pub article_id: ID,
    /// The comment replied to; none for a top-level comment.
    pub parent_id: Option<ID>,
    /// Plain text with light Markdown; at most 5,000 characters.
    pub body: String,
}

#[derive(SimpleObject)]
pub struct CommentPayload {
    pub comment: Comment,
}

/// Whether new comments on one article wait for approval.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum CommentModeration {
    /// Follow the site's setting.
    Default,
    /// Hold every new comment for approval.
    Pre,
    /// Publish at once unless another rule holds a comment.
    Post,
}

#[derive(SimpleObject)]
pub struct CommentSettingsPayload {
    pub article_id: ID,
    pub moderation: CommentModeration,
}

fn cx<'a>(ctx: &Context<'a>) -> Ctx<'a> {
    let r = request(ctx);
    state(ctx).community.ctx(&r.actor, r.now)
}

fn comment_id(id: &ID) -> Result<uuid::Uuid> {
    Ok(ids::decode_as(id, Kind::Comment, "id")?)
}

#[derive(Default)]
pub struct CommentMutation;

#[Object]
impl CommentMutation {
    /// Posts a comment or a reply, as the signed-in person.
    async fn post_comment(&self, ctx: &Context<'_>, input: PostCommentInput) -> Result<CommentPayload> {
        let article = ids::decode_as(&input.article_id, Kind::Article, "input.articleId")?;
        let parent_id = input
            .parent_id
            .as_ref()
            .map(|p| ids::decode_as(p, Kind::Comment, "input.parentId"))
            .transpose()?;
        let new = || NewComment { article: ArticleKey::Id(article), parent_id, body: input.body.clone() };
        let cx = cx(ctx);
        let c = write::post(&state(ctx).db, &cx, new()).await.map_err(input_paths)?;
        Ok(CommentPayload { comment: Comment::from(c) })
    }

    /// Changes the body of one's own comment, within the edit window.
    async fn edit_comment(&self, ctx: &Context<'_>, id: ID, body: String) -> Result<CommentPayload> {
        let id = comment_id(&id)?;
        let cx = cx(ctx);
        let c = write::edit(&state(ctx).db, &cx, id, &body).await?;
        Ok(CommentPayload { comment: Comment::from(c) })
    }

    /// Deletes one's own comment, or any comment as a moderator.
    async fn delete_comment(&self, ctx: &Context<'_>, id: ID) -> Result<CommentPayload> {
        let id = comment_id(&id)?;
        let cx = cx(ctx);
        let c = write::delete(&state(ctx).db, &cx, id).await?;
        Ok(CommentPayload { comment: Comment::from(c) })
    }

    /// Reacts to a comment, or takes the reaction back.
    async fn react_to_comment(&self, ctx: &Context<'_>, id: ID) -> Result<CommentPayload> {
        let id = comment_id(&id)?;
        let cx = cx(ctx);
        let (c, _) = reactions::toggle(&state(ctx).db, &cx, id).await?;
        Ok(CommentPayload { comment: Comment::from(c) })
    }

    /// Reports a comment to the moderators.
    async fn flag_comment(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: FlagReason,
        details: Option<String>,
    ) -> Result<CommentPayload> {
        let id = comment_id(&id)?;
        let cx = cx(ctx);
        let c = flags::flag(&state(ctx).db, &cx, id, reason.into(), details.as_deref()).await?;
        Ok(CommentPayload { comment: Comment::from(c) })
    }

    /// Approves, rejects, marks as spam or sends back to the queue
    /// (moderators).
    async fn moderate_comment(
        &self,
        ctx: &Context<'_>,
        id: ID,
        status: CommentStatus,
        reason: Option<String>,
    ) -> Result<CommentPayload> {
        let id = comment_id(&id)?;
        let r = request(ctx);
        let c = { moderation::decide(&state(ctx).db, &r.actor, id, status.into(), reason.as_deref(), r.now) }
            .await?;
        Ok(CommentPayload { comment: Comment::from(c) })
    }

    /// Features an approved comment on its story (moderators).
    async fn feature_comment(&self, ctx: &Context<'_>, id: ID) -> Result<CommentPayload> {
        feature(ctx, id, true).await
    }

    /// Stops featuring a comment (moderators).
    async fn unfeature_comment(&self, ctx: &Context<'_>, id: ID) -> Result<CommentPayload> {
        feature(ctx, id, false).await
    }

    /// Sets whether new comments on one story wait for approval (moderators).
    async fn set_comment_moderation(
        &self,
        ctx: &Context<'_>,
        article_id: ID,
        moderation: CommentModeration,
    ) -> Result<CommentSettingsPayload> {
        let id = ids::decode_as(&article_id, Kind::Article, "articleId")?;
        let r = request(ctx);
        let pre = match moderation {
            CommentModeration::Default => None,
            CommentModeration::Pre => Some(true),
            CommentModeration::Post => Some(false),
        };
        moderation::set_article_moderation(&state(ctx).db, &r.actor, id, pre, r.now).await?;
        Ok(CommentSettingsPayload { article_id: ids::encode(Kind::Article, id), moderation })
    }
}

async fn feature(ctx: &Context<'_>, id: ID, on: bool) -> Result<CommentPayload> {
    let id = comment_id(&id)?;
    let r = request(ctx);
    let c = moderation::feature(&state(ctx).db, &r.actor, id, on, r.now).await?;
    Ok(CommentPayload { comment: Comment::from(c) })
}
