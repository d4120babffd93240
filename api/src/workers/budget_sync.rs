//! Sends what this instance's callers spent of their rate budgets to the
//! store the instances share, and learns what all of them spent
//! (`domain::budget`). A store that does not answer is logged once, when
//! it stops answering, and once when it answers again; meanwhile each
//! instance limits its callers alone, and no request waits or fails.

use super::{Outcome, Worker};
use crate::config::{BudgetStore, Config};
use crate::domain::budget::store::{RedisStore, Store};
use crate::domain::budget::{Ledger, ledger};
use sea_orm::{DatabaseBackend, DatabaseConnection};
use secrecy::ExposeSecret;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How often budgets whole again are deleted from the database.
const FORGET_EVERY: Duration = Duration::from_secs(60);

/// The store configured for `db`, if the budgets are shared.
pub fn store_of(c: &Config, db: &DatabaseConnection) -> Result<Option<Store>, String> {
    let redis = c.http.redis_url.as_ref().map(|u| u.expose_secret().to_owned());
    let choice = match c.http.rate_limit_store {
        BudgetStore::Auto if redis.is_some() => BudgetStore::Redis,
        BudgetStore::Auto if db.get_database_backend() == DatabaseBackend::Sqlite => BudgetStore::Local,
        BudgetStore::Auto => BudgetStore::Database,
        other => other,
    };
    Ok(match choice {
        BudgetStore::Local | BudgetStore::Auto => None,
        BudgetStore::Database => Some(Store::Database(db.clone())),
        BudgetStore::Redis => {
            let url = redis.ok_or("DATELINE_RATE_LIMIT_STORE=redis needs DATELINE_REDIS_URL")?;
            Some(Store::Redis(Box::new(RedisStore::new(&url, &c.http.redis_key_prefix)?)))
        }
    })
}

/// What one step did, for tests.
#[derive(Debug, PartialEq, Eq)]
pub enum Synced {
    /// Nothing was spent since the last step.
    Nothing,
    /// Budgets sent and learnt back.
    Sent(usize),
    /// The store did not answer: limits are this instance's alone.
    Unreachable,
}

pub struct BudgetSync {
    ledger: Arc<Ledger>,
    store: Arc<Store>,
    /// 1 while the store answers, 0 while it does not.
    up: prometheus::IntGauge,
    every: Duration,
    forgotten: Instant,
}

impl BudgetSync {
    pub fn new(ledger: Arc<Ledger>, store: Arc<Store>, up: prometheus::IntGauge, every: Duration) -> Self {
        Self { ledger, store, up, every, forgotten: Instant::now() }
    }

    pub async fn step(&mut self) -> Synced {
        let now = ledger::now();
        // On its own timer, busy or not: under steady traffic something is
        // always waiting to be sent, and the table must not keep every
        // caller ever seen.
        if self.up.get() != 0 && self.forgotten.elapsed() >= FORGET_EVERY {
            self.forgotten = Instant::now();
            if let Err(e) = self.store.forget(now).await {
                tracing::debug!(error = %e, "could not forget whole rate budgets");
            }
        }
        let spent = self.ledger.take_unsent();
        if spent.is_empty() {
            return Synced::Nothing;
        }
        match self.store.add(&spent, now).await {
            Ok(tats) => {
                if self.up.get() == 0 {
                    tracing::info!("the shared store of rate budgets answers again");
                }
                self.up.set(1);
                let n = tats.len();
                for (key, tat) in tats {
                    self.ledger.learn(&key, tat);
                }
                Synced::Sent(n)
            }
            Err(e) => {
                if self.up.get() != 0 {
                    tracing::warn!(error = %e, "the shared store of rate budgets does not answer: each instance limits its callers alone until it does");
                }
                self.up.set(0);
                Synced::Unreachable
            }
        }
    }
}

impl Worker for BudgetSync {
    fn name(&self) -> &'static str {
        "rate budgets"
    }
    fn every(&self) -> Duration {
        self.every
    }
    async fn tick(&mut self) -> Outcome {
        self.step().await;
        Outcome::Idle
    }
}
