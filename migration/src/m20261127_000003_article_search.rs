//! Full-text search over headline, dek and body text, in each backend's own
//! index: FTS5 on SQLite, a generated tsvector on PostgreSQL, FULLTEXT on
//! MySQL/MariaDB. The one place with backend-specific DDL.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const SQLITE: &[&str] = &[
    "CREATE VIRTUAL TABLE article_fts USING fts5(headline, dek, body_text, content='article', content_rowid='rowid', tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER article_fts_ai AFTER INSERT ON article BEGIN
       INSERT INTO article_fts(rowid, headline, dek, body_text) VALUES (new.rowid, new.headline, coalesce(new.dek, ''), new.body_text);
     END",
    "CREATE TRIGGER article_fts_ad AFTER DELETE ON article BEGIN
       INSERT INTO article_fts(article_fts, rowid, headline, dek, body_text) VALUES ('delete', old.rowid, old.headline, coalesce(old.dek, ''), old.body_text);
     END",
    "CREATE TRIGGER article_fts_au AFTER UPDATE OF headline, dek, body_text ON article BEGIN
       INSERT INTO article_fts(article_fts, rowid, headline, dek, body_text) VALUES ('delete', old.rowid, old.headline, coalesce(old.dek, ''), old.body_text);
       INSERT INTO article_fts(rowid, headline, dek, body_text) VALUES (new.rowid, new.headline, coalesce(new.dek, ''), new.body_text);
     END",
];

const POSTGRES: &[&str] = &[
    "ALTER TABLE article ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
       setweight(to_tsvector('english', coalesce(headline, '')), 'A') ||
       setweight(to_tsvector('english', coalesce(dek, '')), 'B') ||
       setweight(to_tsvector('english', coalesce(body_text, '')), 'C')) STORED",
    "CREATE INDEX ix_article_search ON article USING GIN (search_vector)",
];

const MYSQL: &[&str] = &["CREATE FULLTEXT INDEX ix_article_search ON article (headline, dek, body_text)"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let statements = match manager.get_database_backend() {
            DatabaseBackend::Sqlite => SQLITE,
            DatabaseBackend::Postgres => POSTGRES,
            DatabaseBackend::MySql => MYSQL,
            _ => &[],
        };
        let db = manager.get_connection();
        for sql in statements {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
