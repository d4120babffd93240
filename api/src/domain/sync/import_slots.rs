//! How many archive imports run at once. An import commits its stories a
//! batch at a time, each batch on a pooled connection, and a batch of a
//! large archive holds its connection a while: enough imports together
//! hold every connection, and readers then wait past the acquire timeout
//! and are told 503. An import beyond the cap is refused at once, with
//! Retry-After, rather than queued: a refused integrator holds nothing.

use crate::error::{AppError, AppResult};
use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Seconds a refused import is told to wait: about a batch's commit.
const RETRY_AFTER_SECS: u64 = 5;

pub struct ImportSlots {
    running: Arc<Semaphore>,
    cap: usize,
}

/// Held while an import runs; the slot frees when it drops.
pub type ImportSlot = OwnedSemaphorePermit;

impl ImportSlots {
    /// `configured` imports at once, or with 0, a quarter of the pool's
    /// connections (at least one), so three quarters stay for everyone else.
    pub fn new(configured: usize, pool_size: u32) -> Self {
        let cap = if configured > 0 { configured } else { default_cap(pool_size) };
        Self { running: Arc::new(Semaphore::new(cap)), cap }
    }

    /// Imports running now, and the most that may.
    pub fn running(&self) -> (usize, usize) {
        (self.cap.saturating_sub(self.running.available_permits()), self.cap)
    }

    /// A slot, or IMPORTS_BUSY when the most imports already run.
    pub(super) fn take(&self) -> AppResult<ImportSlot> {
        Arc::clone(&self.running)
            .try_acquire_owned()
            .map_err(|_| AppError::ImportsBusy { retry_after_secs: RETRY_AFTER_SECS })
    }
}

fn default_cap(pool_size: u32) -> usize {
    usize::try_from(pool_size / 4).unwrap_or(1).max(1)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_quarter_of_the_pool_runs_imports_and_at_least_one() {
        assert_eq!([1, 3, 4, 8, 16, 17].map(default_cap), [1, 1, 1, 2, 4, 4]);
    }

    #[test]
    fn the_import_past_the_cap_is_refused_until_one_ends() {
        let slots = ImportSlots::new(2, 40);
        let first = slots.take().unwrap();
        let _second = slots.take().unwrap();
        assert!(matches!(slots.take(), Err(AppError::ImportsBusy { retry_after_secs: 5 })));
        assert_eq!(slots.running(), (2, 2));
        drop(first);
        assert_eq!(slots.running(), (1, 2));
        assert!(slots.take().is_ok());
    }
}
