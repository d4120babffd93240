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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::accounts::Role;
    use crate::domain::samples::{comment, key, person, t0};
    use chrono::TimeDelta;
    use uuid::Uuid;

    fn code<T>(r: AppResult<T>) -> Option<u16> {
        r.err().map(|e| e.status())
    }

    #[test]
    fn who_may_edit_and_delete_a_comment() {
        let author = person(1, Role::Reader);
        let c = comment(Uuid::from_u128(1), CommentStatus::Approved);
        let window = TimeDelta::minutes(15);
        assert_eq!(code(can_edit_comment(&author, &c, window, t0() + TimeDelta::minutes(10))), None);
        assert_eq!(code(can_edit_comment(&author, &c, window, t0() + TimeDelta::minutes(16))), Some(403));
        let deleted = comment(Uuid::from_u128(1), CommentStatus::Deleted);
        assert_eq!(code(can_edit_comment(&author, &deleted, window, t0())), Some(403));
        for not_author in [person(2, Role::Reader), person(3, Role::Admin), key(&Scope::ALL)] {
            assert_eq!(
                code(can_edit_comment(&not_author, &c, window, t0())),
                Some(403),
                "only its author edits"
            );
        }
        assert_eq!(can_delete_comment(&author, &c).ok(), Some(false), "the author needs no power");
        assert_eq!(can_delete_comment(&person(3, Role::Moderator), &c).ok(), Some(true));
        assert_eq!(can_delete_comment(&key(&[Scope::CommentsModerate]), &c).ok(), Some(true));
        assert_eq!(code(can_delete_comment(&person(2, Role::Reader), &c)), Some(403));
        assert_eq!(code(can_delete_comment(&Actor::anonymous(), &c)), Some(401));
    }

    #[test]
    fn who_may_take_part_preview_and_hand_out_roles() {
        assert_eq!(code(can_take_part(&person(1, Role::Reader), t0())), None);
        assert_eq!(code(can_take_part(&Actor::anonymous(), t0())), Some(401));
        assert_eq!(code(can_take_part(&key(&Scope::ALL), t0())), Some(403), "keys are not readers");
        let mut banned = person(1, Role::Reader);
        if let Some(m) = banned.member.as_mut() {
            m.banned = true;
        }
        assert_eq!(code(can_take_part(&banned, t0())), Some(403));
        let mut suspended = person(1, Role::Reader);
        if let Some(m) = suspended.member.as_mut() {
            m.suspended_until = Some(t0() + TimeDelta::hours(1));
        }
        assert_eq!(code(can_take_part(&suspended, t0())), Some(403));
        assert_eq!(code(can_take_part(&suspended, t0() + TimeDelta::hours(2))), None, "a suspension ends");

        assert_eq!(audience(&Actor::anonymous(), false).ok(), Some(Audience::Public));
        assert_eq!(code(audience(&Actor::anonymous(), true)), Some(401));
        assert_eq!(
            code(audience(&key(&[Scope::ContentWrite]), true)),
            Some(403),
            "writing is not reading drafts"
        );
        assert_eq!(audience(&person(1, Role::Editor), true).ok(), Some(Audience::Preview));
        assert!(may_see_written(&key(&[Scope::ContentWrite]), true));
        assert!(!may_see_written(&key(&[Scope::ContentWrite]), false));
        assert!(may_see_written(&key(&[Scope::ContentReadDrafts]), false));

        assert_eq!(code(can_assign_roles(&Actor::system())), None);
        assert_eq!(code(can_assign_roles(&person(1, Role::Admin))), None);
        assert_eq!(code(can_assign_roles(&person(1, Role::Editor))), Some(403));
        assert_eq!(code(can_assign_roles(&key(&Scope::ALL))), Some(403), "roles are for people to give");
        assert_eq!(code(can_assign_roles(&Actor::anonymous())), Some(401));
    }
}
