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
    pub status: String,
    pub hold_reason: Option<String>,
    pub revision: i32,
    pub reply_count: i32,
    pub reaction_count: i32,
    pub flag_count: i32,
    pub featured_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub edited_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
