//! `/metrics` in Prometheus text: requests by route pattern (actix-web-prom),
//! SQL statements, the connection pool, the process, and GraphQL latency by
//! operation name. Every label set is bounded: unmatched paths share one
//! label and operation names beyond the first few hundred share `other`.

use crate::start_error::StartError;
use crate::state::AppState;
use actix_web::dev::Server;
use actix_web::{App, HttpResponse, HttpServer, web};
use prometheus::core::{Collector, Desc};
use prometheus::proto::MetricFamily;
use prometheus::{HistogramOpts, HistogramVec, IntGauge, IntGaugeVec, Opts, Registry};
use sea_orm::{DatabaseBackend, DatabaseConnection};
use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;

fn missing(name: &str) -> prometheus::Error {
    prometheus::Error::Msg(format!("metric {name} could not be created"))
}

pub fn middleware(
    state: &AppState,
    operations: &GraphqlOperations,
    public_endpoint: bool,
) -> Result<actix_web_prom::PrometheusMetrics, StartError> {
    let fail = |e: prometheus::Error| StartError::Setup(e.to_string());
    let registry = Registry::new();
    registry.register(Box::new(state.statements.collector())).map_err(fail)?;
    let failures =
        crate::db::counters::POOL_ACQUIRE_FAILURES.clone().ok_or_else(|| missing("pool acquire failures"));
    registry.register(Box::new(failures.map_err(fail)?)).map_err(fail)?;
    let races = crate::db::counters::LOST_RACES.clone().ok_or_else(|| missing("lost races"));
    registry.register(Box::new(races.map_err(fail)?)).map_err(fail)?;
    registry.register(Box::new(PoolCollector::new(&state.db).map_err(fail)?)).map_err(fail)?;
    registry.register(Box::new(ImportsCollector::new(&state.imports).map_err(fail)?)).map_err(fail)?;
    #[cfg(target_os = "linux")]
    registry.register(Box::new(prometheus::process_collector::ProcessCollector::for_self())).map_err(fail)?;
    registry.register(Box::new(operations.seconds.clone())).map_err(fail)?;
    registry.register(Box::new(state.budget_store_up.clone())).map_err(fail)?;
    if let Some(r) = &state.replicas {
        registry.register(Box::new(r.lag.clone())).map_err(fail)?;
        registry.register(Box::new(r.usable.clone())).map_err(fail)?;
        registry.register(Box::new(r.reads.clone())).map_err(fail)?;
    }
    if let Some(cache) = &state.read_cache {
        registry.register(Box::new(cache.collector())).map_err(fail)?;
    }
    let mut builder = actix_web_prom::PrometheusMetricsBuilder::new("dateline")
        .registry(registry)
        .mask_unmatched_patterns("UNMATCHED");
    if public_endpoint {
        builder = builder.endpoint("/metrics");
    }
    builder.build().map_err(|e| StartError::Setup(e.to_string()))
}

/// `/metrics` alone on another address, for deployments that keep it off
/// the public port.
pub fn server(bind: &str, registry: Registry) -> Result<Server, StartError> {
    let registry = web::Data::new(registry);
    let server =
        HttpServer::new(move || App::new().app_data(registry.clone()).route("/metrics", web::get().to(text)))
            .workers(1)
            .bind(bind)
            .map_err(|e| StartError::Bind { addr: bind.to_owned(), reason: e.to_string() })?
            .disable_signals()
            .shutdown_timeout(2)
            .run();
    Ok(server)
}

async fn text(registry: web::Data<Registry>) -> HttpResponse {
    use prometheus::Encoder;
    let mut out = Vec::new();
    match prometheus::TextEncoder::new().encode(&registry.gather(), &mut out) {
        Ok(()) => HttpResponse::Ok().content_type("text/plain; version=0.0.4").body(out),
        Err(e) => HttpResponse::InternalServerError().body(e.to_string()),
    }
}

/// Pool size, idle and in-use connections, read when scraped. sqlx does not
/// expose how many requests wait for a connection, so saturation shows as
/// in-use = max and as `dateline_db_pool_acquire_failures_total` rising.
struct PoolCollector {
    db: DatabaseConnection,
    connections: IntGaugeVec,
    max: IntGauge,
}

impl PoolCollector {
    fn new(db: &DatabaseConnection) -> prometheus::Result<Self> {
        Ok(Self {
            db: db.clone(),
            connections: IntGaugeVec::new(
                Opts::new("dateline_db_pool_connections", "Database connections open, by state"),
                &["state"],
            )?,
            max: IntGauge::new(
                "dateline_db_pool_max_connections",
                "Most database connections the pool opens",
            )?,
        })
    }

    /// (open, idle, max)
    fn read(&self) -> (u32, usize, u32) {
        match self.db.get_database_backend() {
            DatabaseBackend::Postgres => {
                let p = self.db.get_postgres_connection_pool();
                (p.size(), p.num_idle(), p.options().get_max_connections())
            }
            DatabaseBackend::MySql => {
                let p = self.db.get_mysql_connection_pool();
                (p.size(), p.num_idle(), p.options().get_max_connections())
            }
            _ => {
                let p = self.db.get_sqlite_connection_pool();
                (p.size(), p.num_idle(), p.options().get_max_connections())
            }
        }
    }
}

impl Collector for PoolCollector {
    fn desc(&self) -> Vec<&Desc> {
        self.connections.desc().into_iter().chain(self.max.desc()).collect()
    }

    fn collect(&self) -> Vec<MetricFamily> {
        let (open, idle, max) = self.read();
        let idle = i64::try_from(idle).unwrap_or(i64::MAX);
        self.connections.with_label_values(&["idle"]).set(idle);
        self.connections.with_label_values(&["in_use"]).set(i64::from(open) - idle);
        self.max.set(i64::from(max));
        self.connections.collect().into_iter().chain(self.max.collect()).collect()
    }
}

/// `POST /v1/import`s running and the most that may, read when scraped:
/// running = max is when the next is refused.
struct ImportsCollector {
    slots: std::sync::Arc<crate::domain::sync::import_slots::ImportSlots>,
    running: IntGauge,
    max: IntGauge,
}

impl ImportsCollector {
    fn new(
        slots: &std::sync::Arc<crate::domain::sync::import_slots::ImportSlots>,
    ) -> prometheus::Result<Self> {
        Ok(Self {
            slots: std::sync::Arc::clone(slots),
            running: IntGauge::new("dateline_imports_running", "Archive imports (POST /v1/import) running")?,
            max: IntGauge::new("dateline_imports_max_running", "Most archive imports that run at once")?,
        })
    }
}

impl Collector for ImportsCollector {
    fn desc(&self) -> Vec<&Desc> {
        self.running.desc().into_iter().chain(self.max.desc()).collect()
    }

    fn collect(&self) -> Vec<MetricFamily> {
        let (running, max) = self.slots.running();
        self.running.set(i64::try_from(running).unwrap_or(i64::MAX));
        self.max.set(i64::try_from(max).unwrap_or(i64::MAX));
        self.running.collect().into_iter().chain(self.max.collect()).collect()
    }
}

/// GraphQL latency by operation name. POST requests all share one route, so
/// the per-route histogram cannot tell a front page from an article page.
pub struct GraphqlOperations {
    seen: Mutex<HashSet<String>>,
    /// The application's own, so the bound on labels holds per registry.
    seconds: HistogramVec,
}

const MAX_OPERATION_NAMES: usize = 200;

impl GraphqlOperations {
    pub fn new() -> prometheus::Result<Self> {
        let opts = HistogramOpts::new(
            "dateline_graphql_operation_duration_seconds",
            "GraphQL execution time by operation name",
        )
        .buckets(vec![0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0]);
        Ok(Self { seen: Mutex::new(HashSet::new()), seconds: HistogramVec::new(opts, &["operation"])? })
    }

    pub fn observe(&self, name: Option<&str>, took: Duration) {
        let label = match name {
            None => "anonymous",
            Some(n) if self.admit(n) => n,
            Some(_) => "other",
        };
        self.seconds.with_label_values(&[label]).observe(took.as_secs_f64());
    }

    /// A name becomes a label if it is a GraphQL name and the set has room.
    fn admit(&self, name: &str) -> bool {
        let valid = name.len() <= 64
            && name.bytes().next().is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !valid {
            return false;
        }
        let Ok(mut seen) = self.seen.lock() else { return false };
        if seen.contains(name) {
            return true;
        }
        if seen.len() >= MAX_OPERATION_NAMES {
            return false;
        }
        seen.insert(name.to_owned());
        true
    }
}
