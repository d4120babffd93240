//! Per-person and per-address limits on the writes people make: posting,
//! reacting and flagging share one budget, signing in and registering
//! another, and registering has an hourly one of its own; failed sign-ins
//! back off per account ([`SignInBackoff`], per instance). The budgets are
//! kept in the ledger (`domain::budget`), which the instances share through
//! a store when there is one. A refusal says when to come back.

use crate::domain::accounts::Actor;
pub use crate::domain::accounts::sign_in_backoff::SignInBackoff;
use crate::domain::budget::{Ledger, Rate, ledger};
use crate::error::{AppError, AppResult};
use std::sync::Arc;

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

impl Budget {
    /// Its keys' prefix in the ledger.
    fn prefix(self) -> &'static str {
        match self {
            Self::Comments => "c",
            Self::Auth => "au",
            Self::Registration => "rg",
        }
    }
}

pub struct Throttle {
    comments: Option<Rate>,
    auth: Option<Rate>,
    registrations: Option<Rate>,
    ledger: Arc<Ledger>,
    pub accounts: SignInBackoff,
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
    /// Spends from `ledger`, which the instances may share.
    pub fn new(a: Allowances, ledger: Arc<Ledger>) -> Self {
        Self {
            comments: Rate::new(a.comments_per_minute, 60, a.comments_per_minute),
            auth: Rate::new(a.auth_per_minute, 60, a.auth_per_minute),
            registrations: Rate::new(a.registrations_per_hour, 3600, a.registrations_per_hour),
            ledger,
            accounts: SignInBackoff::new(a.sign_in_free_failures),
        }
    }

    /// Takes one unit of `budget` for the actor's person and for their
    /// address; either running out refuses the action.
    pub fn take(&self, budget: Budget, actor: &Actor) -> AppResult<()> {
        let Some(rate) = (match budget {
            Budget::Comments => self.comments,
            Budget::Auth => self.auth,
            Budget::Registration => self.registrations,
        }) else {
            return Ok(());
        };
        let mut keys = Vec::with_capacity(2);
        if let Some(id) = actor.user_id() {
            keys.push(format!("{}:u:{id}", budget.prefix()));
        }
        if let Some(ip) = actor.client {
            keys.push(format!("{}:ip:{ip}", budget.prefix()));
        }
        let now = ledger::now();
        for key in keys {
            if let Err(refused) = self.ledger.spend(&key, rate, 1, now) {
                return Err(AppError::RateLimited { retry_after_secs: refused.retry_after_secs });
            }
        }
        Ok(())
    }

    /// Forgets sign-in failures an hour old, so memory stays bounded (the
    /// ledger forgets idle budgets by itself).
    pub fn sweep(&self, now: chrono::DateTime<chrono::Utc>) {
        self.accounts.sweep(now);
    }
}
