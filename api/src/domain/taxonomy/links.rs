//! What a story links to: its byline, tags and section. The ids are on the
//! story's row; the names come from the [`super::catalog::Catalog`].

use super::{Author, Section, Tag};

/// What one story links to, in the editor's order.
#[derive(Debug, Clone, Default)]
pub struct Links {
    pub authors: Vec<Author>,
    pub tags: Vec<Tag>,
    pub section: Option<Section>,
}

/// Which links a caller wants; a list that shows only bylines reads no tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LinkKinds {
    pub authors: bool,
    pub tags: bool,
    pub section: bool,
}

impl LinkKinds {
    pub const ALL: Self = Self { authors: true, tags: true, section: true };
    pub const AUTHORS: Self = Self { authors: true, tags: false, section: false };
    pub const TAGS: Self = Self { authors: false, tags: true, section: false };
    pub const SECTION: Self = Self { authors: false, tags: false, section: true };
}
