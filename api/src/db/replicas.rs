//! PostgreSQL streaming replicas for reads without credentials. Each
//! replica's replayed WAL position and lag are read every few
//! milliseconds (`workers::replica_watch`); a read goes to a replica,
//! round robin, only if it answers, lags no more than the bound, and has
//! replayed the position the read must see (`freshness::Versions::
//! replica_floor`, raised by this instance's writes and the others'
//! notices, and by the client's `Dateline-Read-After`). Otherwise the
//! primary answers.

use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, Statement};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

pub struct Replica {
    /// For logs and metrics: the URL without its password.
    pub label: String,
    pub db: DatabaseConnection,
    replayed: AtomicU64,
    usable: AtomicBool,
    /// Whether it was asked at least once (its first state is news).
    asked: AtomicBool,
    reads: prometheus::IntCounter,
}

pub struct Replicas {
    pub list: Vec<Replica>,
    next: AtomicUsize,
    max_lag_ms: u64,
    pub lag: prometheus::GaugeVec,
    pub usable: prometheus::IntGaugeVec,
    pub reads: prometheus::IntCounterVec,
}

/// What one replica said when asked where it stands.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Position {
    pub replayed: u64,
    pub lag_ms: u64,
}

impl Replicas {
    pub fn new(pools: Vec<(String, DatabaseConnection)>, max_lag_ms: u64) -> prometheus::Result<Self> {
        let lag = prometheus::GaugeVec::new(
            prometheus::Opts::new(
                "dateline_replica_lag_seconds",
                "How far each read replica is behind the primary (0 when it has replayed everything)",
            ),
            &["replica"],
        )?;
        let usable = prometheus::IntGaugeVec::new(
            prometheus::Opts::new(
                "dateline_replica_usable",
                "1 while a read replica answers within the lag bound, else 0",
            ),
            &["replica"],
        )?;
        let reads = prometheus::IntCounterVec::new(
            prometheus::Opts::new("dateline_replica_reads_total", "Reads answered from each replica"),
            &["replica"],
        )?;
        let list = pools
            .into_iter()
            .enumerate()
            .map(|(i, (label, db))| Replica {
                label,
                db,
                replayed: AtomicU64::new(0),
                usable: AtomicBool::new(false),
                asked: AtomicBool::new(false),
                reads: reads.with_label_values(&[&i.to_string()]),
            })
            .collect();
        Ok(Self { list, next: AtomicUsize::new(0), max_lag_ms, lag, usable, reads })
    }

    /// A replica that may answer a read that must see `floor`, round robin.
    pub fn pick(&self, floor: u64) -> Option<(usize, &Replica)> {
        let n = self.list.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        (0..n)
            .map(|i| (start + i) % n)
            .map(|i| (i, &self.list[i]))
            .find(|(_, r)| r.usable.load(Ordering::SeqCst) && r.replayed.load(Ordering::SeqCst) >= floor)
    }

    /// Records where replica `i` stands (None: it did not answer);
    /// answers whether it is usable now, and whether that changed.
    pub fn saw(&self, i: usize, at: Option<Position>) -> (bool, bool) {
        let Some(r) = self.list.get(i) else { return (false, false) };
        let was = r.usable.load(Ordering::SeqCst);
        let first = !r.asked.swap(true, Ordering::SeqCst);
        let label = i.to_string();
        match at {
            Some(p) => {
                r.replayed.fetch_max(p.replayed, Ordering::SeqCst);
                r.usable.store(p.lag_ms <= self.max_lag_ms, Ordering::SeqCst);
                self.lag.with_label_values(&[&label]).set(p.lag_ms as f64 / 1000.0);
            }
            None => {
                r.usable.store(false, Ordering::SeqCst);
            }
        }
        let now = r.usable.load(Ordering::SeqCst);
        self.usable.with_label_values(&[&label]).set(i64::from(now));
        (now, first || now != was)
    }
}

impl Replica {
    /// Counts a read it answers.
    pub fn answering(&self) {
        self.reads.inc();
    }
}

/// The primary's current WAL position.
pub async fn primary_position(db: &DatabaseConnection) -> Result<Option<u64>, DbErr> {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT pg_current_wal_lsn()::text AS lsn",
        ))
        .await?;
    Ok(row.and_then(|r| r.try_get::<String>("", "lsn").ok()).and_then(|t| parse_lsn(&t)))
}

/// Where a replica stands against the primary's position `primary`: what
/// it replayed, and how old its last replayed transaction is when it is
/// behind (0 when it has replayed everything the primary had).
pub async fn position(db: &DatabaseConnection, primary: u64) -> Result<Option<Position>, DbErr> {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT pg_last_wal_replay_lsn()::text AS lsn, \
             COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)::float8 AS age",
        ))
        .await?;
    let Some(row) = row else { return Ok(None) };
    let replayed = row.try_get::<Option<String>>("", "lsn")?.as_deref().and_then(parse_lsn);
    let Some(replayed) = replayed else { return Ok(None) };
    let age: f64 = row.try_get("", "age")?;
    let lag_ms = if replayed >= primary { 0 } else { (age.max(0.0) * 1000.0) as u64 };
    Ok(Some(Position { replayed, lag_ms }))
}

/// A WAL position as PostgreSQL writes it (`16/B374D848`).
pub fn parse_lsn(text: &str) -> Option<u64> {
    let (hi, lo) = text.split_once('/')?;
    Some((u64::from_str_radix(hi, 16).ok()? << 32) | u64::from_str_radix(lo, 16).ok()?)
}

/// A WAL position as PostgreSQL writes it.
pub fn format_lsn(lsn: u64) -> String {
    format!("{:X}/{:X}", lsn >> 32, lsn & 0xFFFF_FFFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wal_positions_read_as_postgresql_writes_them() {
        assert_eq!(parse_lsn("0/AD000060"), Some(0xAD00_0060));
        assert_eq!(parse_lsn("16/B374D848"), Some((0x16 << 32) | 0xB374_D848));
        assert_eq!(parse_lsn("nonsense"), None);
        assert!(parse_lsn("1/0") > parse_lsn("0/FFFFFFFF"));
        assert_eq!(parse_lsn(&format_lsn(0x16_B374_D848)), Some(0x16_B374_D848));
    }
}
