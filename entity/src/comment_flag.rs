//! A reader's report on a comment; one per reader per comment.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "comment_flag")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub comment_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: Uuid,
    pub reason: FlagReason,
    pub details: Option<String>,
    pub created_at: DateTimeUtc,
}

/// The reasons a reader may give when flagging.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum FlagReason {
    #[sea_orm(string_value = "SPAM")]
    Spam,
    #[sea_orm(string_value = "ABUSIVE")]
    Abusive,
    #[sea_orm(string_value = "OFF_TOPIC")]
    OffTopic,
    #[sea_orm(string_value = "OTHER")]
    Other,
}

impl FlagReason {
    pub const ALL: [Self; 4] = [Self::Spam, Self::Abusive, Self::OffTopic, Self::Other];

    /// The name clients send and see, the same as the stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Spam => "SPAM",
            Self::Abusive => "ABUSIVE",
            Self::OffTopic => "OFF_TOPIC",
            Self::Other => "OTHER",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
