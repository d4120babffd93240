//! The change feed: one row per change a reader could see.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "change_event")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub seq: i64,
    pub entity_type: String,
    pub entity_id: Uuid,
    /// The editorial action as editors see it (created, scheduled, ...).
    pub action: String,
    /// What the public saw change (PUBLISHED, UPDATED, ...); null when the
    /// change concerned a story the public could not see.
    pub feed_event: Option<String>,
    pub version: Option<i32>,
    pub slug: Option<String>,
    pub external_id: Option<String>,
    pub occurred_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
