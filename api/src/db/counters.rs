//! Counters of what the database did to requests, kept where the error
//! mapping can count them without reaching up into `/metrics`, which only
//! registers them.

use prometheus::IntCounter;
use std::sync::LazyLock;

pub static POOL_ACQUIRE_FAILURES: LazyLock<Option<IntCounter>> = LazyLock::new(|| {
    IntCounter::new("dateline_db_pool_acquire_failures_total", "Requests that got no database connection")
        .ok()
});

/// Counts a request that got no connection (pool exhausted or database down).
pub fn pool_acquire_failed() {
    if let Some(c) = POOL_ACQUIRE_FAILURES.as_ref() {
        c.inc();
    }
}

pub static LOST_RACES: LazyLock<Option<IntCounter>> = LazyLock::new(|| {
    IntCounter::new(
        "dateline_db_lost_races_total",
        "Transactions the database rolled back for a deadlock, a serialization failure or a lock timeout",
    )
    .ok()
});

/// Counts a transaction that lost a race (it is retried, or answered 503).
/// Ordinary writes take their locks in one order and never get here; a
/// rising count means they do not.
pub fn lost_race() {
    if let Some(c) = LOST_RACES.as_ref() {
        c.inc();
    }
}

/// Lost races so far in this process.
pub fn lost_races() -> u64 {
    LOST_RACES.as_ref().map_or(0, IntCounter::get)
}
