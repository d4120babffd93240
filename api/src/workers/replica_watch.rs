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

pub struct ReplicaWatch {
    pub primary: DatabaseConnection,
    pub replicas: Arc<Replicas>,
    pub every: Duration,
}

impl ReplicaWatch {
    pub async fn step(&self) -> Result<(), String> {
        let primary = replicas::primary_position(&self.primary)
            .await
            .map_err(|e| format!("cannot read the primary's WAL position: {e}"))?
            .unwrap_or(0);
        for (i, r) in self.replicas.list.iter().enumerate() {
            let at = match tokio::time::timeout(ANSWER_WITHIN, replicas::position(&r.db, primary)).await {
                Ok(Ok(p)) => p,
                Ok(Err(e)) => {
                    tracing::debug!(replica = %r.label, error = %e, "a read replica did not answer");
                    None
                }
                Err(_) => None,
            };
            self.replicas.saw(i, at);
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
