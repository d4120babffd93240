//! Related stories: the editor's curated, ordered list per article, then
//! automatic picks that say why they were chosen.
//!
//! Ranking is kept off the read path. `rank` scores candidates; `refresh`
//! stores each article's best picks and re-ranks the lists a write may have
//! changed; `read` serves a list in one statement, joining curated links
//! and stored picks to the stories a reader may see at that instant. A
//! write marks the lists it may change as stale in its own transaction, and
//! a read ranks a stale list itself until the refresher has stored it
//! again, so no reader is ever shown a list that a committed write has
//! outdated: the refresher only moves that cost off later reads.

pub mod curated;
mod rank;
mod read;
pub mod refresh;

pub use curated::{MAX_CURATED, curated_ids, set_curated};
pub use rank::{PER_TAG_POOL, SECTION_BONUS, tag_weight};
pub use read::{lists, with_story};

use crate::domain::articles::Article;
use crate::domain::pagination::RELATED;
use crate::domain::taxonomy::Tag;
use uuid::Uuid;

/// Why a story is in a related list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Chosen by an editor.
    Curated,
    /// Picked automatically for the tags it shares.
    SharedTags,
    /// Picked automatically from the same section (no tag in common).
    SameSection,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Curated => "CURATED",
            Self::SharedTags => "SHARED_TAGS",
            Self::SameSection => "SAME_SECTION",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Curated, Self::SharedTags, Self::SameSection].into_iter().find(|r| r.as_str() == s)
    }
}

#[derive(Debug, Clone)]
pub struct RelatedItem {
    pub article: Article,
    pub reason: Reason,
    /// Curated items score 0; automatic ones see [`rank`].
    pub score: f64,
    pub shared_tag_ids: Vec<Uuid>,
}

impl RelatedItem {
    /// Of the related story's tags, those behind an automatic pick.
    pub fn shared_tags<'a>(&'a self, story_tags: &'a [Tag]) -> impl Iterator<Item = &'a Tag> {
        story_tags.iter().filter(|t| self.shared_tag_ids.contains(&t.id))
    }
}

/// The longest list a client may ask for, and how many picks are stored.
pub const MAX_RELATED: usize = RELATED.max as usize;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_round_trip_and_refuse_unknown_names() {
        for r in [Reason::Curated, Reason::SharedTags, Reason::SameSection] {
            assert_eq!(Reason::parse(r.as_str()), Some(r));
        }
        assert_eq!(Reason::parse("STALE"), None);
    }
}
