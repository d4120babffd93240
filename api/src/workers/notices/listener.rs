//! Receives the other instances' notices and makes this instance's
//! answers that they outdate out of date: the read cache's (through the
//! versions) and the catalog of terms.

use super::wire::Notice;
use crate::domain::freshness::{Changed, Versions};
use crate::domain::taxonomy::catalog::Catalog;
use crate::workers::{Outcome, Worker};
use sea_orm::DatabaseConnection;
use sea_orm::sqlx::postgres::PgListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

pub struct Listener {
    url: String,
    db: DatabaseConnection,
    instance: uuid::Uuid,
    versions: Arc<Versions>,
    catalog: Arc<Catalog>,
    listener: Option<PgListener>,
    /// Raised while listening (the instance is ready only then).
    listening: Arc<AtomicBool>,
    stop: CancellationToken,
}

/// What one step came to, for tests.
#[derive(Debug, PartialEq, Eq)]
pub enum Heard {
    /// (Re)connected: anything may have changed while nobody listened.
    Listening,
    /// Another instance's notice, applied.
    Notice,
    /// This instance's own notice, or a payload that is not a notice.
    Ignored,
    /// The connection was lost; the next step connects again.
    Lost,
    Stopped,
}

impl Listener {
    pub fn new(
        url: String,
        db: DatabaseConnection,
        instance: uuid::Uuid,
        versions: Arc<Versions>,
        catalog: Arc<Catalog>,
        listening: Arc<AtomicBool>,
        stop: CancellationToken,
    ) -> Self {
        Self { url, db, instance, versions, catalog, listener: None, listening, stop }
    }

    /// Connects when not connected, else waits for one notice.
    pub async fn step(&mut self) -> Result<Heard, String> {
        let Some(listener) = self.listener.as_mut() else {
            let mut l = PgListener::connect(&self.url).await.map_err(|e| format!("cannot listen: {e}"))?;
            l.listen(super::CHANNEL).await.map_err(|e| format!("cannot listen: {e}"))?;
            self.listener = Some(l);
            self.everything().await;
            self.listening.store(true, Ordering::SeqCst);
            return Ok(Heard::Listening);
        };
        let got = tokio::select! {
            got = listener.try_recv() => got,
            () = self.stop.cancelled() => return Ok(Heard::Stopped),
        };
        match got {
            Ok(Some(n)) => match Notice::decode(n.payload()) {
                Some(notice) if notice.from != self.instance => {
                    self.apply(&notice).await;
                    Ok(Heard::Notice)
                }
                _ => Ok(Heard::Ignored),
            },
            Ok(None) => {
                self.lost();
                self.everything().await;
                Ok(Heard::Lost)
            }
            Err(e) => {
                self.lost();
                self.everything().await;
                Err(format!("lost the notices connection: {e}"))
            }
        }
    }

    async fn apply(&self, notice: &Notice) {
        if let Some(lsn) = notice.lsn {
            self.versions.raise_floor(lsn);
        }
        self.versions.publish(&notice.changes());
        if notice.terms {
            self.catalog.written(&self.db).await;
        }
    }

    fn lost(&mut self) {
        self.listener = None;
        self.listening.store(false, Ordering::SeqCst);
    }

    async fn everything(&self) {
        self.versions.publish(&[Changed::Content]);
        self.catalog.written(&self.db).await;
    }
}

impl Worker for Listener {
    fn name(&self) -> &'static str {
        "instance notices (listen)"
    }
    fn every(&self) -> Duration {
        Duration::from_secs(1)
    }
    async fn tick(&mut self) -> Outcome {
        match self.step().await {
            Ok(Heard::Stopped) => Outcome::Idle,
            Ok(_) => Outcome::More,
            Err(e) => Outcome::Failed(e),
        }
    }
}
