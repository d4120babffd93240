//! What every request handler shares.

use crate::clock::Clock;
use crate::config::Config;
use crate::db::StatementCounter;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub clock: Clock,
    pub config: Arc<Config>,
    pub statements: StatementCounter,
}
