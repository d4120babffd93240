//! Threaded comments: an adjacency list with `root_id` and `depth` stored on
//! the row, and counters kept on the rows in the same transaction as changes.

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
                .table("comment")
                .col(uuid_pk("id"))
                .col(uuid("article_id"))
                .col(uuid("user_id"))
                // No foreign key on parent/root: a tombstoned comment keeps its
                // row, and MySQL limits self-referencing cascades.
                .col(uuid_null("parent_id"))
                .col(uuid_null("root_id"))
                .col(int("depth"))
                .col(text("body_raw"))
                .col(varchar("status", 16))
                .col(int("reply_count"))
                .col(int("reaction_count"))
                .col(int("flag_count"))
                .col(ts(b, "created_at"))
                .col(ts_null(b, "edited_at"))
                .col(ts(b, "updated_at"))
                .foreign_key(&mut fk("comment", "article_id", "article", ForeignKeyAction::Cascade))
                .foreign_key(&mut fk("comment", "user_id", "app_user", ForeignKeyAction::Cascade))
                .to_owned(),
        )
        .await?;

        create(
            manager,
            Table::create()
                .table("comment_reaction")
                .col(uuid("comment_id"))
                .col(uuid("user_id"))
                .col(varchar("kind", 32))
                .col(ts(b, "created_at"))
                .primary_key(Index::create().col("comment_id").col("user_id").col("kind"))
                .foreign_key(&mut fk("comment_reaction", "comment_id", "comment", ForeignKeyAction::Cascade))
                .foreign_key(&mut fk("comment_reaction", "user_id", "app_user", ForeignKeyAction::Cascade))
                .to_owned(),
        )
        .await?;

        create(
            manager,
            Table::create()
                .table("comment_flag")
                .col(uuid("comment_id"))
                .col(uuid("user_id"))
                .col(varchar("reason", 64))
                .col(text_null("detail"))
                .col(ts(b, "created_at"))
                .primary_key(Index::create().col("comment_id").col("user_id"))
                .foreign_key(&mut fk("comment_flag", "comment_id", "comment", ForeignKeyAction::Cascade))
                .foreign_key(&mut fk("comment_flag", "user_id", "app_user", ForeignKeyAction::Cascade))
                .to_owned(),
        )
        .await?;

        create_indexes(
            manager,
            vec![
                // depth = 0 marks top-level comments, so no NULL in the key.
                index("comment", "thread", &["article_id", "depth", "status", "created_at", "id"]),
                index("comment", "replies", &["parent_id", "status", "created_at", "id"]),
                index("comment", "user", &["user_id", "created_at"]),
                index("comment", "queue", &["status", "created_at"]),
            ],
        )
        .await
    }
}
