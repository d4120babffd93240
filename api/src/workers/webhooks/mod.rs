//! The webhook dispatcher: claims due deliveries (`domain::webhooks::delivery`),
//! sends them, and records what each attempt came to.

pub mod outbound;

use super::{Outcome, Worker};
use crate::clock::Clock;
use crate::domain::webhooks::Settings;
use crate::domain::webhooks::delivery::{self, Attempt};
use crate::error::AppResult;
use chrono::Utc;
use sea_orm::DatabaseConnection;
use std::time::Duration;

pub struct Dispatcher {
    db: DatabaseConnection,
    clock: Clock,
    client: reqwest::Client,
    settings: Settings,
}

impl Dispatcher {
    pub fn new(db: DatabaseConnection, clock: Clock, settings: Settings) -> Result<Self, String> {
        Ok(Self { client: outbound::client(&settings)?, db, clock, settings })
    }

    /// Sends one batch of what is due now; returns how many attempts were
    /// made.
    pub async fn step(&self) -> AppResult<usize> {
        let batch = delivery::claim(&self.db, &self.settings, self.clock.now(), Utc::now()).await?;
        if batch.attempts.is_empty() {
            return Ok(0);
        }
        let sent = futures_util::future::join_all(batch.attempts.iter().map(|a| async move {
            let outcome = self.send(a).await;
            (a.delivery.clone(), outcome)
        }))
        .await;
        let n = sent.len();
        delivery::record(&self.db, &self.settings, batch, sent, self.clock.now()).await?;
        Ok(n)
    }

    /// Sends until nothing is due; returns how many attempts were made.
    pub async fn drain(&self) -> AppResult<usize> {
        let mut total = 0;
        loop {
            match self.step().await? {
                0 => return Ok(total),
                n => total += n,
            }
        }
    }

    async fn send(&self, a: &Attempt) -> delivery::Outcome {
        if let Some(why) = a.refused {
            return delivery::Outcome::Refused(None, why.to_owned());
        }
        let mut req = self.client.post(&a.url).body(a.delivery.payload.clone());
        for (name, value) in &a.headers {
            req = req.header(*name, value);
        }
        match req.send().await {
            Ok(r) if r.status().is_success() => delivery::Outcome::Delivered(r.status().as_u16()),
            Ok(r) => {
                delivery::Outcome::Refused(Some(r.status().as_u16()), format!("answered {}", r.status()))
            }
            Err(err) => delivery::Outcome::Refused(None, outbound::describe(&err)),
        }
    }
}

impl Worker for Dispatcher {
    fn name(&self) -> &'static str {
        "webhook dispatcher"
    }
    fn every(&self) -> Duration {
        self.settings.poll
    }
    async fn tick(&mut self) -> Outcome {
        match self.step().await {
            // A full batch: more may be waiting.
            Ok(n) if n as u64 >= delivery::BATCH => Outcome::More,
            Ok(_) => Outcome::Idle,
            Err(e) => Outcome::Failed(e.to_string()),
        }
    }
}
