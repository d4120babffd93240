//! GraphQL documents known by an id, so that a client can send the id
//! instead of the document (by GET, so that a CDN can keep the answer).
//! Kept in the database, so every instance on it knows a registered id.

use crate::cols::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let b = manager.get_database_backend();
        // MySQL commits DDL as it goes: a run cut short is run again whole.
        if manager.has_table("persisted_operation").await? {
            return Ok(());
        }
        create(
            manager,
            Table::create()
                .table("persisted_operation")
                .col(ColumnDef::new("id").string_len(200).not_null().primary_key())
                .col(varchar("sha256", 64))
                .col(long_text(b, "document"))
                .col(varchar_null("name", 200))
                .col(varchar("origin", 16))
                .col(ts(b, "created_at"))
                .to_owned(),
        )
        .await?;
        create_indexes(
            manager,
            vec![
                index("persisted_operation", "sha256", &["sha256"]),
                index("persisted_operation", "origin_created", &["origin", "created_at"]),
            ],
        )
        .await
    }
}
