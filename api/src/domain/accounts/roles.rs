//! Roles of people. A role is a bundle of the scopes API keys carry, so one
//! check (`Actor::has`) serves keys and people alike.

use super::Scope;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Role {
    Reader,
    Moderator,
    Editor,
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Reader, Role::Moderator, Role::Editor, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reader => "READER",
            Self::Moderator => "MODERATOR",
            Self::Editor => "EDITOR",
            Self::Admin => "ADMIN",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str().eq_ignore_ascii_case(s))
    }

    /// Staff are marked as such next to their comments.
    pub fn is_staff(self) -> bool {
        self != Self::Reader
    }

    pub fn scopes(self) -> Vec<Scope> {
        match self {
            Self::Reader => Vec::new(),
            Self::Moderator => vec![Scope::CommentsModerate],
            Self::Editor => vec![Scope::CommentsModerate, Scope::ContentWrite, Scope::ContentReadDrafts],
            Self::Admin => Scope::ALL.to_vec(),
        }
    }
}
