//! Failed sign-ins per account. The per-address limit cannot stop a guesser
//! spread over many addresses; this slows guesses at one account wherever
//! they come from. After `free` failures in a row each further attempt must
//! wait twice as long as the one before (1 s, 2 s, 4 s ... at most
//! [`MAX_WAIT_SECS`]): a back-off, never a lock, so the owner can always get
//! in once the guessing stops, at worst after the longest wait. A success
//! clears the account's count; a count an hour old is forgotten.

use chrono::{DateTime, TimeDelta, Utc};
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

pub const MAX_WAIT_SECS: i64 = 300;
/// Accounts tracked at once; past this, the oldest are forgotten first, so
/// a flood of invented emails cannot grow the table without bound.
const MAX_TRACKED: usize = 100_000;

#[derive(Clone, Copy)]
struct Failures {
    count: u32,
    last: DateTime<Utc>,
}

pub struct SignInBackoff {
    free: u32,
    failures: Mutex<HashMap<String, Failures>>,
}

impl SignInBackoff {
    /// `free` failures before any wait; 0 turns the back-off off.
    pub fn new(free: u32) -> Self {
        Self { free, failures: Mutex::new(HashMap::new()) }
    }

    fn wait_after(&self, f: Failures) -> TimeDelta {
        if self.free == 0 || f.count < self.free {
            return TimeDelta::zero();
        }
        let doublings = (f.count - self.free).min(20);
        TimeDelta::seconds((1i64 << doublings).min(MAX_WAIT_SECS))
    }

    /// Seconds until `account` may try again, if it must wait.
    pub fn wait(&self, account: &str, now: DateTime<Utc>) -> Option<u64> {
        let failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        let f = *failures.get(account)?;
        let ready = f.last + self.wait_after(f);
        (ready > now).then(|| u64::try_from((ready - now).num_seconds()).unwrap_or(0).max(1))
    }

    pub fn failed(&self, account: &str, now: DateTime<Utc>) {
        if self.free == 0 {
            return;
        }
        let mut failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        if failures.len() >= MAX_TRACKED && !failures.contains_key(account) {
            forget_before(&mut failures, now - TimeDelta::hours(1));
            if failures.len() >= MAX_TRACKED
                && let Some(oldest) = failures.iter().min_by_key(|(_, f)| f.last).map(|(k, _)| k.clone())
            {
                failures.remove(&oldest);
            }
        }
        let f = failures.entry(account.to_owned()).or_insert(Failures { count: 0, last: now });
        if now - f.last > TimeDelta::hours(1) {
            f.count = 0;
        }
        f.count = f.count.saturating_add(1);
        f.last = now;
    }

    pub fn succeeded(&self, account: &str) {
        self.failures.lock().unwrap_or_else(PoisonError::into_inner).remove(account);
    }

    /// Forgets counts an hour old.
    pub fn sweep(&self, now: DateTime<Utc>) {
        forget_before(
            &mut self.failures.lock().unwrap_or_else(PoisonError::into_inner),
            now - TimeDelta::hours(1),
        );
    }
}

fn forget_before(failures: &mut HashMap<String, Failures>, cutoff: DateTime<Utc>) {
    failures.retain(|_, f| f.last > cutoff);
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn waits_double_after_the_free_failures_and_never_pass_the_cap() {
        let b = SignInBackoff::new(3);
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().unwrap_or_default();
        let mut waits = Vec::new();
        for i in 0..14 {
            let now = t0 + TimeDelta::seconds(i * 1000);
            waits.push(b.wait("a@example.com", now));
            b.failed("a@example.com", now);
            waits.push(b.wait("a@example.com", now));
        }
        let after: Vec<Option<u64>> = waits.iter().skip(1).step_by(2).copied().collect();
        assert_eq!(&after[..6], &[None, None, Some(1), Some(2), Some(4), Some(8)]);
        assert_eq!(after[13], Some(MAX_WAIT_SECS as u64));
        // Each attempt came after the previous wait had passed.
        assert!(waits.iter().step_by(2).all(Option::is_none));
        // Another account is untouched; success clears.
        assert_eq!(b.wait("b@example.com", t0), None);
        b.succeeded("a@example.com");
        assert_eq!(b.wait("a@example.com", t0 + TimeDelta::seconds(14_000)), None);
    }

    #[test]
    fn an_hour_of_quiet_forgets_the_failures() {
        let b = SignInBackoff::new(1);
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().unwrap_or_default();
        for i in 0..5 {
            b.failed("a", t0 + TimeDelta::seconds(i));
        }
        let later = t0 + TimeDelta::hours(2);
        b.failed("a", later);
        assert_eq!(b.wait("a", later), Some(1));
        b.sweep(later + TimeDelta::hours(2));
        assert_eq!(b.wait("a", later + TimeDelta::hours(2)), None);
    }
}
