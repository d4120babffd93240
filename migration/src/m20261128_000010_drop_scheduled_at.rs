//! `article.scheduled_at` was written but never read: a scheduled story is
//! PUBLISHED with a future `published_at`, and that alone says when it goes
//! live. One source for the time leaves nothing to disagree.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("article").drop_column("scheduled_at").to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let col = crate::cols::ts_null(manager.get_database_backend(), "scheduled_at");
        manager.alter_table(Table::alter().table("article").add_column(col).to_owned()).await
    }
}
