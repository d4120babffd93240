//! Statements written by hand, for the few reads that sea-orm's builder
//! cannot express as one statement (unions, windows, per-key limits).

use sea_orm::{DatabaseBackend, Statement, Value};

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

    /// A comma-separated placeholder list, for `IN (...)`.
    pub fn list<T: Into<Value> + Copy>(&mut self, items: &[T]) -> String {
        items.iter().map(|i| self.push(*i)).collect::<Vec<_>>().join(", ")
    }

    pub fn statement(self, sql: String) -> Statement {
        Statement::from_sql_and_values(self.backend, sql, self.values)
    }
}

/// `alias.col AS col, ...`, for selecting a partial model's columns by hand.
pub fn columns(alias: &str, cols: &[&str]) -> String {
    cols.iter().map(|c| format!("{alias}.{c} AS {c}")).collect::<Vec<_>>().join(", ")
}
