//! Write transactions. On SQLite a write transaction takes the write lock at
//! BEGIN (IMMEDIATE), so two writers queue instead of failing when a reader
//! upgrades; elsewhere it is an ordinary transaction. Inside an existing
//! transaction this opens a savepoint, so a caller can wrap a domain write
//! with more work (an idempotency record) and commit both at once.

use sea_orm::{DbErr, SqliteTransactionMode, TransactionOptions, TransactionTrait};

pub async fn begin<C: TransactionTrait>(db: &C) -> Result<C::Transaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}
