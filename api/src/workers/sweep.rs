//! Forgets idle throttle buckets now and then, so memory follows the
//! clients active lately rather than every client ever seen.

use super::{Outcome, Worker};
use crate::clock::Clock;
use crate::state::Community;
use std::sync::Arc;
use std::time::Duration;

pub struct ThrottleSweep {
    pub community: Arc<Community>,
    pub clock: Clock,
}

impl Worker for ThrottleSweep {
    fn name(&self) -> &'static str {
        "throttle sweep"
    }
    fn every(&self) -> Duration {
        Duration::from_secs(60)
    }
    async fn tick(&mut self) -> Outcome {
        self.community.throttle.sweep(self.clock.now());
        Outcome::Idle
    }
}
