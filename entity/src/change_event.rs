//! The change feed: one row per change a reader could see.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "change_event")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub seq: i64,
    pub entity_type: EntityType,
    pub entity_id: Uuid,
    /// The editorial action as editors see it (created, scheduled, ...).
    pub action: ChangeAction,
    /// What the public saw change (PUBLISHED, UPDATED, ...); null when the
    /// change concerned a story the public could not see.
    pub feed_event: Option<FeedEvent>,
    pub version: Option<i32>,
    pub slug: Option<String>,
    pub external_id: Option<String>,
    pub occurred_at: DateTimeUtc,
}

/// What a change is about.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum EntityType {
    #[sea_orm(string_value = "article")]
    Article,
    #[sea_orm(string_value = "author")]
    Author,
    #[sea_orm(string_value = "section")]
    Section,
    #[sea_orm(string_value = "tag")]
    Tag,
    #[sea_orm(string_value = "media")]
    Media,
}

impl EntityType {
    pub const ALL: [Self; 5] = [Self::Article, Self::Author, Self::Section, Self::Tag, Self::Media];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Article => "article",
            Self::Author => "author",
            Self::Section => "section",
            Self::Tag => "tag",
            Self::Media => "media",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == s)
    }
}

/// What an editor did, as the feed's drafts readers see it.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum ChangeAction {
    #[sea_orm(string_value = "created")]
    Created,
    #[sea_orm(string_value = "updated")]
    Updated,
    #[sea_orm(string_value = "published")]
    Published,
    #[sea_orm(string_value = "scheduled")]
    Scheduled,
    #[sea_orm(string_value = "unpublished")]
    Unpublished,
    #[sea_orm(string_value = "archived")]
    Archived,
    #[sea_orm(string_value = "deleted")]
    Deleted,
    #[sea_orm(string_value = "related_changed")]
    RelatedChanged,
    #[sea_orm(string_value = "corrected")]
    Corrected,
}

impl ChangeAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Updated => "updated",
            Self::Published => "published",
            Self::Scheduled => "scheduled",
            Self::Unpublished => "unpublished",
            Self::Archived => "archived",
            Self::Deleted => "deleted",
            Self::RelatedChanged => "related_changed",
            Self::Corrected => "corrected",
        }
    }
}

/// What the public saw change: the editorial event of a feed entry.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum FeedEvent {
    #[sea_orm(string_value = "PUBLISHED")]
    Published,
    #[sea_orm(string_value = "UPDATED")]
    Updated,
    #[sea_orm(string_value = "CORRECTED")]
    Corrected,
    #[sea_orm(string_value = "UNPUBLISHED")]
    Unpublished,
    #[sea_orm(string_value = "DELETED")]
    Deleted,
    /// A section, tag or author was created or changed.
    #[sea_orm(string_value = "UPSERTED")]
    Upserted,
}

impl FeedEvent {
    pub const ALL: [FeedEvent; 6] =
        [Self::Published, Self::Updated, Self::Corrected, Self::Unpublished, Self::Deleted, Self::Upserted];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Published => "PUBLISHED",
            Self::Updated => "UPDATED",
            Self::Corrected => "CORRECTED",
            Self::Unpublished => "UNPUBLISHED",
            Self::Deleted => "DELETED",
            Self::Upserted => "UPSERTED",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == s)
    }

    /// The public event of a story's change, from whether the feed had
    /// announced it before and has after; None when the public saw nothing.
    pub fn of_article(was_public: bool, is_public: bool, action: ChangeAction) -> Option<Self> {
        match (was_public, is_public) {
            (true, _) if action == ChangeAction::Deleted => Some(Self::Deleted),
            (false, true) => Some(Self::Published),
            (true, true) if action == ChangeAction::Corrected => Some(Self::Corrected),
            (true, true) => Some(Self::Updated),
            (true, false) => Some(Self::Unpublished),
            (false, false) => None,
        }
    }

    /// Entries that carry no document: the story left the public.
    pub fn is_tombstone(self) -> bool {
        matches!(self, Self::Deleted | Self::Unpublished)
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
