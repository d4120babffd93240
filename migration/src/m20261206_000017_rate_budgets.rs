//! Rate budgets shared by the instances on one database: per budget key
//! (an address, an API key, a person), the theoretical arrival time of its
//! next request in nanoseconds since the Unix epoch. A row whose time has
//! passed is a whole budget, and is deleted now and then.

use crate::cols::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.has_table("rate_budget").await? {
            return Ok(());
        }
        create(
            manager,
            Table::create()
                .table("rate_budget")
                .col(ColumnDef::new("budget_key").string_len(200).not_null().primary_key())
                .col(ColumnDef::new("tat").big_integer().not_null())
                .to_owned(),
        )
        .await?;
        create_indexes(manager, vec![index("rate_budget", "tat", &["tat"])]).await
    }
}
