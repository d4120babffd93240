//! Reads where each replica stands against the primary, so that reads go
//! only to replicas that answer, lag within the bound, and have replayed
//! what they must show (`db::replicas`).

use super::{Outcome, Worker};
use crate::db::replicas::{self, Replicas};
use sea_orm::DatabaseConnection;
use std::sync::Arc;
use std::time::Duration;

/// Longest a replica may take to say where it stands.
const ANSWER_WITHIN: Duration = Duration::from_secs(1);

/// Watches one replica, at its own pace: one that does not answer holds
/// up no other.
pub struct ReplicaWatch {
    pub primary: DatabaseConnection,
    pub replicas: Arc<Replicas>,
    /// Which replica, in the order of `db::replicas`.
    pub index: usize,
    pub every: Duration,
}

impl ReplicaWatch {
    pub async fn step(&self) -> Result<(), String> {
        let Some(r) = self.replicas.list.get(self.index) else { return Ok(()) };
        let primary = replicas::primary_position(&self.primary)
            .await
            .map_err(|e| format!("cannot read the primary's WAL position: {e}"))?
            .unwrap_or(0);
        let at = match tokio::time::timeout(ANSWER_WITHIN, replicas::position(&r.db, primary)).await {
            Ok(Ok(p)) => p,
            Ok(Err(e)) => {
                tracing::debug!(replica = %r.label, error = %e, "a read replica did not answer");
                None
            }
            Err(_) => None,
        };
        let lag_ms = at.map(|p| p.lag_ms);
        match self.replicas.saw(self.index, at) {
            (true, true) => tracing::info!(replica = %r.label, "a read replica answers reads"),
            (false, true) => tracing::warn!(
                replica = %r.label,
                lag_ms = ?lag_ms,
                "a read replica is skipped: it does not answer or lags past the bound"
            ),
            _ => {}
        }
        Ok(())
    }
}

impl Worker for ReplicaWatch {
    fn name(&self) -> &'static str {
        "read replicas"
    }
    fn every(&self) -> Duration {
        self.every
    }
    async fn tick(&mut self) -> Outcome {
        match self.step().await {
            Ok(()) => Outcome::Idle,
            Err(e) => Outcome::Failed(e),
        }
    }
}
