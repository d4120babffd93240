//! Dateline's schema, portable across SQLite, PostgreSQL and MariaDB/MySQL.
//! Backend-specific SQL lives only where a feature needs it (full-text search).

pub use sea_orm_migration::prelude::*;

mod cols;
mod m20261127_000001_taxonomy_and_media;
mod m20261127_000002_articles;
mod m20261127_000003_article_search;
mod m20261127_000004_accounts;
mod m20261127_000005_comments;
mod m20261127_000006_sync_and_webhooks;
mod m20261127_000007_related_index;
mod m20261128_000008_read_path;
mod m20261128_000009_article_body;
mod m20261128_000010_drop_scheduled_at;
mod m20261128_000011_comment_threads;
mod m20261128_000012_integrators;
mod m20261205_000013_related_marks;
mod m20261206_000014_article_link_ids;
mod m20261206_000015_persisted_operations;
mod m20261206_000016_key_rate_limits;
mod m20261206_000017_rate_budgets;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261127_000001_taxonomy_and_media::Migration),
            Box::new(m20261127_000002_articles::Migration),
            Box::new(m20261127_000003_article_search::Migration),
            Box::new(m20261127_000004_accounts::Migration),
            Box::new(m20261127_000005_comments::Migration),
            Box::new(m20261127_000006_sync_and_webhooks::Migration),
            Box::new(m20261127_000007_related_index::Migration),
            Box::new(m20261128_000008_read_path::Migration),
            Box::new(m20261128_000009_article_body::Migration),
            Box::new(m20261128_000010_drop_scheduled_at::Migration),
            Box::new(m20261128_000011_comment_threads::Migration),
            Box::new(m20261128_000012_integrators::Migration),
            Box::new(m20261205_000013_related_marks::Migration),
            Box::new(m20261206_000014_article_link_ids::Migration),
            Box::new(m20261206_000015_persisted_operations::Migration),
            Box::new(m20261206_000016_key_rate_limits::Migration),
            Box::new(m20261206_000017_rate_budgets::Migration),
        ]
    }
}
