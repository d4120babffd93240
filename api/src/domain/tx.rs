//! Write transactions. On SQLite a write transaction takes the write lock at
//! BEGIN (IMMEDIATE), so two writers queue instead of failing when a reader
//! upgrades; elsewhere it is an ordinary transaction. Inside an existing
//! transaction this opens a savepoint, so a caller can wrap a domain write
//! with more work (an idempotency record) and commit both at once.

use crate::error::{AppError, AppResult};
use sea_orm::{DbErr, SqliteTransactionMode, TransactionOptions, TransactionTrait};

pub async fn begin<C: TransactionTrait>(db: &C) -> Result<C::Transaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// Runs a whole write again when it lost a deadlock or serialization race
/// (`AppError::Busy`), a few times with a short growing pause. Only the
/// database decides a race here; a stale expected version is a CONFLICT and
/// is never retried.
pub async fn retry<T, F, Fut>(write: F) -> AppResult<T>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = AppResult<T>>,
{
    let mut attempt: u32 = 0;
    loop {
        match write().await {
            Err(AppError::Busy) if attempt < 6 => {
                attempt += 1;
                let jitter = u64::from(rand::random::<u8>() % 20);
                tokio::time::sleep(std::time::Duration::from_millis(5 * 2u64.pow(attempt) + jitter)).await;
            }
            other => return other,
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
