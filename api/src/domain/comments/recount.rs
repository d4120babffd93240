//! Recomputes every stored count from the rows it counts and repairs any
//! that drifted (`dateline comments recount`). Writes keep the counts in
//! step within their transactions; this is the check that they did.

use crate::domain::sql::Params;
use crate::domain::tx;
use crate::error::AppResult;
use sea_orm::{ConnectionTrait, FromQueryResult};
use uuid::Uuid;

/// One count that was wrong, and what it was set to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repair {
    pub what: &'static str,
    pub id: Uuid,
    pub stored: i64,
    pub actual: i64,
}

#[derive(FromQueryResult)]
struct Drift {
    id: Uuid,
    stored: i64,
    actual: i64,
}

/// (name, table, column, the count as SQL over the row `t`)
const COUNTS: [(&str, &str, &str, &str); 4] = [
    (
        "article.commentCount",
        "article",
        "comment_count",
        "(SELECT COUNT(*) FROM comment c WHERE c.article_id = t.id AND c.status = 'APPROVED')",
    ),
    (
        "comment.replyCount",
        "comment",
        "reply_count",
        "(SELECT COUNT(*) FROM comment c WHERE c.parent_id = t.id AND c.status = 'APPROVED')",
    ),
    (
        "comment.reactionCount",
        "comment",
        "reaction_count",
        "(SELECT COUNT(*) FROM comment_reaction r WHERE r.comment_id = t.id)",
    ),
    (
        "comment.flagCount",
        "comment",
        "flag_count",
        "(SELECT COUNT(*) FROM comment_flag f WHERE f.comment_id = t.id)",
    ),
];

pub async fn recount<C: tx::Db>(db: &C) -> AppResult<Vec<Repair>> {
    tx::unit!(db, |txn| {
        let backend = txn.get_database_backend();
        let mut repairs = Vec::new();
        for (what, table, col, actual) in COUNTS {
            let sql = format!(
                "SELECT t.id AS id, CAST(t.{col} AS BIGINT) AS stored, CAST({actual} AS BIGINT) AS actual FROM {table} t WHERE t.{col} <> {actual}"
            );
            // MySQL spells the 64-bit cast SIGNED.
            let sql = if backend == sea_orm::DatabaseBackend::MySql {
                sql.replace("AS BIGINT)", "AS SIGNED)")
            } else {
                sql
            };
            let drifted = Drift::find_by_statement(Params::new(backend).statement(sql)).all(txn).await?;
            for d in drifted {
                let mut p = Params::new(backend);
                let value = p.push(i32::try_from(d.actual).unwrap_or(i32::MAX));
                let id = p.push(d.id);
                txn.execute_raw(p.statement(format!("UPDATE {table} SET {col} = {value} WHERE id = {id}")))
                    .await?;
                repairs.push(Repair { what, id: d.id, stored: d.stored, actual: d.actual });
            }
        }
        Ok(repairs)
    })
}
