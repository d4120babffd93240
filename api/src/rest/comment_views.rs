//! Comments and people as REST shows them, built from domain rows with
//! their authors and the viewer's reactions loaded in one statement each.

use crate::domain::accounts::users::Poster;
use crate::domain::accounts::{
    self,
    users::{self, User},
};
use crate::domain::comments::read::{self, CommentPage};
use crate::domain::comments::thread_page::Shown;
use crate::domain::comments::visibility::Viewer;
use crate::domain::comments::{Comment, present};
use crate::error::AppResult;
use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use serde::Serialize;
use std::collections::HashSet;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
pub struct CommentBodyView {
    /// Sanitized HTML; links carry `rel="nofollow ugc noopener"`.
    pub html: String,
    pub text: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CommentAuthorView {
    pub id: Uuid,
    pub display_name: String,
    pub is_staff: bool,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CommentView {
    pub id: Uuid,
    pub article_id: Uuid,
    pub parent_id: Option<Uuid>,
    /// The comment answered, when the thread was too deep to nest under it.
    pub reply_to_id: Option<Uuid>,
    pub depth: i32,
    /// PENDING, APPROVED, REJECTED, SPAM or DELETED.
    pub status: String,
    pub body: CommentBodyView,
    pub author: CommentAuthorView,
    pub reply_count: i32,
    pub reaction_count: i32,
    pub viewer_has_reacted: bool,
    pub created_at: DateTime<Utc>,
    pub edited_at: Option<DateTime<Utc>>,
    pub featured_at: Option<DateTime<Utc>>,
    /// Why it waits for review: PRE_MODERATION, SUSPECT_WORD, LINKS,
    /// FIRST_COMMENT or FLAGGED (moderators only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hold_reason: Option<String>,
    /// Readers' flags (moderators only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flag_count: Option<i32>,
    /// The first replies, when asked for with `replies=N`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(no_recursion)]
    pub replies: Option<CommentList>,
    /// From the top-level comment down to the parent, for showing a deep
    /// comment in context (`GET /v1/comments/{id}` only). Hidden ones are
    /// left out.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(no_recursion)]
    pub ancestors: Option<Vec<CommentView>>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CommentList {
    #[schema(no_recursion)]
    pub items: Vec<CommentView>,
    /// Send as `cursor` for the next page.
    pub next_cursor: Option<String>,
    pub has_more: bool,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserView {
    pub id: Uuid,
    pub display_name: String,
    /// Shown only to the person themselves.
    pub email: String,
    /// READER, MODERATOR, EDITOR or ADMIN.
    pub role: String,
    pub is_staff: bool,
    pub banned: bool,
    pub suspended_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<&User> for UserView {
    fn from(u: &User) -> Self {
        let a = accounts::present::account(u);
        Self {
            id: a.id,
            display_name: a.display_name,
            email: a.email,
            role: a.role.as_str().to_owned(),
            is_staff: a.is_staff,
            banned: a.banned,
            suspended_until: a.suspended_until,
            created_at: a.created_at,
        }
    }
}

/// Authors and reactions for a set of comments.
pub struct Context {
    viewer: Viewer,
    shown: Shown,
}

impl Context {
    /// What a thread page read beside its comments.
    pub fn of(viewer: Viewer, shown: Shown) -> Self {
        Self { viewer, shown }
    }

    pub async fn load<'a>(
        db: &impl ConnectionTrait,
        viewer: Viewer,
        comments: impl IntoIterator<Item = &'a Comment>,
    ) -> AppResult<Self> {
        let all: Vec<&Comment> = comments.into_iter().collect();
        let mut user_ids: Vec<Uuid> = all.iter().map(|c| c.user_id).collect();
        user_ids.sort_unstable();
        user_ids.dedup();
        let ids: Vec<Uuid> = all.iter().map(|c| c.id).collect();
        let reacted = match viewer.user {
            Some(u) => read::reacted(db, u, &ids).await?,
            None => HashSet::new(),
        };
        let posters =
            users::by_ids(db, &user_ids).await?.iter().map(|(id, u)| (*id, Poster::from(u))).collect();
        Ok(Self { viewer, shown: Shown { posters, reacted } })
    }

    /// One live comment, whose author came with its event: only a signed-in
    /// viewer's reaction to an already reacted-to comment needs a statement.
    pub async fn for_event(
        db: &impl ConnectionTrait,
        viewer: Viewer,
        c: &Comment,
        author: Option<&User>,
    ) -> AppResult<Self> {
        let reacted = match viewer.user {
            Some(u) if c.reaction_count > 0 => read::reacted(db, u, &[c.id]).await?,
            _ => HashSet::new(),
        };
        let posters = author.map(|a| (a.id, Poster::from(a))).into_iter().collect();
        Ok(Self { viewer, shown: Shown { posters, reacted } })
    }

    pub fn view(&self, c: &Comment) -> CommentView {
        let b = present::author(c, self.shown.posters.get(&c.user_id));
        let author = CommentAuthorView { id: b.id, display_name: b.display_name, is_staff: b.is_staff };
        let body = present::body(c);
        let moderators = present::for_moderators(c, self.viewer);
        CommentView {
            id: c.id,
            article_id: c.article_id,
            parent_id: c.parent_id,
            reply_to_id: c.reply_to_id,
            depth: c.depth,
            status: c.status.as_str().to_owned(),
            body: CommentBodyView { html: body.html, text: body.text },
            hold_reason: moderators.as_ref().and_then(|m| m.hold_reason).map(|h| h.as_str().to_owned()),
            flag_count: moderators.map(|m| m.flag_count),
            author,
            reply_count: c.reply_count,
            reaction_count: c.reaction_count,
            viewer_has_reacted: self.shown.reacted.contains(&c.id),
            created_at: c.created_at,
            edited_at: c.edited_at,
            featured_at: c.featured_at,
            replies: None,
            ancestors: None,
        }
    }

    pub fn list(&self, page: &CommentPage) -> CommentList {
        CommentList {
            items: page.items.iter().map(|(_, c)| self.view(c)).collect(),
            next_cursor: page.has_next_page.then(|| page.end_cursor().cloned()).flatten(),
            has_more: page.has_next_page,
        }
    }
}
