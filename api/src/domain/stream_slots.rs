//! Open live streams (WebSocket connections, their subscriptions and event
//! streams): a cap per client and one for the whole process. Each open
//! stream holds a socket, and so a file descriptor; without the overall cap
//! enough clients, each within its own allowance, exhaust the descriptors
//! and every other request fails. A slot is held for as long as its guard
//! lives.

use crate::domain::accounts::Actor;
use crate::error::{AppError, AppResult};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

pub struct StreamSlots {
    per_client: usize,
    total: usize,
    open: Mutex<Open>,
}

#[derive(Default)]
struct Open {
    by_client: HashMap<String, usize>,
    total: usize,
}

pub struct SlotGuard {
    slots: Arc<StreamSlots>,
    key: String,
}

impl StreamSlots {
    /// At most `per_client` streams per client, with no overall cap (for
    /// the streams of one connection).
    pub fn new(per_client: usize) -> Arc<Self> {
        Self::capped(per_client, usize::MAX)
    }

    /// At most `per_client` per client and `total` in all.
    pub fn capped(per_client: usize, total: usize) -> Arc<Self> {
        Arc::new(Self { per_client, total, open: Mutex::new(Open::default()) })
    }

    /// A slot for the actor's address (or person): RATE_LIMITED when they
    /// hold their most already, SERVICE_UNAVAILABLE when the process does.
    pub fn take(self: &Arc<Self>, actor: &Actor) -> AppResult<SlotGuard> {
        let key = match (actor.client, actor.user_id()) {
            (Some(ip), _) => format!("ip:{ip}"),
            (None, Some(u)) => format!("u:{u}"),
            (None, None) => "unknown".to_owned(),
        };
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        if open.total >= self.total {
            return Err(AppError::Unavailable);
        }
        let n = open.by_client.entry(key.clone()).or_default();
        if *n >= self.per_client {
            return Err(AppError::RateLimited { retry_after_secs: 30 });
        }
        *n += 1;
        open.total += 1;
        Ok(SlotGuard { slots: Arc::clone(self), key })
    }

    /// The most streams the process may hold.
    pub fn capacity(&self) -> usize {
        self.total
    }
}

impl Drop for SlotGuard {
    fn drop(&mut self) {
        let mut open = self.slots.open.lock().unwrap_or_else(PoisonError::into_inner);
        open.total = open.total.saturating_sub(1);
        if let Some(n) = open.by_client.get_mut(&self.key) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                open.by_client.remove(&self.key);
            }
        }
    }
}
