//! Idempotent retries: the first answer to a request carrying an
//! `Idempotency-Key` is stored in the same transaction as the write it
//! reports, so a retry gets that answer and nothing is created twice, even
//! when the retry races the original.

use crate::domain::{token, tx};
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use entity::idempotency_key;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use uuid::Uuid;

pub const MAX_KEY_LEN: usize = 200;

pub struct Stored {
    pub status: u16,
    pub body: String,
}

/// What identifies "the same request": method, path and body.
pub fn fingerprint(method: &str, path: &str, body: &[u8]) -> String {
    token::sha256_hex(&[method.as_bytes(), b" ", path.as_bytes(), b"\n", body])
}

pub fn check_key(key: &str) -> AppResult<()> {
    if key.is_empty() || key.len() > MAX_KEY_LEN || !key.bytes().all(|b| (b' '..=b'~').contains(&b)) {
        return Err(AppError::field("Idempotency-Key", "must be 1 to 200 printable ASCII characters"));
    }
    Ok(())
}

/// The stored answer for this key, if any. The same key with a different
/// request is a client bug, reported as CONFLICT.
pub async fn lookup(
    db: &impl ConnectionTrait,
    owner: Uuid,
    key: &str,
    fp: &str,
) -> AppResult<Option<Stored>> {
    let Some(row) = idempotency_key::Entity::find_by_id((owner, key.to_owned())).one(db).await? else {
        return Ok(None);
    };
    if row.request_hash != fp {
        return Err(AppError::Conflict("this Idempotency-Key was used for a different request".into()));
    }
    Ok(Some(Stored { status: u16::try_from(row.response_status).unwrap_or(200), body: row.response_body }))
}

/// Claims the key at the start of the write's transaction; false when a
/// request with the same key holds it (a concurrent one waits on the
/// winner's row, then finds it taken), whose answer the caller replays.
pub async fn claim(
    txn: &sea_orm::DatabaseTransaction,
    owner: Uuid,
    key: &str,
    fp: &str,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    tx::insert_unless_present(
        txn,
        idempotency_key::ActiveModel {
            api_key_id: Set(owner),
            idem_key: Set(key.to_owned()),
            request_hash: Set(fp.to_owned()),
            response_status: Set(0),
            response_body: Set(String::new()),
            created_at: Set(now),
        },
    )
    .await
}

/// Stores the answer on the claimed key, in the write's transaction.
pub async fn complete(db: &impl ConnectionTrait, owner: Uuid, key: &str, answer: &Stored) -> AppResult<()> {
    idempotency_key::Entity::update(idempotency_key::ActiveModel {
        api_key_id: Set(owner),
        idem_key: Set(key.to_owned()),
        response_status: Set(i32::from(answer.status)),
        response_body: Set(answer.body.clone()),
        ..Default::default()
    })
    .exec(db)
    .await?;
    Ok(())
}
