//! Who may do what. Every write in the domain asks here first, so GraphQL
//! and REST enforce the same rules.

use super::{Actor, Scope};
use crate::domain::audience::Audience;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use entity::comment::{CommentStatus, Model as Comment};

/// Anonymous callers are told to authenticate; known callers without the
/// scope are told they may not.
pub fn require(actor: &Actor, scope: Scope) -> AppResult<()> {
    if actor.has(scope) {
        Ok(())
    } else if actor.is_anonymous() {
        Err(AppError::Unauthenticated)
    } else {
        Err(AppError::Forbidden(format!("this key lacks the {} scope", scope.as_str())))
    }
}

/// Writing stories, bylines, sections, tags and media.
pub fn can_write_content(actor: &Actor) -> AppResult<()> {
    require(actor, Scope::ContentWrite)
}

/// A preview is asked for explicitly, so an editor's key reading the live
/// site sees what readers see.
pub fn audience(actor: &Actor, preview: bool) -> AppResult<Audience> {
    if !preview {
        return Ok(Audience::Public);
    }
    require(actor, Scope::ContentReadDrafts)?;
    Ok(Audience::Preview)
}

/// What a write may hand back. Writing does not grant reading drafts: a key
/// with `content:write` alone gets the whole story back only when the story
/// is public; otherwise a receipt (id, slug, version, status), so an ingest
/// tool cannot read an unpublished story by sending an empty PATCH.
/// `public`: whether the written story is public now (`articles::is_public`).
pub fn may_see_written(actor: &Actor, public: bool) -> bool {
    public || actor.has(Scope::ContentReadDrafts)
}

/// The signed-in person behind the actor. Anonymous callers are told to
/// authenticate; API keys (and Dateline itself) are not people.
pub fn person(actor: &Actor) -> AppResult<&super::Member> {
    actor.member.as_ref().ok_or_else(|| {
        if actor.is_anonymous() {
            AppError::Unauthenticated
        } else {
            AppError::Forbidden("this needs a signed-in person; an API key is not one".into())
        }
    })
}

/// Who may hand out roles: an admin, or Dateline's own CLI.
pub fn can_assign_roles(actor: &Actor) -> AppResult<()> {
    match (&actor.principal, &actor.member) {
        (super::Principal::System, _) => Ok(()),
        (_, Some(m)) if m.role == super::Role::Admin => Ok(()),
        (super::Principal::Anonymous, _) => Err(AppError::Unauthenticated),
        _ => Err(AppError::Forbidden("only an admin may change roles".into())),
    }
}

/// Whether the actor may post, react and flag: a signed-in person in good
/// standing. API keys act for systems, not readers, so they cannot.
/// Answers the person's id.
pub fn can_take_part(actor: &Actor, now: DateTime<Utc>) -> AppResult<uuid::Uuid> {
    let m = person(actor)?;
    if m.banned {
        return Err(AppError::Forbidden("this account is banned from discussions".into()));
    }
    if let Some(until) = m.suspended_until.filter(|u| *u > now) {
        return Err(AppError::Forbidden(format!("this account is suspended until {}", until.to_rfc3339())));
    }
    Ok(m.id)
}

/// Moderating comments and commenters: moderators, editors, admins, and
/// keys with `comments:moderate`.
pub fn can_moderate(actor: &Actor) -> AppResult<()> {
    require(actor, Scope::CommentsModerate)
}

/// Only a comment's author edits it, and only within the edit window;
/// moderators approve or remove, they do not put words in someone's mouth.
pub fn can_edit_comment(
    actor: &Actor,
    c: &Comment,
    window: chrono::TimeDelta,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if actor.user_id() != Some(c.user_id) {
        return Err(AppError::Forbidden("only its author may edit a comment".into()));
    }
    if c.status == CommentStatus::Deleted {
        return Err(AppError::Forbidden("a deleted comment cannot be edited".into()));
    }
    if c.created_at + window < now {
        return Err(AppError::Forbidden(format!(
            "comments can be edited for {} minutes after posting",
            window.num_minutes()
        )));
    }
    Ok(())
}

/// Its author or a moderator may delete a comment. Answers whether the
/// moderator's power was needed (the action is then logged).
pub fn can_delete_comment(actor: &Actor, c: &Comment) -> AppResult<bool> {
    if actor.user_id() == Some(c.user_id) {
        return Ok(false);
    }
    if actor.has(Scope::CommentsModerate) {
        return Ok(true);
    }
    if actor.is_anonymous() {
        return Err(AppError::Unauthenticated);
    }
    Err(AppError::Forbidden("only its author or a moderator may delete a comment".into()))
}
