//! Sending the outbox, the parts that touch the database: claiming a batch
//! and recording what each attempt came to. The worker that makes the HTTP
//! requests (`crate::workers::webhooks`) sits outside the domain.
//!
//! Any number of instances may send against the same database: a delivery
//! is claimed with a lease (a conditional update only one claimant can
//! win), so each is sent by one instance at a time, and a lease left by a
//! crashed instance runs out and the delivery is sent again by another.

use super::outbox::DeliveryStatus;
use super::{MAX_ATTEMPTS, RETRY_WAITS_SECS, Settings, address, signing};
use crate::domain::tx;
use crate::error::AppResult;
use chrono::{DateTime, TimeDelta, Utc};
use entity::{webhook_delivery, webhook_endpoint};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use std::collections::HashMap;
use uuid::Uuid;

/// Deliveries claimed and sent at once.
pub const BATCH: u64 = 64;

/// One request to make: where, with which headers, carrying what.
pub struct Attempt {
    pub delivery: webhook_delivery::Model,
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    /// Set when the endpoint may no longer be reached (an address refused
    /// since it was saved): the attempt fails without a request.
    pub refused: Option<&'static str>,
}

/// What one attempt came to.
#[derive(Clone)]
pub enum Outcome {
    Delivered(u16),
    Refused(Option<u16>, String),
}

/// A claimed batch: the attempts to make and their endpoints as read.
pub struct Batch {
    pub attempts: Vec<Attempt>,
    endpoints: HashMap<Uuid, webhook_endpoint::Model>,
}

/// Claims up to [`BATCH`] due deliveries for this caller; an empty batch
/// when nothing is due. `now` is the instance's clock; `wall` is the real
/// time receivers compare the signature's timestamp with.
pub async fn claim(
    db: &impl ConnectionTrait,
    settings: &Settings,
    now: DateTime<Utc>,
    wall: DateTime<Utc>,
) -> AppResult<Batch> {
    let enabled = Query::select()
        .column(webhook_endpoint::Column::Id)
        .from(webhook_endpoint::Entity)
        .and_where(webhook_endpoint::Column::Enabled.eq(true))
        .to_owned();
    let due: Vec<Uuid> = webhook_delivery::Entity::find()
        .select_only()
        .column(webhook_delivery::Column::Id)
        .filter(claimable(now))
        .filter(webhook_delivery::Column::EndpointId.in_subquery(enabled))
        .order_by_asc(webhook_delivery::Column::NextAttemptAt)
        .limit(BATCH)
        .into_tuple()
        .all(db)
        .await?;
    if due.is_empty() {
        return Ok(Batch { attempts: Vec::new(), endpoints: HashMap::new() });
    }
    // One statement claims the batch. The lease instant is this claim's
    // own (a random number of microseconds on top), so the rows carrying
    // it afterwards are exactly those this caller won; a rival's claim
    // finds them leased and takes none.
    let lease = now
        + TimeDelta::from_std(settings.timeout).unwrap_or(TimeDelta::seconds(30))
        + TimeDelta::seconds(30)
        + TimeDelta::microseconds(rand::random_range(0..1_000_000));
    let ids = crate::domain::sql::padded(&due);
    webhook_delivery::Entity::update_many()
        .col_expr(webhook_delivery::Column::LeaseUntil, Expr::value(lease))
        .filter(webhook_delivery::Column::Id.is_in(ids.clone()))
        .filter(claimable(now))
        .exec(db)
        .await?;
    let claimed = webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::Id.is_in(ids))
        .filter(webhook_delivery::Column::LeaseUntil.eq(lease))
        .all(db)
        .await?;
    let mut endpoint_ids: Vec<Uuid> = claimed.iter().map(|d| d.endpoint_id).collect();
    endpoint_ids.sort_unstable();
    endpoint_ids.dedup();
    let endpoints: HashMap<Uuid, webhook_endpoint::Model> = webhook_endpoint::Entity::find()
        .filter(webhook_endpoint::Column::Id.is_in(crate::domain::sql::padded(&endpoint_ids)))
        .all(db)
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect();
    let attempts = claimed
        .into_iter()
        .filter_map(|d| {
            let e = endpoints.get(&d.endpoint_id)?;
            Some(attempt(e, d, settings.allow_private, now, wall))
        })
        .collect();
    Ok(Batch { attempts, endpoints })
}

/// The signed request for one delivery.
fn attempt(
    e: &webhook_endpoint::Model,
    d: webhook_delivery::Model,
    allow_private: bool,
    now: DateTime<Utc>,
    wall: DateTime<Utc>,
) -> Attempt {
    // The URL again: an endpoint saved when private targets were allowed
    // stays refused once they are not.
    let refused = address::check_shape(&e.url, allow_private).err();
    let msg_id = super::present::message_id(d.id);
    let ts = wall.timestamp();
    let mut secrets = vec![e.secret.as_str()];
    if let (Some(old), Some(until)) = (&e.previous_secret, e.previous_secret_until)
        && until > now
    {
        secrets.push(old.as_str());
    }
    let signature = signing::header(&secrets, &msg_id, ts, &d.payload);
    Attempt {
        url: e.url.clone(),
        headers: vec![
            ("content-type", "application/json".to_owned()),
            ("webhook-id", msg_id),
            ("webhook-timestamp", ts.to_string()),
            ("webhook-signature", signature),
        ],
        refused,
        delivery: d,
    }
}

/// Writes what every attempt of a batch came to, in one transaction.
pub async fn record<C: tx::Db>(
    db: &C,
    settings: &Settings,
    batch: Batch,
    sent: Vec<(webhook_delivery::Model, Outcome)>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let before = batch.endpoints;
    tx::unit!(db, |txn| {
        let mut endpoints = before.clone();
        for (d, outcome) in sent.iter().cloned() {
            let attempts = d.attempts + 1;
            let endpoint_id = d.endpoint_id;
            let mut row: webhook_delivery::ActiveModel = d.into();
            row.attempts = Set(attempts);
            row.lease_until = Set(None);
            let Some(ep) = endpoints.get_mut(&endpoint_id) else { continue };
            match outcome {
                Outcome::Delivered(code) => {
                    row.status = Set(DeliveryStatus::Delivered);
                    row.last_status_code = Set(Some(i32::from(code)));
                    row.last_error = Set(None);
                    row.delivered_at = Set(Some(now));
                    ep.failing_since = None;
                }
                Outcome::Refused(code, why) => {
                    row.last_status_code = Set(code.map(i32::from));
                    row.last_error = Set(Some(why.chars().take(500).collect()));
                    if attempts >= MAX_ATTEMPTS {
                        row.status = Set(DeliveryStatus::Failed);
                    } else {
                        row.status = Set(DeliveryStatus::Pending);
                        row.next_attempt_at = Set(now + wait_before(attempts));
                    }
                    let since = *ep.failing_since.get_or_insert(now);
                    if ep.enabled && now - since >= settings.disable_after {
                        ep.enabled = false;
                        ep.disabled_reason = Some(format!(
                            "every delivery failed since {}; last: {}",
                            since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                            why.chars().take(200).collect::<String>()
                        ));
                    }
                }
            }
            webhook_delivery::Entity::update(row).exec(txn).await?;
        }
        for (id, ep) in endpoints {
            if before.get(&id) != Some(&ep) {
                let mut row: webhook_endpoint::ActiveModel = ep.into();
                for c in [
                    webhook_endpoint::Column::FailingSince,
                    webhook_endpoint::Column::Enabled,
                    webhook_endpoint::Column::DisabledReason,
                ] {
                    row.reset(c);
                }
                row.updated_at = Set(now);
                webhook_endpoint::Entity::update(row).exec(txn).await?;
            }
        }
        Ok(())
    })
}

/// Pending, due, and not leased to anyone now.
fn claimable(now: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(webhook_delivery::Column::Status.eq(DeliveryStatus::Pending))
        .add(webhook_delivery::Column::NextAttemptAt.lte(now))
        .add(
            Condition::any()
                .add(webhook_delivery::Column::LeaseUntil.is_null())
                .add(webhook_delivery::Column::LeaseUntil.lt(now)),
        )
}

/// The wait after `attempts` attempts, ±10%.
pub fn wait_before(attempts: i32) -> TimeDelta {
    let i = usize::try_from(attempts - 1).unwrap_or(0).min(RETRY_WAITS_SECS.len() - 1);
    let base = RETRY_WAITS_SECS[i] * 1000;
    let jitter = rand::random_range(-base / 10..=base / 10);
    TimeDelta::milliseconds(base + jitter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_with_attempts_within_a_tenth_and_stop_growing() {
        for attempts in 1..=12 {
            let i = usize::try_from(attempts - 1).unwrap_or(0).min(RETRY_WAITS_SECS.len() - 1);
            let base = RETRY_WAITS_SECS[i] * 1000;
            for _ in 0..50 {
                let w = wait_before(attempts).num_milliseconds();
                assert!(w >= base - base / 10 && w <= base + base / 10, "attempt {attempts}: {w} ms");
            }
        }
        assert_eq!(RETRY_WAITS_SECS[0], 5, "the second attempt follows after seconds");
        assert_eq!(MAX_ATTEMPTS, 8);
    }
}
