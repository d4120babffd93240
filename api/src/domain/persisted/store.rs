//! Persisted documents in the database, shared by every instance on it.

use super::manifest::Entry;
use crate::domain::{token, tx};
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use entity::persisted_operation::{self, Column, Entity};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

pub use entity::persisted_operation::Origin;
pub type Operation = persisted_operation::Model;

/// Longest id a manifest may give (Relay's and Apollo's are hashes).
pub const MAX_ID: usize = 200;

/// The document with this SHA-256; a trusted one first when an operator's
/// manifest and a client both gave it.
pub async fn by_sha256(db: &impl ConnectionTrait, sha256: &str) -> AppResult<Option<Operation>> {
    Ok(Entity::find().filter(Column::Sha256.eq(sha256)).order_by_desc(Column::Origin).one(db).await?)
}

pub async fn by_id(db: &impl ConnectionTrait, id: &str) -> AppResult<Option<Operation>> {
    Ok(Entity::find_by_id(id.to_owned()).one(db).await?)
}

/// Keeps a client's document under its hash (once, whoever sends it
/// first), then evicts the oldest automatic documents past `max`.
pub async fn register_automatic(
    db: &impl tx::Db,
    sha256: &str,
    text: &str,
    max: u64,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let row = persisted_operation::ActiveModel {
        id: Set(sha256.to_owned()),
        sha256: Set(sha256.to_owned()),
        document: Set(text.to_owned()),
        name: Set(super::manifest::operation_name(text)),
        origin: Set(Origin::Automatic),
        created_at: Set(now),
    };
    tx::unit!(db, |txn| {
        // Whoever sends it first stores it. "Update the id to itself"
        // rather than DO NOTHING, which MySQL has no portable form of.
        Entity::insert(row.clone())
            .on_conflict(OnConflict::column(Column::Id).update_column(Column::Id).to_owned())
            .exec_without_returning(txn)
            .await?;
        let automatic = Entity::find().filter(Column::Origin.eq(Origin::Automatic));
        let held = automatic.clone().count(txn).await?;
        if held > max {
            let oldest: Vec<String> = automatic
                .select_only()
                .column(Column::Id)
                .order_by_asc(Column::CreatedAt)
                .order_by_asc(Column::Id)
                .limit(held - max)
                .into_tuple()
                .all(txn)
                .await?;
            Entity::delete_many().filter(Column::Id.is_in(oldest)).exec(txn).await?;
        }
        Ok(())
    })
}

/// What adding a manifest did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Added {
    pub added: usize,
    pub unchanged: usize,
}

/// Adds a manifest's documents as trusted, all or none. An id already held
/// with the same document is left as it is; with another document it is
/// refused, as a manifest's id names one document for good.
pub async fn add_trusted(db: &impl tx::Db, entries: &[Entry], now: DateTime<Utc>) -> AppResult<Added> {
    tx::unit!(db, |txn| {
        let mut done = Added::default();
        for e in entries {
            let sha256 = token::sha256_hex(&[e.document.as_bytes()]);
            match Entity::find_by_id(e.id.clone()).one(txn).await? {
                Some(held) if held.document == e.document && held.origin == Origin::Trusted => {
                    done.unchanged += 1;
                    continue;
                }
                Some(held) if held.document != e.document => {
                    return Err(AppError::unprocessable(
                        format!("operations.{}", e.id),
                        "is already registered with another document",
                    ));
                }
                Some(_) => {
                    // A client registered it first; the operator vouches now.
                    Entity::update_many()
                        .col_expr(Column::Origin, Expr::value(Origin::Trusted))
                        .col_expr(Column::Name, Expr::value(e.name.clone()))
                        .filter(Column::Id.eq(e.id.clone()))
                        .exec(txn)
                        .await?;
                }
                None => {
                    let row = persisted_operation::ActiveModel {
                        id: Set(e.id.clone()),
                        sha256: Set(sha256),
                        document: Set(e.document.clone()),
                        name: Set(e.name.clone()),
                        origin: Set(Origin::Trusted),
                        created_at: Set(now),
                    };
                    Entity::insert(row).exec_without_returning(txn).await?;
                }
            }
            done.added += 1;
        }
        Ok(done)
    })
}

/// Every document held, trusted first, oldest first within each origin.
pub async fn list(db: &impl ConnectionTrait) -> AppResult<Vec<Operation>> {
    Ok(Entity::find()
        .order_by_desc(Column::Origin)
        .order_by_asc(Column::CreatedAt)
        .order_by_asc(Column::Id)
        .all(db)
        .await?)
}

pub async fn remove(db: &impl ConnectionTrait, id: &str) -> AppResult<()> {
    let res = Entity::delete_by_id(id.to_owned()).exec(db).await?;
    if res.rows_affected == 0 {
        return Err(AppError::NotFound("persisted operation"));
    }
    Ok(())
}
