//! The live-comment poller: reads the comment event log while anyone
//! listens and publishes what it finds to the process's subscribers.
//!
//! Event numbers come from the database; on PostgreSQL a transaction can
//! commit after a later-numbered one. Numbers skipped by a poll are asked
//! for again for a while, so a late commit is still delivered.

use super::{Outcome, Worker};
use crate::domain::comments::live::{self, Live};
use sea_orm::DatabaseConnection;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a skipped event number is waited for.
const LATE_COMMIT: Duration = Duration::from_secs(10);
/// Skipped numbers remembered at most.
const MAX_WAITED: usize = 1000;

pub struct Poller {
    db: DatabaseConnection,
    hub: Arc<Live>,
    every: Duration,
    /// The highest event number seen; none while nobody listens.
    high: Option<i64>,
    missing: BTreeMap<i64, Instant>,
}

impl Poller {
    pub fn new(db: DatabaseConnection, hub: Arc<Live>, every: Duration) -> Self {
        Self { db, hub, every, high: None, missing: BTreeMap::new() }
    }

    /// One poll: publishes the events since the last, answers how many.
    pub async fn step(&mut self) -> crate::error::AppResult<usize> {
        if !self.hub.listened() {
            self.high = None;
            self.missing.clear();
            return Ok(0);
        }
        let resume = self.hub.start_position();
        let high = match (self.high, resume) {
            (Some(h), _) => h,
            (None, Some(start)) => start,
            // A subscriber is still reading its start.
            (None, None) => return Ok(0),
        };
        let waited: Vec<i64> = self.missing.keys().copied().collect();
        let rows = live::after(&self.db, high, waited).await?;
        let now = Instant::now();
        let mut top = high;
        for r in &rows {
            if r.seq > top {
                for gap in (top + 1)..r.seq {
                    if self.missing.len() < MAX_WAITED {
                        self.missing.insert(gap, now);
                    }
                }
                top = r.seq;
            } else {
                self.missing.remove(&r.seq);
            }
        }
        self.missing.retain(|_, since| now.duration_since(*since) < LATE_COMMIT);
        self.high = Some(top);
        let n = rows.len();
        for ev in live::load(&self.db, rows).await? {
            self.hub.publish(ev);
        }
        Ok(n)
    }
}

impl Worker for Poller {
    fn name(&self) -> &'static str {
        "live comments"
    }
    fn every(&self) -> Duration {
        self.every
    }
    async fn tick(&mut self) -> Outcome {
        match self.step().await {
            Ok(n) if n as u64 >= live::BATCH => Outcome::More,
            Ok(_) => Outcome::Idle,
            Err(e) => Outcome::Failed(e.to_string()),
        }
    }
}
