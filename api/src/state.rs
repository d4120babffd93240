//! What every request handler shares.

use crate::clock::Clock;
use crate::config::Config;
use crate::db::StatementCounter;
use crate::domain::comments::CommentSettings;
use crate::domain::comments::live::Live;
use crate::domain::people::sso::SsoVerifier;
use crate::domain::stream_slots::StreamSlots;
use crate::domain::throttle::{Allowances, Throttle};
use sea_orm::DatabaseConnection;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub clock: Clock,
    pub config: Arc<Config>,
    pub statements: StatementCounter,
    pub community: Arc<Community>,
    pub webhooks: Arc<crate::domain::webhooks::Settings>,
    pub urls: Arc<crate::domain::articles::urls::PublicUrls>,
    /// Sections, tags and authors, held in memory for every read.
    pub catalog: Arc<crate::domain::taxonomy::catalog::Catalog>,
    /// Public answers kept between writes; None when turned off.
    pub read_cache: Option<Arc<crate::read_cache::ReadCache>>,
    /// The database's change counters, and where its writes' surrogate
    /// keys are sent (`domain::freshness`).
    pub versions: Arc<crate::domain::freshness::Versions>,
    /// What public answers tell caches in front.
    pub caching: crate::http::caching::Policy,
    /// The GraphQL documents clients may send by id.
    pub persisted: Arc<crate::domain::persisted::Registry>,
    /// What callers spent of their rate budgets in this instance.
    pub ledger: Arc<crate::domain::budget::Ledger>,
    /// Where the instances add their budgets up; None: each limits alone.
    pub budget_store: Option<Arc<crate::domain::budget::store::Store>>,
    /// 1 while the shared store answers, 0 while it does not, -1 with none.
    pub budget_store_up: prometheus::IntGauge,
    /// Whether this instance hears the other instances' notices (always
    /// where there are none to hear): until it does, it is not ready.
    pub listening: Arc<std::sync::atomic::AtomicBool>,
    /// Read replicas for reads without credentials; None without any.
    pub replicas: Option<Arc<crate::db::replicas::Replicas>>,
    /// Cancelled when the process shuts down: workers stop after their
    /// step, live streams close.
    pub shutdown: tokio_util::sync::CancellationToken,
    /// Whose X-Forwarded-For tells the client's address.
    pub proxies: crate::rate_limit::Proxies,
    /// The imports running, so that they leave readers connections.
    pub imports: Arc<crate::domain::sync::import_slots::ImportSlots>,
}

/// What the discussion features need besides the database, built once from
/// the configuration.
pub struct Community {
    pub comments: CommentSettings,
    pub throttle: Throttle,
    pub sso: Option<SsoVerifier>,
    pub session_ttl: chrono::TimeDelta,
    pub live: Arc<Live>,
    pub stream_slots: Arc<StreamSlots>,
}

impl Community {
    /// What a comment write needs besides its input.
    pub fn ctx<'a>(
        &'a self,
        actor: &'a crate::domain::accounts::Actor,
        now: chrono::DateTime<chrono::Utc>,
    ) -> crate::domain::comments::write::Ctx<'a> {
        crate::domain::comments::write::Ctx { settings: &self.comments, throttle: &self.throttle, actor, now }
    }

    /// `streams`: the most live streams the process may hold.
    pub fn from_config(
        c: &Config,
        streams: usize,
        ledger: Arc<crate::domain::budget::Ledger>,
    ) -> Result<Self, String> {
        let sso = SsoVerifier::from_config(
            c.accounts.sso_secret.as_ref().map(secrecy::ExposeSecret::expose_secret),
            c.accounts.sso_public_key.as_deref(),
            c.accounts.sso_audience.as_deref(),
        )
        .map_err(|e| e.to_string())?;
        Ok(Self {
            comments: c.comment_settings(),
            throttle: Throttle::new(
                Allowances {
                    comments_per_minute: c.comments.rate_comments_per_minute,
                    auth_per_minute: c.accounts.rate_auth_per_minute,
                    registrations_per_hour: c.accounts.rate_registrations_per_hour,
                    sign_in_free_failures: c.accounts.sign_in_free_failures,
                },
                ledger,
            ),
            sso,
            session_ttl: c.session_ttl(),
            live: Live::new(),
            stream_slots: StreamSlots::capped(c.live.live_max_per_client, streams),
        })
    }
}
