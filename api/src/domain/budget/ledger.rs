//! The budgets this instance spends, one TAT per key (`gcra`), and what it
//! spent since it last told the shared store: the store's worker takes
//! that, adds it to the shared TATs and hands back what every instance has
//! spent ([`Ledger::learn`]). A spend never waits for the store, so the
//! instances together admit the limit plus what each admits within one
//! sync interval; with no store (or while it is unreachable) the limits
//! are this instance's alone.

use super::gcra::{self, Nanos, Rate, Refused, Standing};
use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};

/// Keys held at once; an idle key is dropped (its budget is whole again by
/// then anyway).
const KEYS_HELD: u64 = 200_000;
const KEY_IDLE: std::time::Duration = std::time::Duration::from_secs(3600);
/// Keys waiting to be sent at most: past it, a key's spend stays local.
const UNSENT_HELD: usize = 50_000;

#[derive(Default)]
struct Slot {
    tat: Nanos,
    unsent: Nanos,
}

pub struct Ledger {
    slots: moka::sync::Cache<Box<str>, Arc<Mutex<Slot>>>,
    unsent: Mutex<HashSet<Box<str>>>,
    shared: bool,
}

/// Now, for budgets: the wall clock, which every instance shares.
pub fn now() -> Nanos {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    Nanos::try_from(since.as_nanos()).unwrap_or(Nanos::MAX)
}

impl Ledger {
    /// `shared`: a worker sends what is spent to a store.
    pub fn new(shared: bool) -> Self {
        Self {
            slots: moka::sync::Cache::builder().max_capacity(KEYS_HELD).time_to_idle(KEY_IDLE).build(),
            unsent: Mutex::new(HashSet::new()),
            shared,
        }
    }

    fn slot(&self, key: &str) -> Arc<Mutex<Slot>> {
        match self.slots.get(key) {
            Some(s) => s,
            None => self.slots.get_with(key.into(), Arc::default),
        }
    }

    /// Spends `n` of `rate` from `key`'s budget.
    pub fn spend(&self, key: &str, rate: Rate, n: u32, now: Nanos) -> Result<Standing, Refused> {
        let slot = self.slot(key);
        let mut s = slot.lock().unwrap_or_else(PoisonError::into_inner);
        let (tat, standing) = gcra::spend(s.tat, now, rate, n)?;
        let spent = tat - s.tat.max(now);
        s.tat = tat;
        if self.shared {
            // A key with spends waiting is in the set already: the set,
            // which every request thread shares, is locked only for a
            // key's first spend since the last send.
            if s.unsent == 0 {
                let mut unsent = self.unsent.lock().unwrap_or_else(PoisonError::into_inner);
                if unsent.len() >= UNSENT_HELD {
                    return Ok(standing);
                }
                unsent.insert(key.into());
            }
            s.unsent = s.unsent.saturating_add(spent);
        }
        Ok(standing)
    }

    /// Takes what was spent since the last call, by key in order (so
    /// instances writing at once lock the store's rows in one order).
    pub fn take_unsent(&self) -> Vec<(Box<str>, Nanos)> {
        let keys: Vec<Box<str>> = {
            let mut unsent = self.unsent.lock().unwrap_or_else(PoisonError::into_inner);
            unsent.drain().collect()
        };
        let mut out: Vec<(Box<str>, Nanos)> = keys
            .into_iter()
            .filter_map(|k| {
                let slot = self.slots.get(&k)?;
                let spent = std::mem::take(&mut slot.lock().unwrap_or_else(PoisonError::into_inner).unsent);
                (spent > 0).then_some((k, spent))
            })
            .collect();
        out.sort();
        out
    }

    /// The shared TAT of `key` after this instance's spends were added:
    /// what the other instances spent counts here from now on.
    pub fn learn(&self, key: &str, shared_tat: Nanos) {
        if let Some(slot) = self.slots.get(key) {
            let mut s = slot.lock().unwrap_or_else(PoisonError::into_inner);
            s.tat = s.tat.max(shared_tat.saturating_add(s.unsent));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: Nanos = 1_700_000_000_000_000_000;

    fn rate() -> Rate {
        Rate::new(1, 1, 3).unwrap_or(Rate { interval: 1, burst: 1 })
    }

    #[test]
    fn alone_it_is_a_local_limit() {
        let l = Ledger::new(false);
        for _ in 0..3 {
            assert!(l.spend("a", rate(), 1, T0).is_ok());
        }
        assert!(l.spend("a", rate(), 1, T0).is_err());
        assert!(l.spend("b", rate(), 1, T0).is_ok(), "another key has its own");
        assert!(l.take_unsent().is_empty(), "nothing to send when not shared");
    }

    #[test]
    fn what_others_spent_counts_once_learnt() {
        let (a, b) = (Ledger::new(true), Ledger::new(true));
        assert!(a.spend("k", rate(), 1, T0).is_ok());
        assert!(a.spend("k", rate(), 1, T0).is_ok());
        assert!(b.spend("k", rate(), 1, T0).is_ok());
        // The store adds A's two and B's one to one TAT.
        let sent_a = a.take_unsent();
        assert_eq!(sent_a, vec![("k".into(), 2 * rate().interval)]);
        let sent_b = b.take_unsent();
        let shared = T0 + sent_a[0].1 + sent_b[0].1;
        a.learn("k", shared);
        b.learn("k", shared);
        assert!(a.spend("k", rate(), 1, T0).is_err(), "three of three spent between them");
        assert!(b.spend("k", rate(), 1, T0).is_err());
        assert!(a.take_unsent().is_empty(), "a refusal spends nothing");
    }

    #[test]
    fn spends_made_while_sending_are_kept_for_the_next_send() {
        let a = Ledger::new(true);
        assert!(a.spend("k", rate(), 1, T0).is_ok());
        let sent = a.take_unsent();
        assert!(a.spend("k", rate(), 1, T0).is_ok());
        a.learn("k", T0 + sent[0].1);
        assert_eq!(a.take_unsent(), vec![("k".into(), rate().interval)]);
        assert!(a.spend("k", rate(), 1, T0).is_ok());
        assert!(a.spend("k", rate(), 1, T0).is_err());
    }
}
