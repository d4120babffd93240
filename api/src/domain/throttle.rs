//! Per-person and per-address limits on the writes people make: posting,
//! reacting and flagging share one budget, signing in and registering
//! another, and registering has an hourly one of its own; failed sign-ins
//! back off per account ([`SignInBackoff`]). Token buckets (governor) per
//! key, per instance. A refusal says when to come back.

use crate::domain::accounts::Actor;
pub use crate::domain::accounts::sign_in_backoff::SignInBackoff;
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
    /// Registering, per hour: since no e-mail confirms an address,
    /// registration answers whether an email has an account, and this
    /// bounds how many emails one address can probe.
    Registration,
}

pub struct Throttle {
    comments: Option<Buckets>,
    auth: Option<Buckets>,
    registrations: Option<Buckets>,
    pub accounts: SignInBackoff,
}

fn buckets(per_minute: u32) -> Option<Buckets> {
    let n = NonZeroU32::new(per_minute)?;
    Some(RateLimiter::keyed(Quota::per_minute(n)))
}

fn hourly(per_hour: u32) -> Option<Buckets> {
    let n = NonZeroU32::new(per_hour)?;
    Quota::with_period(std::time::Duration::from_secs(3600) / n.get())
        .map(|q| RateLimiter::keyed(q.allow_burst(n)))
}

/// How much each budget allows; 0 turns one off.
pub struct Allowances {
    pub comments_per_minute: u32,
    pub auth_per_minute: u32,
    pub registrations_per_hour: u32,
    /// Failed sign-ins in a row before an account backs off.
    pub sign_in_free_failures: u32,
}

impl Throttle {
    pub fn new(a: Allowances) -> Self {
        Self {
            comments: buckets(a.comments_per_minute),
            auth: buckets(a.auth_per_minute),
            registrations: hourly(a.registrations_per_hour),
            accounts: SignInBackoff::new(a.sign_in_free_failures),
        }
    }

    /// Takes one unit of `budget` for the actor's person and for their
    /// address; either running out refuses the action.
    pub fn take(&self, budget: Budget, actor: &Actor) -> AppResult<()> {
        let Some(b) = (match budget {
            Budget::Comments => &self.comments,
            Budget::Auth => &self.auth,
            Budget::Registration => &self.registrations,
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

    /// Forgets keys whose buckets are full again, and sign-in failures an
    /// hour old, so memory stays bounded.
    pub fn sweep(&self, now: chrono::DateTime<chrono::Utc>) {
        for b in [&self.comments, &self.auth, &self.registrations].into_iter().flatten() {
            b.retain_recent();
        }
        self.accounts.sweep(now);
    }
}
