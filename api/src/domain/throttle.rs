//! Per-person and per-address limits on the writes people make: posting,
//! reacting and flagging share one budget, signing in and registering
//! another. Token buckets (governor) per key, per instance. A refusal says
//! when to come back.

use crate::domain::accounts::Actor;
use crate::error::{AppError, AppResult};
use governor::clock::{Clock, DefaultClock};
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use std::num::NonZeroU32;

type Buckets = RateLimiter<String, DefaultKeyedStateStore<String>, DefaultClock>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    /// Posting, reacting, flagging.
    Comments,
    /// Signing in, registering.
    Auth,
}

pub struct Throttle {
    comments: Option<Buckets>,
    auth: Option<Buckets>,
}

fn buckets(per_minute: u32) -> Option<Buckets> {
    let n = NonZeroU32::new(per_minute)?;
    Some(RateLimiter::keyed(Quota::per_minute(n)))
}

impl Throttle {
    /// 0 turns a budget off.
    pub fn new(comments_per_minute: u32, auth_per_minute: u32) -> Self {
        Self { comments: buckets(comments_per_minute), auth: buckets(auth_per_minute) }
    }

    /// Takes one unit of `budget` for the actor's person and for their
    /// address; either running out refuses the action.
    pub fn take(&self, budget: Budget, actor: &Actor) -> AppResult<()> {
        let Some(b) = (match budget {
            Budget::Comments => &self.comments,
            Budget::Auth => &self.auth,
        }) else {
            return Ok(());
        };
        let mut keys = Vec::with_capacity(2);
        if let Some(id) = actor.user_id() {
            keys.push(format!("u:{id}"));
        }
        if let Some(ip) = actor.client {
            keys.push(format!("ip:{ip}"));
        }
        for key in keys {
            if let Err(not_until) = b.check_key(&key) {
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                return Err(AppError::RateLimited { retry_after_secs: wait.as_secs().max(1) });
            }
        }
        Ok(())
    }

    /// Forgets keys whose buckets are full again, so memory stays bounded.
    pub fn sweep(&self) {
        for b in [&self.comments, &self.auth].into_iter().flatten() {
            b.retain_recent();
        }
    }
}
