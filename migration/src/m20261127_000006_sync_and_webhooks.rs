//! The change feed integrators sync from, webhook endpoints with their
//! delivery outbox, and stored answers for idempotent retries.

use crate::cols::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let b = manager.get_database_backend();

        // `seq` is the integrator's cursor: monotonic, one row per change.
        create(
            manager,
            Table::create()
                .table("change_event")
                .col(ColumnDef::new("seq").big_integer().not_null().auto_increment().primary_key())
                .col(varchar("entity_type", 32))
                .col(uuid("entity_id"))
                .col(varchar("action", 32))
                .col(int_null("version"))
                .col(varchar_null("slug", 200))
                .col(ts(b, "occurred_at"))
                .to_owned(),
        )
        .await?;

        // The signing secret has to be readable to sign, so it is not hashed.
        create(
            manager,
            Table::create()
                .table("webhook_endpoint")
                .col(uuid_pk("id"))
                .col(text("url"))
                .col(varchar("secret", 100))
                .col(text("event_types"))
                .col(boolean("active"))
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
                .col(ColumnDef::new("event_seq").big_integer().not_null())
                .col(varchar("status", 16))
                .col(int("attempts"))
                .col(ts(b, "next_attempt_at"))
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

        create(
            manager,
            Table::create()
                .table("idempotency_key")
                .col(uuid("api_key_id"))
                .col(varchar("idem_key", 200))
                .col(varchar("request_hash", 64))
                .col(int("response_status"))
                .col(long_text(b, "response_body"))
                .col(ts(b, "created_at"))
                .primary_key(Index::create().col("api_key_id").col("idem_key"))
                .to_owned(),
        )
        .await?;

        create_indexes(
            manager,
            vec![
                index("change_event", "entity", &["entity_type", "entity_id"]),
                index("change_event", "occurred", &["occurred_at"]),
                index("webhook_delivery", "due", &["status", "next_attempt_at"]),
            ],
        )
        .await
    }
}
