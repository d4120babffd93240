//! Editorial states as clients see them, and how they are stored (the
//! stored enums live with the entity).

use chrono::{DateTime, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Draft,
    Scheduled,
    Published,
    Archived,
}

impl Status {
    /// The names clients send and see.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "DRAFT",
            Self::Scheduled => "SCHEDULED",
            Self::Published => "PUBLISHED",
            Self::Archived => "ARCHIVED",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Draft, Self::Scheduled, Self::Published, Self::Archived].into_iter().find(|x| x.as_str() == s)
    }

    /// The status a reader of the API sees at `now`.
    pub fn effective(stored: StoredStatus, published_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Self {
        match stored {
            StoredStatus::Published if published_at.is_some_and(|p| p > now) => Self::Scheduled,
            StoredStatus::Published => Self::Published,
            StoredStatus::Archived => Self::Archived,
            StoredStatus::Draft => Self::Draft,
        }
    }

    /// How stories in this state are stored (SCHEDULED as PUBLISHED).
    pub fn stored(self) -> StoredStatus {
        match self {
            Self::Draft => StoredStatus::Draft,
            Self::Scheduled | Self::Published => StoredStatus::Published,
            Self::Archived => StoredStatus::Archived,
        }
    }
}

pub use entity::article::{CommentsStatus, StoredStatus};
