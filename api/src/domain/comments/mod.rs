//! Comment threads: who sees what, writing, reading, moderation and counts.
//!
//! The tree is an adjacency list with `root_id` and `depth` on each row.
//! Counters live on the rows and the article and change in the same
//! transaction as what they count (see `counts`). A list never loads a
//! whole thread: pages are keyset ranges, reply previews one windowed
//! statement for a whole page.

pub mod body;
pub mod counts;
pub mod cursor;
pub mod events;
pub mod flags;
pub mod live;
pub mod moderation;
pub mod present;
pub mod reactions;
pub mod read;
pub mod recount;
pub mod rows;
pub mod rules;
pub mod settings;
pub mod thread_page;
pub mod threads;
pub mod visibility;
pub mod write;

pub use settings::CommentSettings;

pub type Comment = entity::comment::Model;

pub use entity::comment::{CommentStatus, HoldReason};

/// How top-level comments are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Newest,
    Oldest,
    MostReplies,
    MostReactions,
}

impl Sort {
    pub const ALL: [Self; 4] = [Self::Newest, Self::Oldest, Self::MostReplies, Self::MostReactions];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Newest => "newest",
            Self::Oldest => "oldest",
            Self::MostReplies => "most_replies",
            Self::MostReactions => "most_reactions",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

pub use entity::comment_flag::FlagReason;
