//! Bodies move out of the story's row into `article_body`. A story's body
//! (blocks, HTML and text: about 15 KB) made every row span several pages,
//! so a list of 20 headlines read some 60 pages on SQLite. Full-text search
//! moves with the text it indexes; the body row repeats headline and dek so
//! each backend's index still covers one row (backend-specific SQL, as in
//! the article_search migration).

use crate::cols::*;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const SQLITE_DROP: &[&str] = &[
    "DROP TRIGGER IF EXISTS article_fts_ai",
    "DROP TRIGGER IF EXISTS article_fts_ad",
    "DROP TRIGGER IF EXISTS article_fts_au",
    "DROP TABLE IF EXISTS article_fts",
];

const SQLITE_CREATE: &[&str] = &[
    "CREATE VIRTUAL TABLE article_fts USING fts5(headline, dek, body_text, content='article_body', content_rowid='rowid', tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER article_fts_ai AFTER INSERT ON article_body BEGIN
       INSERT INTO article_fts(rowid, headline, dek, body_text) VALUES (new.rowid, new.headline, coalesce(new.dek, ''), new.body_text);
     END",
    "CREATE TRIGGER article_fts_ad AFTER DELETE ON article_body BEGIN
       INSERT INTO article_fts(article_fts, rowid, headline, dek, body_text) VALUES ('delete', old.rowid, old.headline, coalesce(old.dek, ''), old.body_text);
     END",
    "CREATE TRIGGER article_fts_au AFTER UPDATE OF headline, dek, body_text ON article_body BEGIN
       INSERT INTO article_fts(article_fts, rowid, headline, dek, body_text) VALUES ('delete', old.rowid, old.headline, coalesce(old.dek, ''), old.body_text);
       INSERT INTO article_fts(rowid, headline, dek, body_text) VALUES (new.rowid, new.headline, coalesce(new.dek, ''), new.body_text);
     END",
    "INSERT INTO article_fts(article_fts) VALUES ('rebuild')",
];

const POSTGRES_DROP: &[&str] = &["ALTER TABLE article DROP COLUMN IF EXISTS search_vector"];

const POSTGRES_CREATE: &[&str] = &[
    "ALTER TABLE article_body ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
       setweight(to_tsvector('english', coalesce(headline, '')), 'A') ||
       setweight(to_tsvector('english', coalesce(dek, '')), 'B') ||
       setweight(to_tsvector('english', coalesce(body_text, '')), 'C')) STORED",
    "CREATE INDEX ix_article_body_search ON article_body USING GIN (search_vector)",
];

const MYSQL_DROP: &[&str] = &["DROP INDEX ix_article_search ON article"];

const MYSQL_CREATE: &[&str] =
    &["CREATE FULLTEXT INDEX ix_article_body_search ON article_body (headline, dek, body_text)"];

async fn run(manager: &SchemaManager<'_>, statements: &[&str]) -> Result<(), DbErr> {
    for sql in statements {
        manager.get_connection().execute_unprepared(sql).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let b = manager.get_database_backend();
        let (drop, create) = match b {
            DatabaseBackend::Sqlite => (SQLITE_DROP, SQLITE_CREATE),
            DatabaseBackend::Postgres => (POSTGRES_DROP, POSTGRES_CREATE),
            DatabaseBackend::MySql => (MYSQL_DROP, MYSQL_CREATE),
            _ => (&[][..], &[][..]),
        };
        run(manager, drop).await?;

        let mut headline = ColumnDef::new("headline");
        headline.string_len(400).not_null();
        crate::cols::create(
            manager,
            Table::create()
                .table("article_body")
                .col(uuid_pk("article_id"))
                .col(headline)
                .col(text_null("dek"))
                .col(long_text(b, "body_blocks"))
                .col(long_text(b, "body_html"))
                .col(long_text(b, "body_text"))
                .foreign_key(&mut fk("article_body", "article_id", "article", ForeignKeyAction::Cascade))
                .to_owned(),
        )
        .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "INSERT INTO article_body (article_id, headline, dek, body_blocks, body_html, body_text)
                 SELECT id, headline, dek, body_blocks, body_html, body_text FROM article",
            )
            .await?;
        // One column per statement: SQLite alters one thing at a time.
        for col in ["body_blocks", "body_html", "body_text"] {
            manager.alter_table(Table::alter().table("article").drop_column(col).to_owned()).await?;
        }
        run(manager, create).await
    }
}
