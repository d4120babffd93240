//! Public answers kept in memory, bounded in bytes.
//!
//! Only requests without credentials are answered from here, so nothing
//! that depends on a viewer is ever kept. An answer is kept with the
//! freshness snapshot taken before it was read and the threads it showed
//! (`domain::freshness`); it is served while no write published since has
//! touched what it shows, and never past the next instant at which the
//! clock alone changes what readers see (a scheduled story's time, a
//! thread closing by itself), nor past its time to live, which bounds how
//! late a write made by another process is seen.

use crate::clock::Clock;
use crate::domain::articles::clock_edges;
use crate::domain::freshness::{Shown, Versions};
use crate::error::AppResult;
use crate::http::coding::{Coding, KEPT_CODINGS};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::web::Bytes;
use chrono::{DateTime, TimeDelta, Utc};
use prometheus::core::{Collector, Desc};
use prometheus::proto::MetricFamily;
use prometheus::{IntCounter, IntGauge};
use sea_orm::ConnectionTrait;
use std::sync::{Arc, OnceLock};
use uuid::Uuid;

/// One kept answer: a 200 with these headers and body.
pub struct Entry {
    pub headers: Box<[(HeaderName, HeaderValue)]>,
    pub body: Bytes,
    /// The body in each coding a client asked for, made on first ask
    /// (None: the coding failed).
    coded: [OnceLock<Option<Bytes>>; KEPT_CODINGS],
    since: u64,
    threads: Box<[Uuid]>,
    /// Served from the instant it was read until this one.
    read_at: DateTime<Utc>,
    until: DateTime<Utc>,
}

/// Longest a request waits for the same request's read in flight.
pub const FOLLOW_WAIT: std::time::Duration = std::time::Duration::from_secs(1);

pub enum Found {
    Kept(Arc<Entry>),
    /// To be read; with the flight when this request leads the reading.
    Missing(Option<Flight>),
}

type Flights = Arc<std::sync::Mutex<std::collections::HashMap<Box<[u8]>, tokio::sync::watch::Sender<()>>>>;

/// Held while a request reads an answer others wait for; dropping it
/// (after keeping the answer, or failing) lets them go on.
pub struct Flight {
    flights: Flights,
    key: Box<[u8]>,
}

impl Drop for Flight {
    fn drop(&mut self) {
        let mut flights = self.flights.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        flights.remove(&self.key);
    }
}

/// How an answer was read: after which snapshot, at an instant no later
/// than any the read itself took, showing what.
pub struct Read {
    pub since: u64,
    pub at: DateTime<Utc>,
    pub shown: Shown,
}

/// When the clock next changes what readers see, as last read.
struct Horizon {
    /// The first edge after `from`.
    next: Option<DateTime<Utc>>,
    from: DateTime<Utc>,
    /// The freshness snapshot taken before it was read: a content write
    /// since may have scheduled something sooner.
    since: u64,
}

pub struct ReadCache {
    entries: moka::sync::Cache<Box<[u8]>, Arc<Entry>>,
    ttl: TimeDelta,
    auto_close_after: Option<TimeDelta>,
    horizon: tokio::sync::Mutex<Option<Horizon>>,
    flights: Flights,
    versions: Arc<Versions>,
    metrics: Metrics,
}

impl ReadCache {
    /// None when `max_bytes` is 0 (the cache is off).
    pub fn new(
        max_bytes: u64,
        ttl: TimeDelta,
        auto_close_after: Option<TimeDelta>,
        versions: Arc<Versions>,
    ) -> prometheus::Result<Option<Self>> {
        if max_bytes == 0 || ttl <= TimeDelta::zero() {
            return Ok(None);
        }
        let metrics = Metrics::new()?;
        let evicted = metrics.evictions.clone();
        let entries = moka::sync::Cache::<Box<[u8]>, Arc<Entry>>::builder()
            .max_capacity(max_bytes)
            .weigher(|k, e| {
                let headers: usize = e.headers.iter().map(|(n, v)| n.as_str().len() + v.len() + 32).sum();
                let coded: usize = e.coded.iter().filter_map(|c| c.get()?.as_ref()).map(Bytes::len).sum();
                u32::try_from(k.len() + headers + e.body.len() + coded + e.threads.len() * 16 + 128)
                    .unwrap_or(u32::MAX)
            })
            .eviction_listener(move |_, _, cause| {
                if cause == moka::notification::RemovalCause::Size {
                    evicted.inc();
                }
            })
            .build();
        Ok(Some(Self {
            entries,
            ttl,
            auto_close_after,
            horizon: tokio::sync::Mutex::new(None),
            flights: Flights::default(),
            versions,
            metrics,
        }))
    }

    /// The kept answer for `key`, if it is still what a read would answer.
    fn current(&self, key: &[u8], now: DateTime<Utc>) -> Option<Arc<Entry>> {
        match self.entries.get(key) {
            // A clock set back never serves an answer read "later".
            Some(e) if e.read_at <= now && now < e.until && self.versions.current(e.since, &e.threads) => {
                Some(e)
            }
            Some(_) => {
                self.entries.invalidate(key);
                None
            }
            None => None,
        }
    }

    /// The kept answer for `key`; else, when the same request is being
    /// read already, that read's answer once it is kept (waiting at most
    /// [`FOLLOW_WAIT`]), so a breaking story's readers arriving together
    /// after a write cost one read, not one each; else a [`Flight`] that
    /// marks this request as the one reading.
    pub async fn find(&self, key: &[u8], clock: &Clock) -> Found {
        if let Some(e) = self.current(key, clock.now()) {
            self.metrics.hits.inc();
            return Found::Kept(e);
        }
        let follow = {
            let mut flights = self.flights.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            match flights.get(key) {
                Some(leader) => Some(leader.subscribe()),
                None => {
                    flights.insert(key.into(), tokio::sync::watch::channel(()).0);
                    None
                }
            }
        };
        let Some(mut done) = follow else {
            self.metrics.misses.inc();
            return Found::Missing(Some(Flight { flights: Arc::clone(&self.flights), key: key.into() }));
        };
        // Ends when the leader's flight is dropped, kept or not.
        let _ = tokio::time::timeout(FOLLOW_WAIT, done.changed()).await;
        match self.current(key, clock.now()) {
            Some(e) => {
                self.metrics.hits.inc();
                Found::Kept(e)
            }
            None => {
                self.metrics.misses.inc();
                Found::Missing(None)
            }
        }
    }

    /// Keeps an answer, unless a write published since it was read
    /// touches what it shows.
    pub async fn keep(
        &self,
        db: &impl ConnectionTrait,
        key: Box<[u8]>,
        read: Read,
        headers: Vec<(HeaderName, HeaderValue)>,
        body: Bytes,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        let Read { since, at, shown } = read;
        if shown.untracked || !self.versions.current(since, &shown.threads) {
            return Ok(());
        }
        // From the read's instant: an edge passed while it was read makes
        // it out of date already.
        let mut until = at + self.ttl;
        if let Some(next) = self.clock_horizon(db, at).await? {
            until = until.min(next);
        }
        if until <= now {
            return Ok(());
        }
        let mut threads = shown.threads;
        threads.sort_unstable();
        threads.dedup();
        let entry = Entry {
            headers: headers.into_boxed_slice(),
            // An answer is written into a buffer that grew by doubling and
            // keeps that capacity: a copy of its length weighs what the
            // weigher counts.
            body: Bytes::copy_from_slice(&body),
            coded: Default::default(),
            since,
            threads: threads.into_boxed_slice(),
            read_at: at,
            until,
        };
        self.entries.insert(key, Arc::new(entry));
        Ok(())
    }

    /// The kept answer `e` (found under `key`) in `coding`, made on first
    /// ask and kept with it (readers arriving together wait for that one
    /// coding rather than each making their own); the entry is weighed
    /// again with it while it is still the one kept. None when the coding
    /// failed, as it then would again.
    pub fn coded(&self, key: &[u8], e: &Arc<Entry>, coding: Coding) -> Option<Bytes> {
        let slot = e.coded.get(coding.index())?;
        let mut made = false;
        let coded = slot.get_or_init(|| {
            made = true;
            self.metrics.codings.inc();
            coding
                .encode(&e.body)
                .inspect_err(|err| tracing::warn!(error = %err, ?coding, "a kept answer could not be coded"))
                .ok()
        });
        if made && coded.is_some() {
            self.entries.entry(Box::from(key)).and_compute_with(|kept| match kept {
                Some(k) if Arc::ptr_eq(k.value(), e) => moka::ops::compute::Op::Put(Arc::clone(e)),
                _ => moka::ops::compute::Op::Nop,
            });
        }
        coded.clone()
    }

    /// The first instant after `at` at which the clock alone changes what
    /// readers see. Read again when `at` is outside the span last read for,
    /// a content write may have moved it, or a time to live has passed
    /// (another process may have scheduled something sooner).
    async fn clock_horizon(
        &self,
        db: &impl ConnectionTrait,
        at: DateTime<Utc>,
    ) -> AppResult<Option<DateTime<Utc>>> {
        let mut held = self.horizon.lock().await;
        if let Some(h) = held.as_ref()
            && self.versions.current(h.since, &[])
            && h.from <= at
            && at < h.from + self.ttl
            && h.next.is_none_or(|n| at < n)
        {
            return Ok(h.next);
        }
        let since = self.versions.snapshot();
        let next = clock_edges::next(db, at, self.auto_close_after).await?;
        *held = Some(Horizon { next, from: at, since });
        Ok(next)
    }

    /// Taken before an answer that may be kept is read.
    pub fn snapshot(&self) -> u64 {
        self.versions.snapshot()
    }

    pub fn collector(&self) -> CacheCollector {
        CacheCollector { entries: self.entries.clone(), metrics: self.metrics.clone() }
    }
}

#[derive(Clone)]
struct Metrics {
    hits: IntCounter,
    misses: IntCounter,
    evictions: IntCounter,
    codings: IntCounter,
    bytes: IntGauge,
    count: IntGauge,
}

impl Metrics {
    fn new() -> prometheus::Result<Self> {
        Ok(Self {
            hits: IntCounter::new("dateline_read_cache_hits_total", "Public answers served from memory")?,
            misses: IntCounter::new(
                "dateline_read_cache_misses_total",
                "Public answers looked for in memory and read instead",
            )?,
            evictions: IntCounter::new(
                "dateline_read_cache_evictions_total",
                "Answers dropped to stay within the byte bound",
            )?,
            codings: IntCounter::new(
                "dateline_read_cache_codings_total",
                "Kept answers coded (gzip, br, zstd) for the clients that take a coding, once per answer and coding",
            )?,
            bytes: IntGauge::new("dateline_read_cache_bytes", "What the kept answers weigh, in bytes")?,
            count: IntGauge::new("dateline_read_cache_entries", "Answers kept")?,
        })
    }
}

/// The cache's figures for `/metrics`, read when scraped.
pub struct CacheCollector {
    entries: moka::sync::Cache<Box<[u8]>, Arc<Entry>>,
    metrics: Metrics,
}

impl Collector for CacheCollector {
    fn desc(&self) -> Vec<&Desc> {
        let m = &self.metrics;
        [m.hits.desc(), m.misses.desc(), m.evictions.desc(), m.codings.desc(), m.bytes.desc(), m.count.desc()]
            .concat()
    }

    fn collect(&self) -> Vec<MetricFamily> {
        self.entries.run_pending_tasks();
        let m = &self.metrics;
        m.bytes.set(i64::try_from(self.entries.weighted_size()).unwrap_or(i64::MAX));
        m.count.set(i64::try_from(self.entries.entry_count()).unwrap_or(i64::MAX));
        [
            m.hits.collect(),
            m.misses.collect(),
            m.evictions.collect(),
            m.codings.collect(),
            m.bytes.collect(),
            m.count.collect(),
        ]
        .concat()
    }
}
