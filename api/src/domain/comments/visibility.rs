//! Who sees which comment. Approved comments are public; a deleted comment
//! stays as a placeholder while it has replies; a pending comment is seen by
//! its author only, wherever comments appear (threads, replies, parents,
//! ancestors, counts, live updates). Moderators see everything, but only
//! where they ask for it by id or through the queue.

use super::{Comment, CommentStatus};
use crate::domain::accounts::{Actor, Scope};
use sea_orm::{Condition, DatabaseBackend};
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

/// What a thread lists for `viewer`, written for each planner. On SQLite
/// one CASE, not ORs: given `status = 'APPROVED' OR ...`, SQLite answers
/// from the status index (every approved comment on the site) instead of
/// the parent or thread index the query is really narrowed by. Elsewhere
/// ORs: PostgreSQL cannot estimate a CASE (it guesses 1 row in 200), and
/// believing a busy thread holds a dozen listed comments it sorts all of
/// them instead of walking the thread index for the first page.
pub fn listed(viewer: Viewer, backend: DatabaseBackend) -> Condition {
    use entity::comment::Column;
    use sea_orm::ColumnTrait;
    use sea_orm::sea_query::{Expr, ExprTrait};
    let approved = Column::Status.eq(CommentStatus::Approved.as_str());
    let tombstone = Condition::all()
        .add(Column::Status.eq(CommentStatus::Deleted.as_str()))
        .add(Column::ReplyCount.gt(0));
    let own_pending = Condition::all()
        .add(Column::Status.eq(CommentStatus::Pending.as_str()))
        .add(Column::UserId.eq(viewer.user.unwrap_or(Uuid::nil())));
    if backend != DatabaseBackend::Sqlite {
        return Condition::all().add(Condition::any().add(approved).add(tombstone).add(own_pending));
    }
    let case = Expr::case(approved, 1).case(tombstone, 1).case(own_pending, 1).finally(0);
    let case: Expr = case.into();
    Condition::all().add(case.eq(1))
}

/// The same rule as SQL text over alias `c`, for hand-written statements;
/// `user` is the placeholder the viewer's id (nil when anonymous) is bound to.
pub fn listed_sql(user: &str) -> String {
    listed_case("c.status", "c.reply_count", "c.user_id", user)
}

fn listed_case(status: &str, replies: &str, author: &str, user: &str) -> String {
    format!(
        "(CASE WHEN {status} = 'APPROVED' THEN 1 WHEN {status} = 'DELETED' AND {replies} > 0 THEN 1 \
         WHEN {status} = 'PENDING' AND {author} = {user} THEN 1 ELSE 0 END) = 1"
    )
}

/// The same rule for one comment in hand.
pub fn is_listed(c: &Comment, viewer: Viewer) -> bool {
    match c.status {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::samples::comment;

    #[test]
    fn who_sees_a_comment_in_each_state() {
        let author = Uuid::from_u128(1);
        let me = Viewer { user: Some(author), moderator: false };
        let other = Viewer { user: Some(Uuid::from_u128(2)), moderator: false };
        let nobody = Viewer::default();
        let moderator = Viewer { user: Some(Uuid::from_u128(3)), moderator: true };
        use CommentStatus::*;
        // (status, listed for its author, for another reader, for the anonymous)
        for (status, mine, theirs, anon) in [
            (Approved, true, true, true),
            (Pending, true, false, false),
            (Rejected, false, false, false),
            (Spam, false, false, false),
            (Deleted, false, false, false),
        ] {
            let c = comment(author, status);
            assert_eq!(is_listed(&c, me), mine, "{status:?} for its author");
            assert_eq!(is_listed(&c, other), theirs, "{status:?} for another reader");
            assert_eq!(is_listed(&c, nobody), anon, "{status:?} for the anonymous");
            // A moderator opens any comment by id but is listed only what
            // readers are.
            assert!(may_open(&c, moderator));
            assert_eq!(is_listed(&c, moderator), theirs);
        }
        let with_replies = entity::comment::Model { reply_count: 2, ..comment(author, Deleted) };
        assert!(is_listed(&with_replies, nobody), "a deleted comment with replies stays as a placeholder");
        assert!(is_counted(Approved) && !is_counted(Pending) && !is_counted(Deleted));
    }
}
