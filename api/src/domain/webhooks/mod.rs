//! Webhooks: endpoints integrators register, an outbox filled in the same
//! transaction as each change, and a worker that signs and sends it.
//!
//! Signing follows Standard Webhooks: `webhook-id` (the delivery, the same
//! on every attempt), `webhook-timestamp` (Unix seconds of the attempt) and
//! `webhook-signature` (`v1,` + base64 HMAC-SHA256 of `id.timestamp.body`
//! under the `whsec_` secret), so any of its libraries verifies them.
//!
//! Retries: a delivery is tried at once, then after 5 s, 5 min, 30 min,
//! 2 h, 5 h, 10 h and 10 h (each wait ±10% at random, so a recovering
//! receiver is not hit by every delivery at the same instant): 8 attempts
//! over about 28 hours, until a 2xx. An endpoint whose every attempt has
//! failed for `disable_after` (5 days by default) is disabled, with the
//! reason stored on it.

pub mod address;
pub mod delivery;
pub mod endpoints;
pub mod present;
pub mod signing;

/// The outbox is written with each change, so it lives with the journal.
pub use crate::domain::journal::outbox::{self, EventType};

use chrono::TimeDelta;
use std::time::Duration;

/// Waits before the 2nd, 3rd, ... attempt; the first is immediate.
pub const RETRY_WAITS_SECS: [i64; 7] = [5, 300, 1_800, 7_200, 18_000, 36_000, 36_000];
pub const MAX_ATTEMPTS: i32 = RETRY_WAITS_SECS.len() as i32 + 1;

#[derive(Debug, Clone)]
pub struct Settings {
    /// Allow targets on loopback, private and link-local networks (tests,
    /// an intranet receiver). Off in production.
    pub allow_private: bool,
    /// For one attempt, connection and answer included.
    pub timeout: Duration,
    /// How often the worker looks for due deliveries; zero runs no worker.
    pub poll: Duration,
    pub disable_after: TimeDelta,
}
