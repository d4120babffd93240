//! Lists to re-rank become an append-only log of marks.
//!
//! `related_stale` kept one row per list, upserted by every write that
//! could change the list and locked by the refresher: two editors saving
//! different stories that share a tag updated the same rows in different
//! orders, and its foreign key share-locked other stories' rows while their
//! own editors held them. A mark is now a row of its own, inserted and
//! never updated, with no foreign key: writes that mark the same list never
//! touch each other's rows. The refresher deletes the marks it has seen, so
//! a mark added while it ranked survives and the list is ranked again.

use crate::cols::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let b = manager.get_database_backend();
        create(
            manager,
            Table::create()
                .table("related_mark")
                .col(uuid_pk("id"))
                .col(uuid("article_id"))
                .col(ts(b, "marked_at"))
                .to_owned(),
        )
        .await?;
        create_indexes(
            manager,
            vec![
                index("related_mark", "article", &["article_id"]),
                index("related_mark", "marked", &["marked_at"]),
            ],
        )
        .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "INSERT INTO related_mark (id, article_id, marked_at) \
                 SELECT token, article_id, marked_at FROM related_stale",
            )
            .await?;
        manager.drop_table(Table::drop().table("related_stale").to_owned()).await
    }
}
