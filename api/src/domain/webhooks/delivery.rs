//! The worker that sends the outbox. Any number of instances may run one
//! against the same database: a delivery is claimed with a lease (a
//! conditional update that only one claimant can win), so each is sent by
//! one instance at a time, and a lease left by a crashed instance runs out
//! and the delivery is sent again by another.

use super::outbox::{DELIVERED, FAILED, PENDING};
use super::{MAX_ATTEMPTS, RETRY_WAITS_SECS, Settings, address, signing};
use crate::clock::Clock;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, TimeDelta, Utc};
use entity::{webhook_delivery, webhook_endpoint};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use std::collections::HashMap;
use std::sync::Arc;
use uuid::Uuid;

/// Deliveries claimed and sent at once.
const BATCH: u64 = 64;

pub struct Dispatcher {
    db: DatabaseConnection,
    clock: Clock,
    client: reqwest::Client,
    settings: Settings,
}

/// What one attempt came to.
enum Outcome {
    Delivered(u16),
    Refused(Option<u16>, String),
}

impl Dispatcher {
    pub fn new(db: DatabaseConnection, clock: Clock, settings: Settings) -> AppResult<Self> {
        Ok(Self { client: client(&settings)?, db, clock, settings })
    }

    /// Runs until the process ends.
    pub fn spawn(self) {
        if self.settings.poll.is_zero() {
            return;
        }
        let me = Arc::new(self);
        tokio::spawn(async move {
            loop {
                match me.tick().await {
                    // A full batch: more may be waiting, so no pause.
                    Ok(n) if n as u64 >= BATCH => continue,
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "webhook deliveries could not be sent"),
                }
                tokio::time::sleep(me.settings.poll).await;
            }
        });
    }

    /// Sends what is due now, a batch at a time; returns how many attempts
    /// were made.
    pub async fn tick(&self) -> AppResult<usize> {
        let now = self.clock.now();
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
            .all(&self.db)
            .await?;
        if due.is_empty() {
            return Ok(0);
        }
        // One statement claims the batch. The lease instant is this tick's
        // own (a random number of microseconds on top), so the rows carrying
        // it afterwards are exactly those this worker won; a rival's claim
        // finds them leased and takes none.
        let lease = now
            + TimeDelta::from_std(self.settings.timeout).unwrap_or(TimeDelta::seconds(30))
            + TimeDelta::seconds(30)
            + TimeDelta::microseconds(rand::random_range(0..1_000_000));
        let ids = crate::domain::sql::padded(&due);
        webhook_delivery::Entity::update_many()
            .col_expr(webhook_delivery::Column::LeaseUntil, Expr::value(lease))
            .filter(webhook_delivery::Column::Id.is_in(ids.clone()))
            .filter(claimable(now))
            .exec(&self.db)
            .await?;
        let claimed = webhook_delivery::Entity::find()
            .filter(webhook_delivery::Column::Id.is_in(ids))
            .filter(webhook_delivery::Column::LeaseUntil.eq(lease))
            .all(&self.db)
            .await?;
        let mut endpoint_ids: Vec<Uuid> = claimed.iter().map(|d| d.endpoint_id).collect();
        endpoint_ids.sort_unstable();
        endpoint_ids.dedup();
        let endpoints: HashMap<Uuid, webhook_endpoint::Model> = webhook_endpoint::Entity::find()
            .filter(webhook_endpoint::Column::Id.is_in(crate::domain::sql::padded(&endpoint_ids)))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|e| (e.id, e))
            .collect();
        let sent = futures_util::future::join_all(claimed.into_iter().filter_map(|d| {
            let e = endpoints.get(&d.endpoint_id)?;
            Some(async move {
                let outcome = self.send(e, &d).await;
                (d, outcome)
            })
        }))
        .await;
        let n = sent.len();
        self.record(endpoints, sent).await?;
        Ok(n)
    }

    async fn send(&self, e: &webhook_endpoint::Model, d: &webhook_delivery::Model) -> Outcome {
        // The URL again: an endpoint saved when private targets were allowed
        // stays refused once they are not.
        if let Err(why) = address::check_shape(&e.url, self.settings.allow_private) {
            return Outcome::Refused(None, why.to_owned());
        }
        let msg_id = format!("msg_{}", d.id.simple());
        // Receivers compare this with their own clock, so it is the real time.
        let ts = Utc::now().timestamp();
        let mut secrets = vec![e.secret.as_str()];
        if let (Some(old), Some(until)) = (&e.previous_secret, e.previous_secret_until)
            && until > self.clock.now()
        {
            secrets.push(old.as_str());
        }
        let signature = signing::header(&secrets, &msg_id, ts, &d.payload);
        let sent = self
            .client
            .post(&e.url)
            .header("content-type", "application/json")
            .header("webhook-id", &msg_id)
            .header("webhook-timestamp", ts.to_string())
            .header("webhook-signature", signature)
            .body(d.payload.clone())
            .send()
            .await;
        match sent {
            Ok(r) if r.status().is_success() => Outcome::Delivered(r.status().as_u16()),
            Ok(r) => Outcome::Refused(Some(r.status().as_u16()), format!("answered {}", r.status())),
            Err(err) => Outcome::Refused(None, describe(&err)),
        }
    }

    /// Writes what every attempt of a batch came to, in one transaction.
    async fn record(
        &self,
        mut endpoints: HashMap<Uuid, webhook_endpoint::Model>,
        sent: Vec<(webhook_delivery::Model, Outcome)>,
    ) -> AppResult<()> {
        let now = self.clock.now();
        let before = endpoints.clone();
        let txn = crate::domain::tx::begin(&self.db).await?;
        for (d, outcome) in sent {
            let attempts = d.attempts + 1;
            let endpoint_id = d.endpoint_id;
            let mut row: webhook_delivery::ActiveModel = d.into();
            row.attempts = Set(attempts);
            row.lease_until = Set(None);
            let Some(ep) = endpoints.get_mut(&endpoint_id) else { continue };
            match outcome {
                Outcome::Delivered(code) => {
                    row.status = Set(DELIVERED.into());
                    row.last_status_code = Set(Some(i32::from(code)));
                    row.last_error = Set(None);
                    row.delivered_at = Set(Some(now));
                    ep.failing_since = None;
                }
                Outcome::Refused(code, why) => {
                    row.last_status_code = Set(code.map(i32::from));
                    row.last_error = Set(Some(why.chars().take(500).collect()));
                    if attempts >= MAX_ATTEMPTS {
                        row.status = Set(FAILED.into());
                    } else {
                        row.status = Set(PENDING.into());
                        row.next_attempt_at = Set(now + wait_before(attempts));
                    }
                    let since = *ep.failing_since.get_or_insert(now);
                    if ep.enabled && now - since >= self.settings.disable_after {
                        ep.enabled = false;
                        ep.disabled_reason = Some(format!(
                            "every delivery failed since {}; last: {}",
                            since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                            why.chars().take(200).collect::<String>()
                        ));
                    }
                }
            }
            webhook_delivery::Entity::update(row).exec(&txn).await?;
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
                webhook_endpoint::Entity::update(row).exec(&txn).await?;
            }
        }
        txn.commit().await?;
        Ok(())
    }
}

/// Pending, due, and not leased to anyone now.
fn claimable(now: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(webhook_delivery::Column::Status.eq(PENDING))
        .add(webhook_delivery::Column::NextAttemptAt.lte(now))
        .add(
            Condition::any()
                .add(webhook_delivery::Column::LeaseUntil.is_null())
                .add(webhook_delivery::Column::LeaseUntil.lt(now)),
        )
}

/// The wait after `attempts` attempts, ±10%.
fn wait_before(attempts: i32) -> TimeDelta {
    let i = usize::try_from(attempts - 1).unwrap_or(0).min(RETRY_WAITS_SECS.len() - 1);
    let base = RETRY_WAITS_SECS[i] * 1000;
    let jitter = rand::random_range(-base / 10..=base / 10);
    TimeDelta::milliseconds(base + jitter)
}

/// Errors say what happened, not how reqwest phrases it.
fn describe(err: &reqwest::Error) -> String {
    if err.is_timeout() {
        "timed out".into()
    } else if err.is_connect() {
        "could not connect".into()
    } else if err.is_redirect() {
        "answered with a redirect, which webhooks do not follow".into()
    } else {
        "the request failed".into()
    }
}

/// One client for all deliveries: rustls with the ring provider (already
/// built for the database drivers) and the webpki roots, no redirects (a
/// redirect could lead inside), DNS answers checked by `GuardedResolver`.
fn client(settings: &Settings) -> AppResult<reqwest::Client> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(AppError::internal)?
        .with_root_certificates(roots)
        .with_no_client_auth();
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(settings.timeout)
        .connect_timeout(settings.timeout)
        .user_agent(concat!("Dateline-Webhooks/", env!("CARGO_PKG_VERSION")))
        .dns_resolver(Arc::new(address::GuardedResolver { allow_private: settings.allow_private }))
        .build()
        .map_err(AppError::internal)
}
