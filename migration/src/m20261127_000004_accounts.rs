//! Readers, staff and machine clients. Secrets are stored only as hashes.

use crate::cols::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let b = manager.get_database_backend();

        // `app_user`, because `user` is reserved in PostgreSQL.
        create(
            manager,
            Table::create()
                .table("app_user")
                .col(uuid_pk("id"))
                .col(varchar("email", 254).unique_key())
                .col(varchar("display_name", 100))
                .col(varchar_null("password_hash", 200))
                .col(varchar("role", 16))
                .col(varchar("status", 16))
                .col(ts_null(b, "suspended_until"))
                .col(varchar_null("idp_issuer", 200))
                .col(varchar_null("idp_subject", 200))
                .col(ts(b, "created_at"))
                .col(ts(b, "updated_at"))
                .to_owned(),
        )
        .await?;

        create(
            manager,
            Table::create()
                .table("user_session")
                .col(uuid_pk("id"))
                .col(uuid("user_id"))
                .col(varchar("token_hash", 64).unique_key())
                .col(ts(b, "created_at"))
                .col(ts(b, "expires_at"))
                .col(ts_null(b, "revoked_at"))
                .foreign_key(&mut fk("user_session", "user_id", "app_user", ForeignKeyAction::Cascade))
                .to_owned(),
        )
        .await?;

        create(
            manager,
            Table::create()
                .table("api_key")
                .col(uuid_pk("id"))
                .col(varchar("name", 200))
                .col(varchar("key_prefix", 16))
                .col(varchar("key_hash", 64).unique_key())
                .col(text("scopes"))
                .col(ts(b, "created_at"))
                .col(ts_null(b, "last_used_at"))
                .col(ts_null(b, "revoked_at"))
                .to_owned(),
        )
        .await?;

        let mut idp = index("app_user", "idp", &["idp_issuer", "idp_subject"]);
        idp.unique();
        create_indexes(manager, vec![idp, index("user_session", "user", &["user_id"])]).await
    }
}
