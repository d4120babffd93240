//! A comment in a thread; `depth` 0 is top level. The body is kept as
//! written (`body_raw`) and as served (`body_html`, sanitized, and
//! `body_text`), both rendered on write.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "comment")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub article_id: Uuid,
    pub user_id: Uuid,
    pub parent_id: Option<Uuid>,
    pub root_id: Option<Uuid>,
    pub reply_to_id: Option<Uuid>,
    pub depth: i32,
    pub body_raw: String,
    pub body_html: String,
    pub body_text: String,
    pub status: CommentStatus,
    pub hold_reason: Option<HoldReason>,
    pub revision: i32,
    pub reply_count: i32,
    pub reaction_count: i32,
    pub flag_count: i32,
    pub featured_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub edited_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

/// Where a comment stands. Only APPROVED ones are public; a DELETED one
/// with replies stays as a placeholder so its thread keeps its shape.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum CommentStatus {
    #[sea_orm(string_value = "PENDING")]
    Pending,
    #[sea_orm(string_value = "APPROVED")]
    Approved,
    #[sea_orm(string_value = "REJECTED")]
    Rejected,
    #[sea_orm(string_value = "SPAM")]
    Spam,
    #[sea_orm(string_value = "DELETED")]
    Deleted,
}

impl CommentStatus {
    pub const ALL: [Self; 5] = [Self::Pending, Self::Approved, Self::Rejected, Self::Spam, Self::Deleted];

    /// The name clients send and see, the same as the stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Approved => "APPROVED",
            Self::Rejected => "REJECTED",
            Self::Spam => "SPAM",
            Self::Deleted => "DELETED",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// Why a comment waits for a moderator.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum HoldReason {
    #[sea_orm(string_value = "PRE_MODERATION")]
    PreModeration,
    #[sea_orm(string_value = "SUSPECT_WORD")]
    SuspectWord,
    #[sea_orm(string_value = "LINKS")]
    Links,
    #[sea_orm(string_value = "FIRST_COMMENT")]
    FirstComment,
    #[sea_orm(string_value = "FLAGGED")]
    Flagged,
}

impl HoldReason {
    /// The name clients see, the same as the stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PreModeration => "PRE_MODERATION",
            Self::SuspectWord => "SUSPECT_WORD",
            Self::Links => "LINKS",
            Self::FirstComment => "FIRST_COMMENT",
            Self::Flagged => "FLAGGED",
        }
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
