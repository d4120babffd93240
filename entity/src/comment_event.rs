//! A numbered comment change that live readers may be shown.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "comment_event")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub seq: i64,
    pub article_id: Uuid,
    pub comment_id: Uuid,
    pub kind: EventKind,
    pub created_at: DateTimeUtc,
}

/// ADDED a new comment, APPROVED one that came into public view, UPDATED
/// any other later change, REMOVED one that left public view.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum EventKind {
    #[sea_orm(string_value = "ADDED")]
    Added,
    /// Came into public view (approved from the queue).
    #[sea_orm(string_value = "APPROVED")]
    Approved,
    #[sea_orm(string_value = "UPDATED")]
    Updated,
    #[sea_orm(string_value = "REMOVED")]
    Removed,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
