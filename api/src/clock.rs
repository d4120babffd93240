//! The time source. Visibility of scheduled stories is computed from "now"
//! at read time, so tests need a clock they can move.

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use std::sync::{Arc, RwLock};

#[derive(Clone, Default)]
pub struct Clock {
    fixed: Option<Arc<RwLock<DateTime<Utc>>>>,
}

impl Clock {
    pub fn system() -> Self {
        Self { fixed: None }
    }

    /// A clock that stands still until `set` or `advance` moves it.
    pub fn fixed(at: DateTime<Utc>) -> Self {
        Self { fixed: Some(Arc::new(RwLock::new(truncate(at)))) }
    }

    /// Microsecond precision: what all three databases store, so a value
    /// read back compares equal to the one written (cursors depend on it).
    pub fn now(&self) -> DateTime<Utc> {
        match &self.fixed {
            Some(t) => *t.read().unwrap_or_else(|p| p.into_inner()),
            None => truncate(Utc::now()),
        }
    }

    pub fn set(&self, at: DateTime<Utc>) {
        if let Some(t) = &self.fixed {
            *t.write().unwrap_or_else(|p| p.into_inner()) = truncate(at);
        }
    }

    pub fn advance(&self, by: TimeDelta) {
        self.set(self.now() + by);
    }
}

pub fn truncate(at: DateTime<Utc>) -> DateTime<Utc> {
    at.duration_trunc(TimeDelta::microseconds(1)).unwrap_or(at)
}
