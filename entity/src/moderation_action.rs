//! One moderator action: who (`user:ID` or `key:ID`), when, what, why.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "moderation_action")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub actor: String,
    pub action: ActionKind,
    pub comment_id: Option<Uuid>,
    pub target_user_id: Option<Uuid>,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub reason: Option<String>,
    pub created_at: DateTimeUtc,
}

/// What a moderator did.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum ActionKind {
    #[sea_orm(string_value = "SET_STATUS")]
    SetStatus,
    #[sea_orm(string_value = "FEATURE")]
    Feature,
    #[sea_orm(string_value = "UNFEATURE")]
    Unfeature,
    #[sea_orm(string_value = "DELETE")]
    Delete,
    #[sea_orm(string_value = "BAN")]
    Ban,
    #[sea_orm(string_value = "SUSPEND")]
    Suspend,
    #[sea_orm(string_value = "REINSTATE")]
    Reinstate,
    #[sea_orm(string_value = "ARTICLE_MODERATION_PRE")]
    ArticleModerationPre,
    #[sea_orm(string_value = "ARTICLE_MODERATION_POST")]
    ArticleModerationPost,
    #[sea_orm(string_value = "ARTICLE_MODERATION_DEFAULT")]
    ArticleModerationDefault,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
