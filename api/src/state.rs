//! What every request handler shares.

use crate::clock::Clock;
use crate::config::Config;
use crate::db::StatementCounter;
use crate::domain::accounts::sso::SsoVerifier;
use crate::domain::comments::CommentSettings;
use crate::domain::throttle::Throttle;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub clock: Clock,
    pub config: Arc<Config>,
    pub statements: StatementCounter,
    pub community: Arc<Community>,
}

/// What the discussion features need besides the database, built once from
/// the configuration.
pub struct Community {
    pub comments: CommentSettings,
    pub throttle: Throttle,
    pub sso: Option<SsoVerifier>,
    pub session_ttl: chrono::TimeDelta,
}

impl Community {
    pub fn from_config(c: &Config) -> Result<Self, String> {
        let sso = SsoVerifier::from_config(
            c.sso_secret.as_deref(),
            c.sso_public_key.as_deref(),
            c.sso_audience.as_deref(),
        )
        .map_err(|e| e.to_string())?;
        Ok(Self {
            comments: c.comment_settings(),
            throttle: Throttle::new(c.rate_comments_per_minute, c.rate_auth_per_minute),
            sso,
            session_ttl: c.session_ttl(),
        })
    }
}
