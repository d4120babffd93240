//! Articles and everything hanging off them: bylines, tags, curated related
//! links and corrections.

use crate::cols::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let b = manager.get_database_backend();

        // `body_blocks` is the canonical body (JSON typed blocks); `body_html`
        // and `body_text` are derived from it on write so reads never render.
        create(
            manager,
            Table::create()
                .table("article")
                .col(uuid_pk("id"))
                .col(varchar("slug", 200).unique_key())
                .col(varchar_null("external_id", 200).unique_key())
                .col(varchar("headline", 400))
                .col(text_null("dek"))
                .col(varchar_null("dateline", 200))
                .col(long_text(b, "body_blocks"))
                .col(long_text(b, "body_html"))
                .col(long_text(b, "body_text"))
                .col(int("word_count"))
                .col(uuid_null("hero_image_id"))
                .col(uuid_null("section_id"))
                .col(text_null("audio_url"))
                .col(int_null("audio_duration_seconds"))
                .col(varchar_null("audio_mime_type", 100))
                .col(varchar("status", 16))
                .col(ts_null(b, "published_at"))
                .col(ts_null(b, "scheduled_at"))
                .col(varchar_null("seo_title", 300))
                .col(text_null("seo_description"))
                .col(text_null("canonical_url"))
                .col(varchar("comments_status", 16))
                .col(int("comment_count"))
                .col(int("version"))
                .col(ts(b, "created_at"))
                .col(ts(b, "updated_at"))
                .foreign_key(&mut fk("article", "hero_image_id", "media", ForeignKeyAction::SetNull))
                .foreign_key(&mut fk("article", "section_id", "section", ForeignKeyAction::SetNull))
                .to_owned(),
        )
        .await?;

        for (table, other_col, other) in
            [("article_author", "author_id", "author"), ("article_tag", "tag_id", "tag")]
        {
            create(
                manager,
                Table::create()
                    .table(table)
                    .col(uuid("article_id"))
                    .col(uuid(other_col))
                    .col(int("position"))
                    .primary_key(Index::create().col("article_id").col(other_col))
                    .foreign_key(&mut fk(table, "article_id", "article", ForeignKeyAction::Cascade))
                    .foreign_key(&mut fk(table, other_col, other, ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;
        }

        create(
            manager,
            Table::create()
                .table("article_related")
                .col(uuid("article_id"))
                .col(uuid("related_id"))
                .col(int("position"))
                .primary_key(Index::create().col("article_id").col("related_id"))
                .foreign_key(&mut fk("article_related", "article_id", "article", ForeignKeyAction::Cascade))
                .foreign_key(&mut fk("article_related", "related_id", "article", ForeignKeyAction::Cascade))
                .to_owned(),
        )
        .await?;

        create(
            manager,
            Table::create()
                .table("correction")
                .col(uuid_pk("id"))
                .col(uuid("article_id"))
                .col(text("text"))
                .col(ts(b, "published_at"))
                .col(ts(b, "created_at"))
                .foreign_key(&mut fk("correction", "article_id", "article", ForeignKeyAction::Cascade))
                .to_owned(),
        )
        .await?;

        create_indexes(
            manager,
            vec![
                // Public listing: visible statuses ordered by (published_at, id).
                index("article", "status_published", &["status", "published_at", "id"]),
                index("article", "section_published", &["section_id", "published_at"]),
                index("article", "updated", &["updated_at"]),
                index("article_author", "author", &["author_id", "article_id"]),
                index("article_tag", "tag", &["tag_id", "article_id"]),
                index("article_related", "related", &["related_id"]),
                index("correction", "article", &["article_id", "published_at"]),
            ],
        )
        .await
    }
}
