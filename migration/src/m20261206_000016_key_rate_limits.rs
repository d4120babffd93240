//! Each API key's own request budget: behind a CDN every reader shares a
//! few addresses, so a key is limited by itself, not by where it calls
//! from. Null: the default rate for keys.

use crate::cols::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.has_column("api_key", "rate_limit").await? {
            return Ok(());
        }
        manager
            .alter_table(Table::alter().table("api_key").add_column(int_null("rate_limit")).to_owned())
            .await
    }
}
