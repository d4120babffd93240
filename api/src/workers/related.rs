//! Re-ranks the related-story lists that writes marked.

use super::{Outcome, Worker};
use crate::domain::related::refresh;
use sea_orm::DatabaseConnection;
use std::time::Duration;

pub struct Refresher {
    pub db: DatabaseConnection,
    pub every: Duration,
}

impl Worker for Refresher {
    fn name(&self) -> &'static str {
        "related refresher"
    }
    fn every(&self) -> Duration {
        self.every
    }
    async fn tick(&mut self) -> Outcome {
        match refresh::step(&self.db, refresh::BATCH).await {
            Ok(0) => Outcome::Idle,
            Ok(_) => Outcome::More,
            Err(e) => Outcome::Failed(e.to_string()),
        }
    }
}
