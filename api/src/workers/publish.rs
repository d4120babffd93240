//! Announces scheduled stories whose time has come.

use super::{Outcome, Worker};
use crate::clock::Clock;
use sea_orm::DatabaseConnection;
use std::time::Duration;

pub struct Publisher {
    pub db: DatabaseConnection,
    pub clock: Clock,
    pub every: Duration,
}

impl Worker for Publisher {
    fn name(&self) -> &'static str {
        "scheduled publication"
    }
    fn every(&self) -> Duration {
        self.every
    }
    async fn tick(&mut self) -> Outcome {
        match crate::domain::sync::schedule::announce_due(&self.db, self.clock.now()).await {
            Ok(_) => Outcome::Idle,
            Err(e) => Outcome::Failed(e.to_string()),
        }
    }
}
