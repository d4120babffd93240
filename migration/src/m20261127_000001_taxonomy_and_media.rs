//! Sections, tags, media with structured credits, and authors.

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
                .table("section")
                .col(uuid_pk("id"))
                .col(varchar("slug", 120).unique_key())
                .col(varchar("name", 200))
                .col(text_null("description"))
                .col(ts(b, "created_at"))
                .col(ts(b, "updated_at"))
                .to_owned(),
        )
        .await?;

        create(
            manager,
            Table::create()
                .table("tag")
                .col(uuid_pk("id"))
                .col(varchar("slug", 120).unique_key())
                .col(varchar("name", 200))
                .col(ts(b, "created_at"))
                .col(ts(b, "updated_at"))
                .to_owned(),
        )
        .await?;

        // Credits are columns, not one free-text string, so a desk can find
        // every photo from one agency or every licence about to expire.
        create(
            manager,
            Table::create()
                .table("media")
                .col(uuid_pk("id"))
                .col(text("url"))
                .col(text_null("alt_text"))
                .col(text_null("caption"))
                .col(int_null("width"))
                .col(int_null("height"))
                .col(varchar_null("mime_type", 100))
                .col(varchar_null("credit_photographer", 200))
                .col(varchar_null("credit_agency", 200))
                .col(varchar_null("credit_rights_holder", 200))
                .col(varchar_null("credit_license", 200))
                .col(ts_null(b, "credit_license_expires_at"))
                .col(ts(b, "created_at"))
                .col(ts(b, "updated_at"))
                .to_owned(),
        )
        .await?;

        create(
            manager,
            Table::create()
                .table("author")
                .col(uuid_pk("id"))
                .col(varchar("slug", 120).unique_key())
                .col(varchar("name", 200))
                .col(text_null("bio"))
                .col(uuid_null("avatar_id"))
                .col(ts(b, "created_at"))
                .col(ts(b, "updated_at"))
                .foreign_key(&mut fk("author", "avatar_id", "media", ForeignKeyAction::SetNull))
                .to_owned(),
        )
        .await?;

        create_indexes(
            manager,
            vec![
                index("media", "agency", &["credit_agency"]),
                index("media", "license_expiry", &["credit_license_expires_at"]),
            ],
        )
        .await
    }
}
