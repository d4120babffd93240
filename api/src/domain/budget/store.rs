//! Where the instances add up what they spent: the database they share
//! (one upsert per sync, rows in key order so that instances writing at
//! once never deadlock), or Redis (a script per key, in microseconds, so
//! that Lua's doubles hold the times exactly). A store that cannot be
//! reached fails the sync, never a request: the ledger then limits this
//! instance alone.

use super::gcra::Nanos;
use crate::error::{AppError, AppResult};
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement, Value};

/// Rows per statement: two values each, well under every backend's limit.
const ROWS_PER_STATEMENT: usize = 500;
/// A budget whole again for this long is forgotten by the store.
pub const FORGET_AFTER: Nanos = 60 * 1_000_000_000;

pub enum Store {
    Database(DatabaseConnection),
    Redis(Box<RedisStore>),
}

pub struct RedisStore {
    client: redis::Client,
    prefix: String,
    conn: tokio::sync::Mutex<Option<redis::aio::ConnectionManager>>,
    script: redis::Script,
}

const ADD: &str = r"
local now = tonumber(ARGV[1])
local t = tonumber(redis.call('GET', KEYS[1]) or '0')
if t < now then t = now end
t = t + tonumber(ARGV[2])
redis.call('SET', KEYS[1], string.format('%d', t), 'PX', math.floor((t - now) / 1000) + tonumber(ARGV[3]))
return t
";

impl RedisStore {
    /// Checks the URL; connects on first use (Redis may come up later).
    pub fn new(url: &str, prefix: &str) -> Result<Self, String> {
        let client = redis::Client::open(url).map_err(|e| format!("DATELINE_REDIS_URL: {e}"))?;
        let prefix = format!("{prefix}budget:");
        Ok(Self { client, prefix, conn: tokio::sync::Mutex::new(None), script: redis::Script::new(ADD) })
    }

    async fn add(&self, spent: &[(Box<str>, Nanos)], now: Nanos) -> AppResult<Vec<(Box<str>, Nanos)>> {
        let mut guard = self.conn.lock().await;
        let conn = match guard.as_mut() {
            Some(c) => c,
            None => {
                let config = redis::aio::ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(std::time::Duration::from_millis(500)))
                    .set_response_timeout(Some(std::time::Duration::from_millis(500)))
                    .set_number_of_retries(1);
                let c = self.client.get_connection_manager_with_config(config).await.map_err(redis_error)?;
                guard.insert(c)
            }
        };
        let now_us = now / 1000;
        let forget_ms = FORGET_AFTER / 1_000_000;
        let mut out = Vec::with_capacity(spent.len());
        for (key, n) in spent {
            let tat: i64 = self
                .script
                .key(format!("{}{key}", self.prefix))
                .arg(now_us)
                .arg((n / 1000).max(1))
                .arg(forget_ms)
                .invoke_async(conn)
                .await
                .map_err(redis_error)?;
            out.push((key.clone(), tat.saturating_mul(1000)));
        }
        Ok(out)
    }
}

fn redis_error(e: redis::RedisError) -> AppError {
    AppError::internal(anyhow::anyhow!("redis: {e}"))
}

impl Store {
    /// Adds each key's spend to its shared TAT (`max(tat, now) + spent`);
    /// answers the TATs after.
    pub async fn add(&self, spent: &[(Box<str>, Nanos)], now: Nanos) -> AppResult<Vec<(Box<str>, Nanos)>> {
        match self {
            Self::Redis(r) => r.add(spent, now).await,
            Self::Database(db) => {
                let mut out = Vec::with_capacity(spent.len());
                for chunk in spent.chunks(ROWS_PER_STATEMENT) {
                    out.extend(add_rows(db, chunk, now).await?);
                }
                Ok(out)
            }
        }
    }

    /// Deletes budgets whole again for a while; how many.
    pub async fn forget(&self, now: Nanos) -> AppResult<u64> {
        match self {
            // Redis forgets by itself (each key expires).
            Self::Redis(_) => Ok(0),
            Self::Database(db) => {
                let b = db.get_database_backend();
                let sql = format!("DELETE FROM rate_budget WHERE tat < {}", placeholder(b, 1));
                let r = db
                    .execute_raw(Statement::from_sql_and_values(b, sql, [Value::from(now - FORGET_AFTER)]))
                    .await?;
                Ok(r.rows_affected())
            }
        }
    }
}

fn placeholder(b: DatabaseBackend, n: usize) -> String {
    match b {
        DatabaseBackend::Postgres => format!("${n}"),
        DatabaseBackend::Sqlite => format!("?{n}"),
        _ => "?".to_owned(),
    }
}

async fn add_rows(
    db: &DatabaseConnection,
    rows: &[(Box<str>, Nanos)],
    now: Nanos,
) -> AppResult<Vec<(Box<str>, Nanos)>> {
    let b = db.get_database_backend();
    let mut values: Vec<Value> = Vec::with_capacity(rows.len() * 2 + 2);
    let tuples: Vec<String> = rows
        .iter()
        .enumerate()
        .map(|(i, _)| match b {
            DatabaseBackend::MySql => "(?, ?)".to_owned(),
            _ => format!("({}, {})", placeholder(b, i * 2 + 2), placeholder(b, i * 2 + 3)),
        })
        .collect();
    let tuples = tuples.join(", ");
    let sql = match b {
        DatabaseBackend::Postgres => format!(
            "INSERT INTO rate_budget (budget_key, tat) VALUES {tuples} ON CONFLICT (budget_key) DO UPDATE \
             SET tat = GREATEST(rate_budget.tat, $1) + (EXCLUDED.tat - $1) RETURNING budget_key, tat"
        ),
        DatabaseBackend::Sqlite => format!(
            "INSERT INTO rate_budget (budget_key, tat) VALUES {tuples} ON CONFLICT (budget_key) DO UPDATE \
             SET tat = MAX(rate_budget.tat, ?1) + (excluded.tat - ?1) RETURNING budget_key, tat"
        ),
        _ => format!(
            "INSERT INTO rate_budget (budget_key, tat) VALUES {tuples} \
             ON DUPLICATE KEY UPDATE tat = GREATEST(tat, ?) + (VALUES(tat) - ?)"
        ),
    };
    if b != DatabaseBackend::MySql {
        values.push(now.into());
    }
    for (key, spent) in rows {
        values.push(key.to_string().into());
        values.push(now.saturating_add(*spent).into());
    }
    if b == DatabaseBackend::MySql {
        values.push(now.into());
        values.push(now.into());
    }
    let stmt = Statement::from_sql_and_values(b, sql, values);
    let rows_out = if b == DatabaseBackend::MySql {
        db.execute_raw(stmt).await?;
        let marks = vec!["?"; rows.len()].join(", ");
        let keys: Vec<Value> = rows.iter().map(|(k, _)| k.to_string().into()).collect();
        db.query_all_raw(Statement::from_sql_and_values(
            b,
            format!("SELECT budget_key, tat FROM rate_budget WHERE budget_key IN ({marks})"),
            keys,
        ))
        .await?
    } else {
        db.query_all_raw(stmt).await?
    };
    let mut out = Vec::with_capacity(rows_out.len());
    for r in rows_out {
        let key: String = r.try_get("", "budget_key")?;
        let tat: i64 = r.try_get("", "tat")?;
        out.push((key.into_boxed_str(), tat));
    }
    Ok(out)
}
