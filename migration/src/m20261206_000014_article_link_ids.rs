//! A story's byline and tags, copied onto its row in their order.
//!
//! Every read of a story showed its authors and tags, and every such read
//! cost a statement of its own over `article_author` and `article_tag`.
//! The write that changes the links now writes their ids onto the row as
//! well (the link tables stay for filtering and ranking), and the names come
//! from the taxonomy held in memory, so a story with its links is one row.
//!
//! Upgrading: stop every older instance before this runs. An older
//! instance writing afterwards would leave the copies empty or stale (it
//! knows nothing of them), and a story's links would read wrong until its
//! next save.

use crate::cols::*;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::prelude::Uuid;
use sea_orm_migration::sea_orm::{ConnectionTrait, Statement, Value};
use std::collections::BTreeMap;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let b = manager.get_database_backend();
        for col in ["author_ids", "tag_ids"] {
            // MySQL commits DDL as it goes: a run cut short after adding a
            // column is run again whole.
            if manager.has_column("article", col).await? {
                continue;
            }
            manager
                .alter_table(Table::alter().table("article").add_column(id_list(b, col)).to_owned())
                .await?;
        }
        // Portable and done once: the links read in order, each story's row
        // written with its lists.
        let db = manager.get_connection();
        for (table, link, col) in
            [("article_author", "author_id", "author_ids"), ("article_tag", "tag_id", "tag_ids")]
        {
            let rows = db
                .query_all_raw(Statement::from_string(
                    b,
                    format!("SELECT article_id, {link} AS link FROM {table} ORDER BY article_id, position"),
                ))
                .await?;
            let mut lists: BTreeMap<Uuid, Vec<String>> = BTreeMap::new();
            for r in rows {
                let article: Uuid = r.try_get("", "article_id")?;
                let id: Uuid = r.try_get("", "link")?;
                lists.entry(article).or_default().push(id.to_string());
            }
            let placeholder = |n: usize| match b {
                sea_orm_migration::sea_orm::DatabaseBackend::Postgres => format!("${n}"),
                _ => "?".to_owned(),
            };
            let sql = format!("UPDATE article SET {col} = {} WHERE id = {}", placeholder(1), placeholder(2));
            for (article, ids) in lists {
                let values: Vec<Value> = vec![ids.join(",").into(), article.into()];
                db.execute_raw(Statement::from_sql_and_values(b, sql.as_str(), values)).await?;
            }
        }
        Ok(())
    }
}
