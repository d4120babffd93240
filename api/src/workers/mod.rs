//! Background work, outside the domain: each worker is a step function the
//! runner drives on an interval until shutdown. The domain holds what a
//! step does to the data; a worker holds only its own position and pace.

pub mod budget_sync;
pub mod live;
pub mod notices;
pub mod publish;
pub mod purger;
pub mod related;
pub mod replica_watch;
pub mod runner;
pub mod sweep;
pub mod taxonomy;
pub mod webhooks;

pub use runner::{Outcome, Runner, Worker};

use crate::start_error::StartError;
use crate::state::AppState;
use std::sync::Arc;
use std::time::Duration;

/// Starts every worker the configuration asks this instance to run.
pub fn start_all(state: &AppState, runner: &Runner) -> Result<(), StartError> {
    let c = &state.config;
    runner
        .start(sweep::ThrottleSweep { community: Arc::clone(&state.community), clock: state.clock.clone() });
    runner.start(live::Poller::new(
        state.db.clone(),
        Arc::clone(&state.community.live),
        Duration::from_millis(c.live.live_poll_ms),
    ));
    // Surrogate keys of committed writes go to the purger from now on.
    let target = purger::Target::from_config(&c.purges).map_err(StartError::Setup)?;
    let (purges, named) =
        purger::Purger::new(target, c.purge_again(), runner.stopping()).map_err(StartError::Setup)?;
    state.versions.send_purges_to(named);
    runner.start(purges);
    if let (Some(store), true) = (&state.budget_store, c.http.rate_limit_sync_ms > 0) {
        runner.start(budget_sync::BudgetSync::new(
            Arc::clone(&state.ledger),
            Arc::clone(store),
            state.budget_store_up.clone(),
            Duration::from_millis(c.http.rate_limit_sync_ms),
        ));
    }
    // Several instances share a PostgreSQL database: each tells the others
    // what its writes changed.
    if !state.listening.load(std::sync::atomic::Ordering::SeqCst) {
        let instance = uuid::Uuid::new_v4();
        let (announcer, notices) = notices::Announcer::new(
            c.db.database_url.clone(),
            Arc::clone(&state.versions),
            instance,
            runner.stopping(),
        );
        state.versions.announce_to(notices);
        runner.start(announcer);
        runner.start(notices::Listener::new(
            c.db.database_url.clone(),
            state.db.clone(),
            instance,
            Arc::clone(&state.versions),
            Arc::clone(&state.catalog),
            Arc::clone(&state.listening),
            runner.stopping(),
        ));
    }
    if let Some(replicas) = &state.replicas {
        for index in 0..replicas.list.len() {
            runner.start(replica_watch::ReplicaWatch {
                primary: state.db.clone(),
                replicas: Arc::clone(replicas),
                index,
                every: Duration::from_millis(c.db.replica_check_ms),
            });
        }
    }
    if c.workers.scheduler_poll_ms > 0 {
        runner.start(publish::Publisher {
            db: state.db.clone(),
            clock: state.clock.clone(),
            every: Duration::from_millis(c.workers.scheduler_poll_ms),
        });
    }
    if !state.webhooks.poll.is_zero() {
        let dispatcher =
            webhooks::Dispatcher::new(state.db.clone(), state.clock.clone(), (*state.webhooks).clone())
                .map_err(StartError::Setup)?;
        runner.start(dispatcher);
    }
    if c.workers.taxonomy_reload_ms > 0 {
        runner.start(taxonomy::CatalogReload {
            db: state.db.clone(),
            catalog: Arc::clone(&state.catalog),
            every: Duration::from_millis(c.workers.taxonomy_reload_ms),
        });
    }
    if c.workers.related_refresh_ms > 0 {
        runner.start(related::Refresher {
            db: state.db.clone(),
            every: Duration::from_millis(c.workers.related_refresh_ms),
        });
    }
    Ok(())
}
