//! Editorial states as clients see them, and how they are stored.

use chrono::{DateTime, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Draft,
    Scheduled,
    Published,
    Archived,
}

impl Status {
    /// Stored values. SCHEDULED is never stored: it is PUBLISHED with a
    /// future publish date.
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
    pub fn effective(stored: &str, published_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Self {
        match stored {
            "PUBLISHED" if published_at.is_some_and(|p| p > now) => Self::Scheduled,
            "PUBLISHED" => Self::Published,
            "ARCHIVED" => Self::Archived,
            _ => Self::Draft,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommentsStatus {
    Open,
    Closed,
    Disabled,
}

impl CommentsStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "OPEN",
            Self::Closed => "CLOSED",
            Self::Disabled => "DISABLED",
        }
    }

    /// A name as clients send it; None for anything else.
    pub fn from_name(s: &str) -> Option<Self> {
        [Self::Open, Self::Closed, Self::Disabled].into_iter().find(|x| x.as_str() == s)
    }

    /// A stored value; anything unexpected reads as DISABLED, the safe side.
    pub fn parse(s: &str) -> Self {
        Self::from_name(s).unwrap_or(Self::Disabled)
    }
}
