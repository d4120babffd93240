//! The read path's own storage: automatic related picks ranked off the
//! read path and kept per article, the queue of lists to re-rank, and the
//! index a section page walks.

use crate::cols::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let b = manager.get_database_backend();

        // Ranked picks per source, best first. `shared_tags` lists the tag
        // ids behind a pick, comma-separated, so a read explains the pick
        // without re-ranking.
        let mut score = ColumnDef::new("score");
        score.double().not_null();
        create(
            manager,
            Table::create()
                .table("related_pick")
                .col(uuid("article_id"))
                .col(int("position"))
                .col(uuid("related_id"))
                .col(varchar("reason", 16))
                .col(score)
                .col(text("shared_tags"))
                // The pick's own publish time, so a read can skip picks not
                // yet live without joining their rows. (Status needs no
                // copy: a story that leaves PUBLISHED marks every list
                // showing it stale, and stale lists are ranked afresh.)
                .col(ts_null(b, "published_at"))
                .primary_key(Index::create().col("article_id").col("position"))
                .foreign_key(&mut fk("related_pick", "article_id", "article", ForeignKeyAction::Cascade))
                .foreign_key(&mut fk("related_pick", "related_id", "article", ForeignKeyAction::Cascade))
                .to_owned(),
        )
        .await?;

        // Lists a write may have changed. A read ranks a stale list itself;
        // the refresher stores it and removes the mark, unless `token`
        // changed meanwhile (the list was marked again).
        create(
            manager,
            Table::create()
                .table("related_stale")
                .col(uuid_pk("article_id"))
                .col(uuid("token"))
                .col(ts(b, "marked_at"))
                .foreign_key(&mut fk("related_stale", "article_id", "article", ForeignKeyAction::Cascade))
                .to_owned(),
        )
        .await?;

        create_indexes(
            manager,
            vec![
                index("related_pick", "related", &["related_id"]),
                index("related_stale", "marked", &["marked_at"]),
                // Section pages: equality on section and status, then the
                // publish-date range in order, so a page reads only its rows.
                index("article", "section_status_published", &["section_id", "status", "published_at", "id"]),
            ],
        )
        .await
    }
}
