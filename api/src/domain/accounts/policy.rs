//! Who may do what. Every write in the domain asks here first, so GraphQL
//! and REST enforce the same rules.

use super::{Actor, Scope};
use crate::domain::articles::{self, Article};
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};

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

/// What a read returns: only what is public, or (for a preview) drafts,
/// scheduled and archived stories too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Public,
    Preview,
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
pub fn may_see_written(actor: &Actor, written: &Article, now: DateTime<Utc>) -> bool {
    articles::is_public(written, now) || actor.has(Scope::ContentReadDrafts)
}
