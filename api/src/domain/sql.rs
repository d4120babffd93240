//! Statements written by hand, for the few reads that sea-orm's builder
//! cannot express as one statement (unions, windows, per-key limits), and
//! the small row-access helpers every write shares.

use crate::error::AppResult;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, QuerySelect, Statement, Value,
    Values,
};
use std::collections::HashSet;
use uuid::Uuid;

/// Placeholders and their values: `$n` on PostgreSQL, `?` elsewhere.
/// Values must be pushed in the order their placeholders appear in the
/// text, since `?` binds by position.
pub struct Params {
    backend: DatabaseBackend,
    values: Vec<Value>,
}

impl Params {
    pub fn new(backend: DatabaseBackend) -> Self {
        Self { backend, values: Vec::new() }
    }

    pub fn push(&mut self, v: impl Into<Value>) -> String {
        self.values.push(v.into());
        match self.backend {
            DatabaseBackend::Postgres => format!("${}", self.values.len()),
            _ => "?".to_owned(),
        }
    }

    /// A comma-separated placeholder list, for `IN (...)`, of a [`padded`]
    /// length.
    pub fn list<T: Into<Value> + Copy>(&mut self, items: &[T]) -> String {
        padded(items).into_iter().map(|i| self.push(i)).collect::<Vec<_>>().join(", ")
    }

    /// The text of a statement built elsewhere (by sea-query), its values
    /// taken over here, for use as a part of a larger statement. On
    /// PostgreSQL its placeholders are renumbered after the ones before it.
    pub fn embed(&mut self, stmt: Statement) -> String {
        let offset = self.values.len();
        self.values.extend(stmt.values.map(|Values(v)| v).unwrap_or_default());
        if self.backend != DatabaseBackend::Postgres || offset == 0 {
            return stmt.sql;
        }
        let mut out = String::with_capacity(stmt.sql.len());
        let mut chars = stmt.sql.chars().peekable();
        while let Some(c) = chars.next() {
            out.push(c);
            if c != '$' {
                continue;
            }
            let mut n = String::new();
            while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                n.push(*d);
                chars.next();
            }
            match n.parse::<usize>() {
                Ok(n) => out.push_str(&(n + offset).to_string()),
                Err(_) => out.push_str(&n),
            }
        }
        out
    }

    pub fn statement(self, sql: String) -> Statement {
        Statement::from_sql_and_values(self.backend, sql, self.values)
    }
}

/// The items of an `IN (...)` list, repeated up to the next power of two.
/// Each length is a different statement text, and a database prepares and
/// plans each text anew: batches of every size from 1 to 640 would keep
/// every connection's statement cache cold. Padded, a few texts serve all.
pub fn padded<T: Copy>(items: &[T]) -> Vec<T> {
    let mut out = items.to_vec();
    if let Some(last) = items.last() {
        out.resize(items.len().next_power_of_two(), *last);
    }
    out
}

/// `alias.col AS col, ...`, for selecting a partial model's columns by hand.
pub fn columns(alias: &str, cols: &[&str]) -> String {
    cols.iter().map(|c| format!("{alias}.{c} AS {c}")).collect::<Vec<_>>().join(", ")
}

/// `alias.col AS {prefix}col, ...`: another table's columns beside a
/// model's, read back with `from_query_result_optional(res, prefix)`.
pub fn prefixed(alias: &str, prefix: &str, cols: &[&str]) -> String {
    cols.iter().map(|c| format!("{alias}.{c} AS {prefix}{c}")).collect::<Vec<_>>().join(", ")
}

/// Writes a statement's trailing `LIMIT` parameter into its text. SQLite
/// re-plans a prepared statement whenever a parameter that its planner read
/// is bound again, and it reads a `LIMIT` parameter: a bound limit makes
/// every execution parse and plan the statement afresh. The limit is always
/// our own number, never client text.
pub fn inline_limit(mut stmt: Statement) -> Statement {
    let Some(Values(values)) = stmt.values.as_mut() else { return stmt };
    let Some(limit) = values.last().and_then(|v| match v {
        Value::BigUnsigned(Some(n)) => Some(*n),
        Value::BigInt(Some(n)) => u64::try_from(*n).ok(),
        _ => None,
    }) else {
        return stmt;
    };
    let placeholder = match stmt.db_backend {
        DatabaseBackend::Postgres => format!("LIMIT ${}", values.len()),
        _ => "LIMIT ?".to_owned(),
    };
    if let Some(at) = stmt.sql.rfind(&placeholder)
        && at + placeholder.len() == stmt.sql.trim_end().len()
    {
        stmt.sql.replace_range(at.., &format!("LIMIT {limit}"));
        values.pop();
    }
    stmt
}

/// Which of `ids` name a row, looked up by the key column `col`.
pub async fn existing<E: EntityTrait>(
    db: &impl ConnectionTrait,
    col: E::Column,
    ids: &[Uuid],
) -> AppResult<HashSet<Uuid>> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let rows: Vec<Uuid> = E::find()
        .select_only()
        .column(col)
        .filter(col.is_in(ids.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

/// Ids stored as one text column (a story's byline and tags, the tags
/// behind a related pick), in their order.
pub fn join_ids(ids: &[Uuid]) -> String {
    ids.iter().map(Uuid::to_string).collect::<Vec<_>>().join(",")
}

/// The ids of a [`join_ids`] text; anything else in it is skipped.
pub fn split_ids(s: &str) -> Vec<Uuid> {
    s.split(',').filter_map(|t| Uuid::parse_str(t).ok()).collect()
}

/// An item's place in an ordered list (bylines, tags, curated links), as stored.
pub fn position(i: usize) -> i32 {
    i32::try_from(i).unwrap_or(i32::MAX)
}

/// Locks the rows a write is about to change until its transaction ends.
/// On PostgreSQL `FOR NO KEY UPDATE`: it keeps other writers of the row
/// out but not inserts elsewhere whose foreign key points at it (a comment
/// on a story being edited, a related pick naming it), which `FOR UPDATE`
/// would make wait behind the whole edit. MySQL knows only `FOR UPDATE`;
/// SQLite's write transactions are serial and take no row locks.
pub fn locked<S: QuerySelect>(query: S, backend: DatabaseBackend) -> S {
    use sea_orm::sea_query::LockType;
    match backend {
        DatabaseBackend::Postgres => query.lock(LockType::NoKeyUpdate),
        _ => query.lock_exclusive(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_embedded_statement_is_renumbered_after_the_values_before_it() {
        let mut p = Params::new(DatabaseBackend::Postgres);
        assert_eq!(p.push(1), "$1");
        let inner = Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "SELECT a FROM t WHERE b = $1 AND c IN ($2, $10)",
            (0..10).map(Value::from).collect::<Vec<_>>(),
        );
        assert_eq!(p.embed(inner), "SELECT a FROM t WHERE b = $2 AND c IN ($3, $11)");
        assert_eq!(p.push(2), "$12");
        let mut q = Params::new(DatabaseBackend::Sqlite);
        q.push(1);
        let inner = Statement::from_sql_and_values(DatabaseBackend::Sqlite, "b = ?", [Value::from(2)]);
        assert_eq!(q.embed(inner), "b = ?");
        assert_eq!(q.statement(String::new()).values.map(|v| v.0.len()), Some(2));
    }

    #[test]
    fn stored_ids_round_trip() {
        let ids = vec![Uuid::now_v7(), Uuid::now_v7()];
        assert_eq!(split_ids(&join_ids(&ids)), ids);
        assert!(split_ids("").is_empty());
    }

    #[test]
    fn in_lists_come_in_a_few_lengths() {
        assert_eq!(padded(&[1, 2, 3]), [1, 2, 3, 3]);
        assert_eq!(padded(&[7; 16]).len(), 16);
        assert_eq!(padded(&[1; 17]).len(), 32);
        assert!(padded::<u8>(&[]).is_empty());
    }

    #[test]
    fn a_trailing_limit_parameter_becomes_a_literal() {
        for (backend, text) in [(DatabaseBackend::Sqlite, "?"), (DatabaseBackend::Postgres, "$2")] {
            let stmt = Statement::from_sql_and_values(
                backend,
                format!("SELECT a FROM t WHERE b = {} LIMIT {text}", if text == "?" { "?" } else { "$1" }),
                [Value::from("x"), Value::BigUnsigned(Some(21))],
            );
            let out = inline_limit(stmt);
            assert!(out.sql.ends_with("LIMIT 21"), "{}", out.sql);
            assert_eq!(out.values.map(|v| v.0.len()), Some(1));
        }
    }

    #[test]
    fn a_statement_without_a_trailing_limit_is_left_alone() {
        let stmt = Statement::from_sql_and_values(
            DatabaseBackend::Sqlite,
            "SELECT a FROM t WHERE b = ?",
            [Value::BigUnsigned(Some(3))],
        );
        let out = inline_limit(stmt.clone());
        assert_eq!((out.sql, out.values), (stmt.sql, stmt.values));
    }
}
