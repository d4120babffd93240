//! Sends this instance's committed changes to the others: waits for the
//! first write, takes every write queued behind it, and sends them as one
//! notice. On a connection of its own: taken from the pool, a notice would
//! wait behind the requests of a busy instance (or for a connection to be
//! opened, 90 ms in the tests), and the others would serve stale answers
//! that much longer.

use super::wire::Notice;
use crate::domain::freshness::{Changed, Notices, Versions};
use crate::workers::{Outcome, Worker};
use sea_orm::sqlx::postgres::PgConnection;
use sea_orm::sqlx::{Connection, query, query_as};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::mpsc::{Receiver, channel};
use tokio_util::sync::CancellationToken;

/// Committed writes waiting to be announced; past it, a notice says
/// everything changed.
const QUEUED_WRITES: usize = 1024;

pub struct Announcer {
    url: String,
    versions: Arc<Versions>,
    conn: Option<PgConnection>,
    instance: uuid::Uuid,
    written: Receiver<Vec<Changed>>,
    lost: Arc<AtomicBool>,
    /// A notice that could not be sent, sent with the next.
    unsent: Option<Notice>,
    stop: CancellationToken,
}

impl Announcer {
    /// An announcer and the queue committed writes hand their changes to.
    pub fn new(
        url: String,
        versions: Arc<Versions>,
        instance: uuid::Uuid,
        stop: CancellationToken,
    ) -> (Self, Notices) {
        let (to, written) = channel(QUEUED_WRITES);
        let lost = Arc::new(AtomicBool::new(false));
        let me = Self {
            url,
            versions,
            conn: None,
            instance,
            written,
            lost: Arc::clone(&lost),
            unsent: None,
            stop,
        };
        (me, Notices { to, lost })
    }

    /// Sends what the writes changed so far, waiting for the first.
    pub async fn step(&mut self) -> Outcome {
        let mut notice = match self.unsent.take() {
            Some(n) => n,
            None => {
                let first = tokio::select! {
                    w = self.written.recv() => w,
                    () = self.stop.cancelled() => None,
                };
                let Some(first) = first else { return Outcome::Idle };
                let mut n = Notice::new(self.instance);
                n.add(&first);
                n
            }
        };
        while let Ok(more) = self.written.try_recv() {
            notice.add(&more);
        }
        if self.lost.swap(false, Ordering::SeqCst) {
            notice.everything();
        }
        if notice.is_empty() {
            return Outcome::Idle;
        }
        // Every write counted so far committed before the position is read.
        let writes = self.versions.committed_writes();
        match self.send(&mut notice, writes).await {
            Ok(()) => Outcome::More,
            Err(e) => {
                // Dropped: the next step connects again.
                self.conn = None;
                self.unsent = Some(notice);
                Outcome::Failed(format!("cannot notify the other instances: {e}"))
            }
        }
    }

    async fn send(&mut self, notice: &mut Notice, writes: u64) -> Result<(), sea_orm::sqlx::Error> {
        let conn = match &mut self.conn {
            Some(c) => c,
            None => self.conn.insert(PgConnection::connect(&self.url).await?),
        };
        let (lsn,): (String,) = query_as("SELECT pg_current_wal_lsn()::text").fetch_one(&mut *conn).await?;
        notice.lsn = crate::db::replicas::parse_lsn(&lsn);
        query("SELECT pg_notify($1, $2)")
            .bind(super::CHANNEL)
            .bind(notice.encode())
            .execute(&mut *conn)
            .await?;
        if let Some(lsn) = notice.lsn {
            self.versions.settle(writes, lsn);
        }
        Ok(())
    }
}

impl Worker for Announcer {
    fn name(&self) -> &'static str {
        "instance notices (send)"
    }
    fn every(&self) -> Duration {
        Duration::from_millis(200)
    }
    async fn tick(&mut self) -> Outcome {
        self.step().await
    }
}
