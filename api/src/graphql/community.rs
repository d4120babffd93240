//! Queries about people and discussions: `me`, one comment, and the
//! moderators' queue and log.

use super::ids::{self, Kind};
use super::types::comment::{Comment, CommentConnection, CommentStatus};
use super::types::connection::PageInfo;
use super::types::user::Account;
use super::{request, state};
use crate::domain::accounts::users;
use crate::domain::comments::moderation;
use crate::domain::comments::read;
use crate::domain::comments::read::COMMENTS;
use crate::domain::comments::visibility::Viewer;
use crate::domain::pagination::MODERATION_LOG;
use async_graphql::{Context, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

/// What a moderator did.
#[derive(async_graphql::Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::comments::moderation::ActionKind")]
pub enum ModerationActionKind {
    /// Set a comment's status (approved, rejected, spam, back to the queue).
    SetStatus,
    /// Featured a comment.
    Feature,
    /// Stopped featuring a comment.
    Unfeature,
    /// Deleted someone else's comment.
    Delete,
    /// Banned a person from discussions.
    Ban,
    /// Suspended a person for a while.
    Suspend,
    /// Lifted a ban or suspension.
    Reinstate,
    /// Held every new comment on an article for approval.
    ArticleModerationPre,
    /// Let new comments on an article through unheld.
    ArticleModerationPost,
    /// Returned an article to the site-wide moderation.
    ArticleModerationDefault,
}

/// One entry of the moderation log.
#[derive(SimpleObject)]
pub struct ModerationAction {
    pub id: ID,
    /// `user:UUID` or `key:UUID`.
    pub actor: String,
    pub action: ModerationActionKind,
    pub comment_id: Option<ID>,
    pub user_id: Option<ID>,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(SimpleObject)]
pub struct ModerationActionEdge {
    pub cursor: String,
    pub node: ModerationAction,
}

#[derive(SimpleObject)]
pub struct ModerationActionConnection {
    pub edges: Vec<ModerationActionEdge>,
    pub page_info: PageInfo,
}

#[derive(Default)]
pub struct CommunityQuery;

#[Object]
impl CommunityQuery {
    /// The signed-in person; null for anonymous callers and API keys.
    async fn me(&self, ctx: &Context<'_>) -> Result<Option<Account>> {
        // Null rather than an error: a page asks `me` whether or not anyone is signed in.
        let Ok(u) = users::me(&state(ctx).db, &request(ctx).actor).await else { return Ok(None) };
        Ok(Some(Account::new(&u)))
    }

    /// One comment by id, for permalinks; null when it does not exist or
    /// the caller may not see it.
    async fn comment(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Comment>> {
        let id = ids::decode_as(&id, Kind::Comment, "id")?;
        let r = request(ctx);
        let st = state(ctx);
        let c = read::open(&st.db, &st.community.comments, Viewer::of(&r.actor), id, r.now).await?;
        Ok(c.map(Comment::from))
    }

    /// Comments waiting for (or given) a decision, oldest first. `reported`
    /// narrows to comments readers flagged. Moderators only.
    async fn moderation_queue(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "CommentStatus::Pending")] status: CommentStatus,
        #[graphql(default)] reported: bool,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<CommentConnection> {
        let limit = COMMENTS.check(first, "first")?;
        let page = moderation::queue(
            &state(ctx).db,
            &request(ctx).actor,
            status.into(),
            reported,
            limit,
            after.as_deref(),
        )
        .await?;
        Ok(CommentConnection(page, None))
    }

    /// Every moderator action, newest first; `commentId` narrows to one
    /// comment. Moderators only.
    async fn moderation_log(
        &self,
        ctx: &Context<'_>,
        comment_id: Option<ID>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<ModerationActionConnection> {
        let limit = MODERATION_LOG.check(first, "first")?;
        let comment_id = comment_id.map(|c| ids::decode_as(&c, Kind::Comment, "commentId")).transpose()?;
        let page =
            moderation::history(&state(ctx).db, &request(ctx).actor, comment_id, limit, after.as_deref())
                .await?;
        let page_info = PageInfo::of_keyed(&page);
        let edges = page
            .items
            .into_iter()
            .map(|(cursor, a)| ModerationActionEdge {
                cursor,
                node: ModerationAction {
                    id: ID(a.id.to_string()),
                    actor: a.actor,
                    action: a.action.into(),
                    comment_id: a.comment_id.map(|c| ids::encode(Kind::Comment, c)),
                    user_id: a.target_user_id.map(|u| ids::encode(Kind::User, u)),
                    from_status: a.from_status,
                    to_status: a.to_status,
                    reason: a.reason,
                    created_at: a.created_at,
                },
            })
            .collect();
        Ok(ModerationActionConnection { edges, page_info })
    }
}
