//! Comment threads as they are served. The first comment tables were never
//! written to, so they are replaced whole rather than altered:
//!
//! - `comment` keeps its sanitized HTML and plain text beside the raw body
//!   (rendered once on write, never on the read path), the comment a deep
//!   reply answered (`reply_to_id`, when it was attached to the deepest
//!   allowed ancestor instead), a revision number, and when a moderator
//!   featured it.
//! - `comment_revision` keeps earlier bodies for moderators.
//! - `moderation_action` records every moderator action: who, when, what,
//!   why. Append-only.
//! - `comment_event` numbers every change readers may see live, so a stream
//!   resumes from `Last-Event-ID` and instances on one database see each
//!   other's changes.
//! - `article.comment_moderation` overrides the site's pre-moderation.

use crate::cols::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let b = manager.get_database_backend();
        for t in ["comment_flag", "comment_reaction", "comment"] {
            manager.drop_table(Table::drop().table(t).to_owned()).await?;
        }

        create(
            manager,
            Table::create()
                .table("comment")
                .col(uuid_pk("id"))
                .col(uuid("article_id"))
                .col(uuid("user_id"))
                // No foreign keys on the tree columns: a tombstone keeps its
                // row, and MySQL limits self-referencing cascades.
                .col(uuid_null("parent_id"))
                .col(uuid_null("root_id"))
                .col(uuid_null("reply_to_id"))
                .col(int("depth"))
                .col(text("body_raw"))
                .col(text("body_html"))
                .col(text("body_text"))
                .col(varchar("status", 16))
                // Why a comment waits for review (FIRST_COMMENT, LINKS, ...).
                .col(varchar_null("hold_reason", 32))
                .col(int("revision"))
                .col(int("reply_count"))
                .col(int("reaction_count"))
                .col(int("flag_count"))
                .col(ts_null(b, "featured_at"))
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
                .table("comment_revision")
                .col(uuid("comment_id"))
                .col(int("revision"))
                .col(text("body_raw"))
                .col(ts(b, "created_at"))
                .primary_key(Index::create().col("comment_id").col("revision"))
                .foreign_key(&mut fk("comment_revision", "comment_id", "comment", ForeignKeyAction::Cascade))
                .to_owned(),
        )
        .await?;

        // One reaction per reader per comment: the key makes a double tap
        // from two tabs a no-op rather than a second count.
        create(
            manager,
            Table::create()
                .table("comment_reaction")
                .col(uuid("comment_id"))
                .col(uuid("user_id"))
                .col(ts(b, "created_at"))
                .primary_key(Index::create().col("comment_id").col("user_id"))
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
                .col(varchar("reason", 16))
                .col(text_null("details"))
                .col(ts(b, "created_at"))
                .primary_key(Index::create().col("comment_id").col("user_id"))
                .foreign_key(&mut fk("comment_flag", "comment_id", "comment", ForeignKeyAction::Cascade))
                .foreign_key(&mut fk("comment_flag", "user_id", "app_user", ForeignKeyAction::Cascade))
                .to_owned(),
        )
        .await?;

        // No foreign keys: the record outlives what it names.
        create(
            manager,
            Table::create()
                .table("moderation_action")
                .col(uuid_pk("id"))
                .col(varchar("actor", 64))
                .col(varchar("action", 32))
                .col(uuid_null("comment_id"))
                .col(uuid_null("target_user_id"))
                .col(varchar_null("from_status", 16))
                .col(varchar_null("to_status", 16))
                .col(text_null("reason"))
                .col(ts(b, "created_at"))
                .to_owned(),
        )
        .await?;

        create(
            manager,
            Table::create()
                .table("comment_event")
                .col(ColumnDef::new("seq").big_integer().not_null().auto_increment().primary_key())
                .col(uuid("article_id"))
                .col(uuid("comment_id"))
                .col(varchar("kind", 16))
                .col(ts(b, "created_at"))
                .to_owned(),
        )
        .await?;

        manager
            .alter_table(
                Table::alter().table("article").add_column(varchar_null("comment_moderation", 16)).to_owned(),
            )
            .await?;

        create_indexes(
            manager,
            vec![
                // depth = 0 marks top-level comments, so no NULL in the key.
                index("comment", "thread", &["article_id", "depth", "created_at", "id"]),
                index("comment", "replies", &["parent_id", "created_at", "id"]),
                index("comment", "featured", &["article_id", "featured_at"]),
                index("comment", "user", &["user_id", "created_at"]),
                index("comment", "queue", &["status", "created_at", "id"]),
                index("moderation_action", "log", &["created_at", "id"]),
                index("moderation_action", "comment", &["comment_id"]),
                index("comment_event", "article", &["article_id", "seq"]),
            ],
        )
        .await
    }
}
