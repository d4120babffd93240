//! The site's comment rules, from configuration.

use super::rules::WordList;
use chrono::TimeDelta;

#[derive(Debug, Clone)]
pub struct CommentSettings {
    /// Levels a thread may have; a reply below the last level attaches to
    /// the deepest allowed ancestor.
    pub max_levels: i32,
    pub edit_window: TimeDelta,
    /// Comments close this long after publication; None keeps them open.
    pub auto_close_after: Option<TimeDelta>,
    /// New comments wait for approval everywhere (an article may override).
    pub pre_moderation: bool,
    /// Flags that send an approved comment back to the queue.
    pub flag_threshold: i32,
    /// A person's first this-many comments wait for approval.
    pub hold_first: i32,
    /// Comments with links wait for approval.
    pub hold_links: bool,
    /// The same body from the same person within this window is refused.
    pub duplicate_window: TimeDelta,
    pub banned_words: WordList,
    pub suspect_words: WordList,
}

impl Default for CommentSettings {
    fn default() -> Self {
        Self {
            max_levels: 5,
            edit_window: TimeDelta::minutes(15),
            auto_close_after: None,
            pre_moderation: false,
            flag_threshold: 3,
            hold_first: 0,
            hold_links: false,
            duplicate_window: TimeDelta::minutes(5),
            banned_words: WordList::default(),
            suspect_words: WordList::default(),
        }
    }
}
