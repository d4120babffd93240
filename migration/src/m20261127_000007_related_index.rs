//! Related-story ranking looks up a few hundred candidate articles by id
//! and needs only their status, date and section: a covering index keeps
//! those lookups off the wide rows (bodies are large).

use crate::cols::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_indexes(
            manager,
            vec![index("article", "visible_by_id", &["id", "status", "published_at", "section_id"])],
        )
        .await
    }
}
