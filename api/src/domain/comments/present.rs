//! A comment as both APIs show it: the body as served, its author's byline
//! (none once either is deleted) and what only moderators are shown. The
//! adapters load authors and reactions their own way (GraphQL through
//! DataLoaders, REST per page) and then only copy these fields.

use super::visibility::Viewer;
use super::{Comment, CommentStatus, HoldReason};
use crate::domain::accounts::users::{self, Byline, Poster};

/// Sanitized HTML and plain text; empty once deleted.
pub struct Body {
    pub html: String,
    pub text: String,
}

/// Why a comment waits and how often readers flagged it.
pub struct ForModerators {
    pub hold_reason: Option<HoldReason>,
    pub flag_count: i32,
}

pub fn body(c: &Comment) -> Body {
    Body { html: c.body_html.clone(), text: c.body_text.clone() }
}

/// The byline under a comment: "[deleted]" once the comment or its
/// author's account is gone, so an erased person leaves no name behind.
pub fn author(c: &Comment, user: Option<&Poster>) -> Byline {
    users::byline(user, c.status == CommentStatus::Deleted)
}

/// Only moderators are told why a comment is held and how often it was flagged.
pub fn for_moderators(c: &Comment, viewer: Viewer) -> Option<ForModerators> {
    viewer.moderator.then_some(ForModerators { hold_reason: c.hold_reason, flag_count: c.flag_count })
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn only_moderators_see_why_a_comment_is_held() {
        let mut c = crate::domain::samples::comment(Uuid::from_u128(1), CommentStatus::Pending);
        c.hold_reason = Some(HoldReason::Links);
        c.flag_count = 2;
        let reader = Viewer { user: Some(Uuid::from_u128(9)), moderator: false };
        assert!(for_moderators(&c, reader).is_none());
        let m = for_moderators(&c, Viewer { user: None, moderator: true });
        assert_eq!(m.map(|m| (m.hold_reason, m.flag_count)), Some((Some(HoldReason::Links), 2)));
    }
}
