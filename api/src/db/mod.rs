//! Connection pools per backend, migrations at start, and the SQL statement
//! counter behind `/metrics` and the N+1 tests.

pub mod counters;
pub mod replicas;
pub mod statistics;

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, Database, DatabaseBackend, DatabaseConnection, DbErr, TransactionTrait};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Counts every SQL statement the pool runs (exported on `/metrics` as
/// `dateline_sql_statements_total`). Tests can also record the statements'
/// text, to prove what a request reads (never values).
#[derive(Clone)]
pub struct StatementCounter {
    count: prometheus::IntCounter,
    recording: Arc<AtomicBool>,
    recorded: Arc<Mutex<Vec<String>>>,
}

impl StatementCounter {
    fn new() -> Result<Self, DbErr> {
        let count = prometheus::IntCounter::new("dateline_sql_statements_total", "SQL statements run")
            .map_err(|e| DbErr::Custom(e.to_string()))?;
        Ok(Self { count, recording: Arc::default(), recorded: Arc::default() })
    }

    pub fn get(&self) -> u64 {
        self.count.get()
    }

    pub fn collector(&self) -> prometheus::IntCounter {
        self.count.clone()
    }

    /// Starts (or stops) keeping the text of each statement run.
    pub fn record(&self, on: bool) {
        if let Ok(mut r) = self.recorded.lock() {
            r.clear();
        }
        self.recording.store(on, Ordering::Relaxed);
    }

    /// The statements run since recording started.
    pub fn recorded(&self) -> Vec<String> {
        self.recorded.lock().map(|r| r.clone()).unwrap_or_default()
    }

    fn saw(&self, sql: &str) {
        self.count.inc();
        if self.recording.load(Ordering::Relaxed)
            && let Ok(mut r) = self.recorded.lock()
        {
            r.push(sql.to_owned());
        }
    }
}

/// How the pool opens and hands out connections.
pub struct PoolSettings {
    pub max_connections: u32,
    /// Statements slower than this are logged with their SQL (never values).
    pub slow: Duration,
    pub connect_timeout: Duration,
    pub acquire_timeout: Duration,
    /// Called with every statement, in the task that runs it.
    pub on_statement: Option<Arc<dyn Fn() + Send + Sync>>,
    /// Counts into this counter (a replica's pool into the primary's).
    pub counter: Option<StatementCounter>,
    /// Connects on first use (a replica down at start is skipped, not fatal).
    pub lazy: bool,
    /// SQLite's page cache per connection, in KiB.
    pub sqlite_cache_kib: u32,
}

pub async fn connect(url: &str, pool: PoolSettings) -> Result<(DatabaseConnection, StatementCounter), DbErr> {
    let PoolSettings {
        max_connections,
        slow,
        connect_timeout,
        acquire_timeout,
        on_statement,
        counter,
        lazy,
        sqlite_cache_kib,
    } = pool;
    let mut opt = ConnectOptions::new(url.to_owned());
    opt.connect_timeout(connect_timeout)
        .acquire_timeout(acquire_timeout)
        .idle_timeout(Duration::from_secs(300))
        .connect_lazy(lazy)
        .sqlx_logging(false);
    if url.starts_with("sqlite:") {
        // sqlx leaves SQLite in rollback-journal mode; WAL lets readers run
        // beside the writer. In-memory databases are one per connection.
        let max = if url.contains(":memory:") { 1 } else { max_connections.max(1) };
        opt.max_connections(max).map_sqlx_sqlite_opts(move |o| {
            use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
                .pragma("cache_size", format!("-{sqlite_cache_kib}"))
        });
    } else {
        // Every statement outside a transaction checks a connection out,
        // and a ping on each checkout added a round trip to each of a
        // read's statements. Only a connection idle long enough to have
        // been dropped by a server or a proxy is pinged. (SQLite's ping
        // never leaves the process; there the benchmark's GraphQL article
        // page was 10% slower with this, so it keeps sqlx's default.)
        opt.max_connections(max_connections)
            .min_connections(1)
            .test_before_acquire_if_idle_for(Duration::from_secs(30));
    }
    if url.starts_with("mysql") || url.starts_with("mariadb") {
        // PostgreSQL's isolation. Under MySQL's default (repeatable read)
        // a write's range scans also lock the gaps between rows, so editors
        // saving different stories locked each other's neighbouring link
        // and mark rows and deadlocked; Dateline's writes lock the rows they
        // depend on explicitly and need no snapshot across statements.
        opt.map_sqlx_mysql_pool_opts(|o| {
            o.after_connect(|conn, _| {
                Box::pin(async move {
                    use sea_orm::sqlx::Executor;
                    conn.execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED").await?;
                    Ok(())
                })
            })
        });
    }
    if url.starts_with("postgres") {
        // Dateline's statements are few, of fixed shape and driven by their
        // indexes. PostgreSQL would otherwise plan each execution anew with
        // its values, and for a section page that custom plan walks the
        // (status, date) index filtering on section, reading six times the
        // pages of the (section, status, date) index the generic plan uses.
        // And a content API's working set lives in memory, where reading
        // by index costs about what reading in order does: at the default
        // random_page_cost (4, for spinning disks) a front page's 20 related
        // lists hashed every story in the archive rather than look up the
        // hundred they name (9.7 ms -> 2.2 ms at 10,000 stories, and the
        // hash grows with the archive).
        opt.map_sqlx_postgres_opts(|o| {
            o.options([("plan_cache_mode", "force_generic_plan"), ("random_page_cost", "1.1")])
        });
    }
    // Another instance starting on the same SQLite file (migrating, or
    // switching it to WAL) can make a new connection's setup fail at once
    // with "database is locked": SQLite skips the busy timeout where
    // waiting could deadlock. Connecting again after a moment succeeds.
    let deadline = tokio::time::Instant::now() + connect_timeout.max(Duration::from_secs(10));
    let mut db = loop {
        match Database::connect(opt.clone()).await {
            Err(e)
                if url.starts_with("sqlite:")
                    && sqlite_locked_at_connect(&e)
                    && tokio::time::Instant::now() < deadline =>
            {
                tracing::info!("the SQLite database is locked by another process; connecting again");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            connected => break connected?,
        }
    };
    let counter = match counter {
        Some(c) => c,
        None => StatementCounter::new()?,
    };
    let c = counter.clone();
    db.set_metric_callback(move |info| {
        c.saw(&info.statement.sql);
        if let Some(hook) = &on_statement {
            hook();
        }
        if info.elapsed > slow {
            tracing::warn!(elapsed_ms = info.elapsed.as_millis(), sql = %info.statement.sql, "slow SQL statement");
        }
    });
    Ok((db, counter))
}

/// SQLite's "database is locked" (or "table is locked") while connecting.
fn sqlite_locked_at_connect(err: &DbErr) -> bool {
    use sea_orm::{RuntimeErr, sqlx};
    let DbErr::Conn(RuntimeErr::SqlxError(e)) = err else { return false };
    matches!(&**e, sqlx::Error::Database(db) if matches!(db.code().as_deref(), Some("5" | "6" | "517")))
}

/// Dateline's database-wide lock for work that instances starting together
/// must not do twice: migrations and the demo load. PostgreSQL holds an
/// advisory lock, MariaDB/MySQL a named lock, each on a connection of its
/// own taken out of the pool, so the lock ends with that connection even if
/// the holder fails (or dies) before releasing it. SQLite's write lock
/// (a write transaction begun IMMEDIATE) serves the same end.
pub struct SetupLock {
    held: Held,
}

enum Held {
    Postgres(sea_orm::sqlx::PgConnection),
    MySql(sea_orm::sqlx::MySqlConnection),
    Nothing,
}

const SETUP_LOCK_KEY: i64 = 7_264_115;
const SETUP_LOCK_NAME: &str = "dateline_setup";

fn sqlx_err(e: sea_orm::sqlx::Error) -> DbErr {
    DbErr::Conn(sea_orm::RuntimeErr::SqlxError(Arc::new(e)))
}

impl SetupLock {
    /// Waits for the lock (a losing instance waits as long as the winner
    /// works).
    pub async fn take(db: &DatabaseConnection) -> Result<Self, DbErr> {
        use sea_orm::sqlx::{self, Row};
        let held = match db.get_database_backend() {
            DatabaseBackend::Postgres => {
                let mut conn = db.get_postgres_connection_pool().acquire().await.map_err(sqlx_err)?.detach();
                sqlx::query("SELECT pg_advisory_lock($1)")
                    .bind(SETUP_LOCK_KEY)
                    .execute(&mut conn)
                    .await
                    .map_err(sqlx_err)?;
                Held::Postgres(conn)
            }
            DatabaseBackend::MySql => {
                let mut conn = db.get_mysql_connection_pool().acquire().await.map_err(sqlx_err)?.detach();
                loop {
                    // 1 once taken, 0 after the timeout (then wait again).
                    let row = sqlx::query("SELECT GET_LOCK(?, 60)")
                        .bind(SETUP_LOCK_NAME)
                        .fetch_one(&mut conn)
                        .await
                        .map_err(sqlx_err)?;
                    if row.try_get::<Option<i64>, _>(0).map_err(sqlx_err)? == Some(1) {
                        break;
                    }
                }
                Held::MySql(conn)
            }
            _ => Held::Nothing,
        };
        Ok(Self { held })
    }

    /// Releases the lock by closing its connection.
    pub async fn release(self) -> Result<(), DbErr> {
        use sea_orm::sqlx::Connection;
        match self.held {
            Held::Postgres(c) => c.close().await.map_err(sqlx_err),
            Held::MySql(c) => c.close().await.map_err(sqlx_err),
            Held::Nothing => Ok(()),
        }
    }
}

/// Applies pending migrations under the setup lock. PostgreSQL and SQLite
/// run them in one transaction; MySQL DDL cannot run inside one.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    let lock = SetupLock::take(db).await?;
    let done = match db.get_database_backend() {
        // One connection for the whole run on SQLite: with statements
        // spread over the pool, a connection could still read the schema
        // from before a DROP TABLE another one ran, and refuse to recreate
        // its indexes.
        DatabaseBackend::Postgres | DatabaseBackend::Sqlite => {
            async {
                let txn = db.begin().await?;
                Migrator::up(&txn, None).await?;
                txn.commit().await
            }
            .await
        }
        _ => Migrator::up(db, None).await,
    };
    lock.release().await?;
    done
}

/// The URL with its password replaced, fit for logs and error messages.
pub fn mask_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("****"));
            u.to_string()
        }
        _ => url.to_owned(),
    }
}
