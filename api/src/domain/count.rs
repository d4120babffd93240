//! `COUNT(*)` without a subquery: sea-orm's paginator count wraps the full
//! column list in a subquery, which on SQLite reads every wide row (bodies
//! included). Counting only the key stays on an index. No `LIMIT 1`
//! either: SQLite re-plans a statement whose bound LIMIT is bound again.

use crate::error::AppResult;
use sea_orm::sea_query::Expr;
use sea_orm::{ConnectionTrait, EntityTrait, QuerySelect, Select};

pub async fn rows<E: EntityTrait>(db: &impl ConnectionTrait, select: Select<E>) -> AppResult<u64> {
    let n: Vec<i64> =
        select.select_only().column_as(Expr::cust("COUNT(*)"), "n").into_tuple().all(db).await?;
    Ok(n.first().map_or(0, |n| u64::try_from(*n).unwrap_or(0)))
}
