//! Row-level helpers every comment write shares: the locking read of a
//! comment the actor may open, and the moderation log entry. Kept apart so
//! the writers (`write`, `moderation`, `flags`, `reactions`) and the account
//! standing need not import each other.

use super::visibility::Viewer;
use super::{Comment, CommentStatus};
use crate::domain::accounts::Actor;
use crate::domain::sql;
use crate::domain::text::{self, Lines};
use crate::error::{AppError, AppResult, Validator};
use chrono::{DateTime, Utc};
use entity::moderation_action::ActionKind;
use entity::{comment, moderation_action};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use uuid::Uuid;

/// The longest reason a moderator may give.
pub const MAX_REASON: usize = 500;

/// A comment that exists and that the actor could see, or NOT_FOUND (so a
/// hidden comment's existence is not revealed), locked until the write's
/// transaction ends: a write that changes counts computes them from the
/// status it read, so that status must still be the stored one when it
/// commits (two moderators deciding one comment at once take turns, and
/// the second sees the first one's decision).
pub async fn locked_visible(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> AppResult<Comment> {
    sql::locked(comment::Entity::find_by_id(id), db.get_database_backend())
        .one(db)
        .await?
        .filter(|c| super::visibility::may_open(c, Viewer::of(actor)))
        .ok_or(AppError::NotFound("comment"))
}

/// Records one action in the caller's transaction.
#[allow(clippy::too_many_arguments)]
pub async fn log(
    db: &impl ConnectionTrait,
    actor: &Actor,
    action: ActionKind,
    c: Option<&Comment>,
    target_user: Option<Uuid>,
    to: Option<CommentStatus>,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let row = moderation_action::ActiveModel {
        id: Set(Uuid::now_v7()),
        actor: Set(actor.label()),
        action: Set(action),
        comment_id: Set(c.map(|c| c.id)),
        target_user_id: Set(target_user.or(c.map(|c| c.user_id))),
        from_status: Set(c.map(|c| c.status.as_str().to_owned())),
        to_status: Set(to.map(|s| s.as_str().to_owned())),
        reason: Set(reason.map(str::to_owned)),
        created_at: Set(now),
    };
    moderation_action::Entity::insert(row).exec_without_returning(db).await?;
    Ok(())
}

pub fn check_reason(reason: Option<&str>) -> AppResult<Option<String>> {
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    let mut v = Validator::new();
    if let Some(r) = reason {
        v.check(r.chars().count() <= MAX_REASON, "reason", "must be at most 500 characters");
        text::check(&mut v, "reason", r, Lines::Multi);
    }
    v.finish()?;
    Ok(reason.map(str::to_owned))
}
