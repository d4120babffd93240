//! What integrators read and receive.
//!
//! - `change_event` gains the public editorial event of each change
//!   (`feed_event`: PUBLISHED, UPDATED, CORRECTED, UNPUBLISHED, DELETED,
//!   UPSERTED, or null when the public never saw it) and the story's
//!   `external_id`, which a tombstone must still carry after the row is gone.
//!   Its earlier rows said nothing about the public, so the table is rebuilt
//!   with one PUBLISHED entry per story public now: an initial sync of an
//!   existing database starts from what readers see.
//! - `feed_lock` is one row every feed write locks before it takes its
//!   sequence number, so numbers are handed out in commit order and a reader
//!   can never pass a number that a slower transaction will commit later.
//! - `article.feed_public` says whether the feed has announced a story as
//!   public. A scheduled story's time comes without a write; the scheduler
//!   finds it by this flag and announces it exactly once.
//! - The webhook tables had never been written to and are rebuilt whole:
//!   endpoints keep the previous secret for a while after a rotation, and
//!   say why they were disabled; deliveries carry their signed payload and a
//!   lease, so one instance at a time sends each.

use crate::cols::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let b = manager.get_database_backend();
        let now = chrono::Utc::now();
        for t in ["webhook_delivery", "webhook_endpoint", "change_event"] {
            manager.drop_table(Table::drop().table(t).to_owned()).await?;
        }

        create(
            manager,
            Table::create()
                .table("change_event")
                .col(ColumnDef::new("seq").big_integer().not_null().auto_increment().primary_key())
                .col(varchar("entity_type", 32))
                .col(uuid("entity_id"))
                .col(varchar("action", 32))
                .col(varchar_null("feed_event", 16))
                .col(int_null("version"))
                .col(varchar_null("slug", 200))
                .col(varchar_null("external_id", 200))
                .col(ts(b, "occurred_at"))
                .to_owned(),
        )
        .await?;

        create(
            manager,
            Table::create()
                .table("feed_lock")
                .col(ColumnDef::new("id").integer().not_null().primary_key())
                .col(ColumnDef::new("bumps").big_integer().not_null())
                .to_owned(),
        )
        .await?;
        let one = Query::insert()
            .into_table("feed_lock")
            .columns(["id", "bumps"])
            .values([1.into(), 0i64.into()])
            .map_err(|e| DbErr::Migration(e.to_string()))?
            .to_owned();
        manager.exec_stmt(one).await?;

        let mut public = boolean("feed_public");
        public.default(false);
        manager.alter_table(Table::alter().table("article").add_column(public).to_owned()).await?;
        let live =
            Condition::all().add(Expr::col("status").eq("PUBLISHED")).add(Expr::col("published_at").lte(now));
        let announce =
            Query::update().table("article").value("feed_public", true).cond_where(live.clone()).to_owned();
        manager.exec_stmt(announce).await?;
        let backfill = Query::insert()
            .into_table("change_event")
            .columns([
                "entity_type",
                "entity_id",
                "action",
                "feed_event",
                "version",
                "slug",
                "external_id",
                "occurred_at",
            ])
            .select_from(
                Query::select()
                    .expr(Expr::val("article"))
                    .column("id")
                    .expr(Expr::val("published"))
                    .expr(Expr::val("PUBLISHED"))
                    .column("version")
                    .column("slug")
                    .column("external_id")
                    .column("published_at")
                    .from("article")
                    .cond_where(live)
                    .order_by("published_at", Order::Asc)
                    .order_by("id", Order::Asc)
                    .to_owned(),
            )
            .map_err(|e| DbErr::Migration(e.to_string()))?
            .to_owned();
        manager.exec_stmt(backfill).await?;

        create(
            manager,
            Table::create()
                .table("webhook_endpoint")
                .col(uuid_pk("id"))
                .col(text("url"))
                .col(varchar_null("description", 500))
                // Signing needs the secret itself, so it cannot be hashed.
                .col(varchar("secret", 100))
                .col(varchar_null("previous_secret", 100))
                .col(ts_null(b, "previous_secret_until"))
                .col(text("event_types"))
                .col(boolean("enabled"))
                .col(text_null("disabled_reason"))
                .col(ts_null(b, "failing_since"))
                .col(ts(b, "created_at"))
                .col(ts(b, "updated_at"))
                .to_owned(),
        )
        .await?;

        create(
            manager,
            Table::create()
                .table("webhook_delivery")
                .col(uuid_pk("id"))
                .col(uuid("endpoint_id"))
                .col(varchar("event_type", 40))
                .col(long_text(b, "payload"))
                .col(ColumnDef::new("feed_seq").big_integer().null())
                .col(varchar("status", 16))
                .col(int("attempts"))
                .col(ts(b, "next_attempt_at"))
                .col(ts_null(b, "lease_until"))
                .col(int_null("last_status_code"))
                .col(text_null("last_error"))
                .col(ts(b, "created_at"))
                .col(ts_null(b, "delivered_at"))
                .foreign_key(&mut fk(
                    "webhook_delivery",
                    "endpoint_id",
                    "webhook_endpoint",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;

        create_indexes(
            manager,
            vec![
                index("change_event", "entity", &["entity_type", "entity_id"]),
                index("article", "unannounced", &["feed_public", "published_at"]),
                index("webhook_delivery", "due", &["status", "next_attempt_at"]),
                index("webhook_delivery", "endpoint", &["endpoint_id", "created_at"]),
            ],
        )
        .await
    }
}
