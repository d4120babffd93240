//! Write transactions. On SQLite a write transaction takes the write lock at
//! BEGIN (IMMEDIATE), so two writers queue instead of failing when a reader
//! upgrades; elsewhere it is an ordinary transaction. Inside an existing
//! transaction this opens a savepoint, so a caller can wrap a domain write
//! with more work (an idempotency record) and commit both at once.

use crate::error::{AppError, AppResult};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
};

pub async fn begin<C: TransactionTrait>(db: &C) -> Result<C::Transaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// A database handle a domain write may run on: the pool, or a
/// transaction a caller opened around the write (an adapter that stores
/// its answer with the write).
pub trait Db: ConnectionTrait + TransactionTrait<Transaction = DatabaseTransaction> + Sync {
    /// Whether this handle is the pool itself, so that a unit of work on it
    /// is the whole transaction and may be run again.
    const OUTERMOST: bool;
}

impl Db for DatabaseConnection {
    const OUTERMOST: bool = true;
}

impl Db for DatabaseTransaction {
    const OUTERMOST: bool = false;
}

/// Attempts of one unit of work before a lost race is answered BUSY.
const ATTEMPTS: u32 = 7;

/// The unit of work: `unit!(db, |txn| { … })` begins a write transaction,
/// runs the block with `txn` (a `&DatabaseTransaction`) and commits what
/// it returns `Ok`; an `Err` rolls back. On the pool, a transaction that
/// lost a deadlock or serialization race (`AppError::Busy`, decided by the
/// database alone) is run again whole, a few times with a short growing
/// pause. Inside a caller's transaction it is a savepoint and a lost race
/// goes up to the caller's own unit, which runs everything again (MariaDB
/// rolls the whole transaction back on a deadlock, so nothing smaller may
/// be retried). The block is an async block: `?` and `return` leave it,
/// not the enclosing function. What the block names with
/// `freshness::changed` is published once the outermost unit commits. A macro rather than a function taking a
/// closure, so the block borrows what it likes and its future stays `Send`.
macro_rules! unit {
    ($db:expr, |$txn:ident| $body:block) => {{
        let db = $db;
        let mut attempts = $crate::domain::tx::Attempts::of(db);
        $crate::domain::freshness::committing(attempts.outermost(), async {
            loop {
                let outcome = match $crate::domain::tx::begin(db).await {
                    Ok(txn) => {
                        let result: $crate::error::AppResult<_> = {
                            let $txn = &txn;
                            async $body.await
                        };
                        $crate::domain::tx::settle(txn, result).await
                    }
                    Err(e) => Err(e.into()),
                };
                if let Some(done) = attempts.done(outcome).await {
                    break done;
                }
            }
        })
        .await
    }};
}
pub(crate) use unit;

/// Commits after success; a failure drops (rolls back) the transaction.
pub async fn settle<T>(txn: DatabaseTransaction, result: AppResult<T>) -> AppResult<T> {
    match result {
        Ok(v) => txn.commit().await.map(|()| v).map_err(AppError::from),
        Err(e) => Err(e),
    }
}

/// Whether a unit of work runs again.
pub struct Attempts {
    outermost: bool,
    made: u32,
}

impl Attempts {
    pub fn of<C: Db>(_: &C) -> Self {
        Self { outermost: C::OUTERMOST, made: 0 }
    }

    /// Whether the unit is the whole transaction: what it changed is
    /// published when it commits (`freshness::committing`).
    pub fn outermost(&self) -> bool {
        self.outermost
    }

    /// The answer, or nothing when the unit is to run again (after a pause).
    pub async fn done<T>(&mut self, outcome: AppResult<T>) -> Option<AppResult<T>> {
        self.made += 1;
        match outcome {
            Err(AppError::Busy) if self.outermost && self.made < ATTEMPTS => {
                let jitter = u64::from(rand::random::<u8>() % 20);
                tokio::time::sleep(std::time::Duration::from_millis(5 * 2u64.pow(self.made) + jitter)).await;
                None
            }
            other => Some(other),
        }
    }
}

/// Inserts a row that a unique key may already hold, inside the caller's
/// transaction; answers whether it was inserted. A savepoint keeps the
/// caller's transaction usable after a duplicate (PostgreSQL aborts a
/// transaction on any failed statement), and the same code runs on all
/// three databases, unlike `ON CONFLICT DO NOTHING`.
pub async fn insert_unless_present<C, A>(txn: &C, row: A) -> AppResult<bool>
where
    C: TransactionTrait + sea_orm::ConnectionTrait,
    A: sea_orm::ActiveModelTrait + Send,
{
    use sea_orm::{EntityTrait, SqlErr, TransactionSession};
    let sp = begin(txn).await?;
    match <A::Entity as EntityTrait>::insert(row).exec_without_returning(&sp).await {
        Ok(_) => {
            sp.commit().await?;
            Ok(true)
        }
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            sp.rollback().await?;
            Ok(false)
        }
        Err(e) => Err(e.into()),
    }
}
