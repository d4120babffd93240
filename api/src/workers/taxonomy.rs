//! Reads every section, tag and author again now and then, so a rename
//! made by another instance reaches this one's catalog within `every`.
//! This instance's own writes reach it at once, without waiting for this.

use super::{Outcome, Worker};
use crate::domain::taxonomy::catalog::Catalog;
use sea_orm::DatabaseConnection;
use std::sync::Arc;
use std::time::Duration;

pub struct CatalogReload {
    pub db: DatabaseConnection,
    pub catalog: Arc<Catalog>,
    pub every: Duration,
}

impl Worker for CatalogReload {
    fn name(&self) -> &'static str {
        "taxonomy reload"
    }
    fn every(&self) -> Duration {
        self.every
    }
    async fn tick(&mut self) -> Outcome {
        match self.catalog.reload(&self.db).await {
            Ok(()) => Outcome::Idle,
            Err(e) => Outcome::Failed(e.to_string()),
        }
    }
}
