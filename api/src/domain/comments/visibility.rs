//! Who sees which comment. Approved comments are public; a deleted comment
//! stays as a placeholder while it has replies; a pending comment is seen by
//! its author only, wherever comments appear (threads, replies, parents,
//! ancestors, counts, live updates). Moderators see everything, but only
//! where they ask for it by id or through the queue.

use super::{Comment, CommentStatus};
use crate::domain::accounts::{Actor, Scope};
use entity::comment::Column;
use sea_orm::{ColumnTrait, Condition};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Viewer {
    pub user: Option<Uuid>,
    pub moderator: bool,
}

impl Viewer {
    pub fn of(actor: &Actor) -> Self {
        Self { user: actor.user_id(), moderator: actor.has(Scope::CommentsModerate) }
    }
}

/// What a thread lists for `viewer`.
pub fn listed(viewer: Viewer) -> Condition {
    let mut c = Condition::any().add(Column::Status.eq(CommentStatus::Approved.as_str())).add(
        Condition::all()
            .add(Column::Status.eq(CommentStatus::Deleted.as_str()))
            .add(Column::ReplyCount.gt(0)),
    );
    if let Some(u) = viewer.user {
        c = c.add(
            Condition::all()
                .add(Column::Status.eq(CommentStatus::Pending.as_str()))
                .add(Column::UserId.eq(u)),
        );
    }
    c
}

/// The same rule as SQL text over alias `c`, for hand-written statements;
/// `user` is the placeholder the viewer's id is bound to, if any.
pub fn listed_sql(user: Option<&str>) -> String {
    let mut s = "(c.status = 'APPROVED' OR (c.status = 'DELETED' AND c.reply_count > 0)".to_owned();
    if let Some(p) = user {
        s.push_str(&format!(" OR (c.status = 'PENDING' AND c.user_id = {p})"));
    }
    s.push(')');
    s
}

/// The same rule for one comment in hand.
pub fn is_listed(c: &Comment, viewer: Viewer) -> bool {
    match CommentStatus::of(c) {
        CommentStatus::Approved => true,
        CommentStatus::Deleted => c.reply_count > 0,
        CommentStatus::Pending => viewer.user == Some(c.user_id),
        CommentStatus::Rejected | CommentStatus::Spam => false,
    }
}

/// A comment asked for by id: what the thread would list, or anything for
/// a moderator.
pub fn may_open(c: &Comment, viewer: Viewer) -> bool {
    viewer.moderator || is_listed(c, viewer)
}

/// Whether a comment is counted in `commentCount` and `replyCount`.
pub fn is_counted(status: CommentStatus) -> bool {
    status == CommentStatus::Approved
}
