//! Comments as GraphQL shows them. A thread page comes with its authors,
//! first replies and the viewer's reactions (`ThreadRead`); comments reached
//! another way load those through batch loaders, so a page of comments
//! costs the same few statements whatever its size.

use super::connection::PageInfo;
use crate::domain::accounts::users::Poster;
use crate::domain::comments::read::{CommentPage, REPLIES};
use crate::domain::comments::thread_page::{Shown, ThreadPage};
use crate::domain::comments::visibility::{self, Viewer};
use crate::domain::comments::{self, cursor::Position, cursor::Scope, moderation, present};
use crate::graphql::ids::{self, Kind};
use crate::graphql::loaders::{Reacted, RepliesKey};
use crate::graphql::{loaders, request, state};
use async_graphql::{Context, Enum, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::Arc;
use uuid::Uuid;

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::comments::CommentStatus")]
pub enum CommentStatus {
    Pending,
    Approved,
    Rejected,
    Spam,
    Deleted,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Default)]
#[graphql(remote = "crate::domain::comments::Sort")]
pub enum CommentOrder {
    #[default]
    Newest,
    Oldest,
    MostReplies,
    MostReactions,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::comments::FlagReason")]
pub enum FlagReason {
    Spam,
    Abusive,
    OffTopic,
    Other,
}

/// The body as served: sanitized HTML and plain text. Empty once deleted.
#[derive(SimpleObject)]
pub struct CommentBody {
    pub html: String,
    pub text: String,
}

/// What readers see of a commenter: never their email.
#[derive(SimpleObject)]
pub struct CommentAuthor {
    pub id: ID,
    pub display_name: String,
    /// A moderator, editor or admin of the publication.
    pub is_staff: bool,
}

/// An earlier body of an edited comment (moderators only).
#[derive(SimpleObject)]
pub struct CommentRevision {
    pub revision: i32,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// A comment, with what the thread page it came in read beside it (when it
/// came in one): then its author, the viewer's reaction and its first
/// replies need no statement of their own.
pub struct Comment(pub comments::Comment, pub Option<Arc<ThreadRead>>);

impl From<comments::Comment> for Comment {
    fn from(c: comments::Comment) -> Self {
        Self(c, None)
    }
}

/// What a thread page read beside its comments.
#[derive(Default)]
pub struct ThreadRead {
    pub shown: Shown,
    /// The first replies of each top-level comment, and how many were asked.
    pub replies: HashMap<Uuid, CommentPage>,
    pub replies_limit: u64,
}

impl ThreadRead {
    pub fn of(page: ThreadPage, replies_limit: u64) -> (CommentPage, Arc<Self>) {
        let read = Self { shown: page.shown, replies: page.replies, replies_limit };
        (page.top, Arc::new(read))
    }
}

fn viewer(ctx: &Context<'_>) -> Viewer {
    Viewer::of(&request(ctx).actor)
}

#[Object]
impl Comment {
    async fn id(&self) -> ID {
        ids::encode(Kind::Comment, self.0.id)
    }
    /// The plain UUID, as REST uses it.
    async fn uuid(&self) -> String {
        self.0.id.to_string()
    }
    async fn body(&self) -> CommentBody {
        let b = present::body(&self.0);
        CommentBody { html: b.html, text: b.text }
    }
    /// 0 for top-level comments.
    async fn depth(&self) -> i32 {
        self.0.depth
    }
    async fn status(&self) -> CommentStatus {
        self.0.status.into()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// Set once the author has edited the comment.
    async fn edited_at(&self) -> Option<DateTime<Utc>> {
        self.0.edited_at
    }
    /// When a moderator featured it; null otherwise.
    async fn featured_at(&self) -> Option<DateTime<Utc>> {
        self.0.featured_at
    }
    async fn author(&self, ctx: &Context<'_>) -> Result<CommentAuthor> {
        let b = match &self.1 {
            Some(read) => present::author(&self.0, read.shown.posters.get(&self.0.user_id)),
            None => {
                let u = loaders(ctx).users.load_one(self.0.user_id).await?;
                present::author(&self.0, u.as_ref().map(Poster::from).as_ref())
            }
        };
        Ok(CommentAuthor {
            id: ids::encode(Kind::User, b.id),
            display_name: b.display_name,
            is_staff: b.is_staff,
        })
    }
    /// Approved direct replies.
    async fn reply_count(&self) -> i32 {
        self.0.reply_count
    }
    async fn reaction_count(&self) -> i32 {
        self.0.reaction_count
    }
    /// Whether the signed-in viewer has reacted; false for anonymous viewers.
    async fn viewer_has_reacted(&self, ctx: &Context<'_>) -> Result<bool> {
        let Some(user) = request(ctx).actor.user_id() else { return Ok(false) };
        if let Some(read) = &self.1 {
            return Ok(read.shown.reacted.contains(&self.0.id));
        }
        Ok(loaders(ctx).reacted.load_one(Reacted { user, comment: self.0.id }).await?.unwrap_or(false))
    }
    /// The comment this one replies to, when the viewer may see it.
    async fn parent(&self, ctx: &Context<'_>) -> Result<Option<Comment>> {
        let Some(pid) = self.0.parent_id else { return Ok(None) };
        let p = loaders(ctx).comments.load_one(pid).await?;
        Ok(p.filter(|p| visibility::may_open(p, viewer(ctx))).map(Comment::from))
    }
    /// The comment a reply answered when the thread was too deep to nest it
    /// under that comment (it is then nested beside it).
    async fn reply_to_id(&self) -> Option<ID> {
        self.0.reply_to_id.map(|id| ids::encode(Kind::Comment, id))
    }
    /// From the top-level comment down to the parent, for showing a deep
    /// comment in context. Hidden ones are left out.
    async fn ancestors(&self, ctx: &Context<'_>) -> Result<Vec<Comment>> {
        let shown = comments::read::visible_ancestors(&state(ctx).db, &self.0, viewer(ctx)).await?;
        Ok(shown.into_iter().map(Comment::from).collect())
    }
    /// Direct replies, oldest first.
    #[graphql(complexity = "REPLIES.expected(first).max(1) * child_complexity + 1")]
    async fn replies(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<CommentConnection> {
        let limit = REPLIES.check(first, "first")?;
        let v = viewer(ctx);
        if let Some(after) = after {
            let p = Position::decode(&after, Scope::Replies(self.0.id), comments::Sort::Oldest, "after")?;
            let page = comments::read::replies(&state(ctx).db, self.0.id, v, limit, Some(p)).await?;
            return Ok(CommentConnection(page, None));
        }
        if let Some(read) = self.1.as_ref().filter(|r| r.replies_limit == limit)
            && let Some(page) = read.replies.get(&self.0.id)
        {
            return Ok(CommentConnection(page.clone(), Some(Arc::clone(read))));
        }
        let key = RepliesKey { parent: self.0.id, limit, viewer: v };
        Ok(CommentConnection(loaders(ctx).replies.load_one(key).await?.unwrap_or_default(), None))
    }
    /// Why it waits for review (moderators only).
    async fn hold_reason(&self, ctx: &Context<'_>) -> Option<String> {
        present::for_moderators(&self.0, viewer(ctx))
            .and_then(|m| m.hold_reason)
            .map(|h| h.as_str().to_owned())
    }
    /// Readers' flags (moderators only; 0 for others).
    async fn flag_count(&self, ctx: &Context<'_>) -> i32 {
        present::for_moderators(&self.0, viewer(ctx)).map_or(0, |m| m.flag_count)
    }
    /// Earlier bodies, oldest first (moderators only).
    async fn revisions(&self, ctx: &Context<'_>) -> Result<Vec<CommentRevision>> {
        let rows = moderation::revisions(&state(ctx).db, &request(ctx).actor, self.0.id).await?;
        Ok(rows
            .into_iter()
            .map(|r| CommentRevision { revision: r.revision, body: r.body_raw, created_at: r.created_at })
            .collect())
    }
    async fn article_id(&self) -> ID {
        ids::encode(Kind::Article, self.0.article_id)
    }
}

pub struct CommentEdge {
    cursor: String,
    node: comments::Comment,
    read: Option<Arc<ThreadRead>>,
}

#[Object]
impl CommentEdge {
    async fn cursor(&self) -> &str {
        &self.cursor
    }
    async fn node(&self) -> Comment {
        Comment(self.node.clone(), self.read.clone())
    }
}

pub struct CommentConnection(pub CommentPage, pub Option<Arc<ThreadRead>>);

#[Object]
impl CommentConnection {
    async fn edges(&self) -> Vec<CommentEdge> {
        let read = || self.1.clone();
        self.0
            .items
            .iter()
            .map(|(c, n)| CommentEdge { cursor: c.clone(), node: n.clone(), read: read() })
            .collect()
    }
    async fn nodes(&self) -> Vec<Comment> {
        self.0.items.iter().map(|(_, n)| Comment(n.clone(), self.1.clone())).collect()
    }
    async fn page_info(&self) -> PageInfo {
        PageInfo::of_keyed(&self.0)
    }
}
