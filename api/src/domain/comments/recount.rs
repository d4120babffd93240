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

/// (name, table, column, the counted rows grouped by the counting row's
/// id as `k`). Counted once per table with GROUP BY and joined, never as a
/// subquery per row: that plan's cost depends on planner statistics, and
/// over 100,000 comments without them SQLite ran for minutes.
const COUNTS: [(&str, &str, &str, &str); 4] = [
    (
        "article.commentCount",
        "article",
        "comment_count",
        "SELECT article_id AS k, COUNT(*) AS n FROM comment WHERE status = 'APPROVED' GROUP BY article_id",
    ),
    (
        "comment.replyCount",
        "comment",
        "reply_count",
        "SELECT parent_id AS k, COUNT(*) AS n FROM comment WHERE status = 'APPROVED' AND parent_id IS NOT NULL \
         GROUP BY parent_id",
    ),
    (
        "comment.reactionCount",
        "comment",
        "reaction_count",
        "SELECT comment_id AS k, COUNT(*) AS n FROM comment_reaction GROUP BY comment_id",
    ),
    (
        "comment.flagCount",
        "comment",
        "flag_count",
        "SELECT comment_id AS k, COUNT(*) AS n FROM comment_flag GROUP BY comment_id",
    ),
];

pub async fn recount<C: tx::Db>(db: &C) -> AppResult<Vec<Repair>> {
    tx::unit!(db, |txn| {
        crate::domain::freshness::changed(crate::domain::freshness::Changed::Content);
        // Names and standing show with comments anywhere.
        crate::domain::surrogate::purge(txn, vec![crate::domain::surrogate::Key::All], chrono::Utc::now())
            .await?;
        let backend = txn.get_database_backend();
        let mut repairs = Vec::new();
        for (what, table, col, counted) in COUNTS {
            let actual = "COALESCE(g.n, 0)";
            let sql = format!(
                "SELECT t.id AS id, CAST(t.{col} AS BIGINT) AS stored, CAST({actual} AS BIGINT) AS actual \
                 FROM {table} t LEFT JOIN ({counted}) g ON g.k = t.id WHERE t.{col} <> {actual}"
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
