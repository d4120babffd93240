//! A story's body, apart from the story's row: large (three forms) and read
//! only when a client asks for it. `body_blocks` is canonical; `body_html`
//! and `body_text` are derived on write. `headline` and `dek` repeat the
//! story's, written together with them, so full-text search indexes one row.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "article_body")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub article_id: Uuid,
    pub headline: String,
    pub dek: Option<String>,
    pub body_blocks: String,
    pub body_html: String,
    pub body_text: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
