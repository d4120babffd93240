//! Building the application: database, migrations, demo content, schema and
//! HTTP server. Tests use the same path with their own database.

use crate::clock::Clock;
use crate::config::Config;
use crate::db;
use crate::domain::articles::urls::PublicUrls;
use crate::domain::freshness::{self, Versions};
use crate::graphql::{self, AppSchema};
use crate::http::cors::CredentialedOrigins;
use crate::http::methods::Routes;
use crate::http::request_log::AccessLog;
use crate::http_guard::HttpLimits;
use crate::rest;
use crate::state::AppState;
use crate::workers::Runner;
use actix_web::dev::Server;
use actix_web::middleware::{Compress, from_fn};
use actix_web::{App, HttpResponse, HttpServer, web};
use std::future::Future;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

pub use crate::start_error::StartError;

/// Connects and migrates. The URL in any error has its password masked.
pub async fn prepare(config: Config, clock: Clock) -> Result<AppState, StartError> {
    // TLS for outgoing requests (webhooks) uses ring, which the database
    // drivers build already; a second call finds it installed.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let url = db::mask_url(&config.db.database_url);
    // What the pool's writes change is published to the read cache's
    // versions (see `domain::freshness`).
    let versions = Arc::new(Versions::default());
    let hook_versions = Arc::clone(&versions);
    let pool = db::PoolSettings {
        on_statement: Some(Arc::new(move || freshness::ran_statement(&hook_versions))),
        max_connections: config.pool_size(),
        slow: Duration::from_millis(config.db.slow_sql_ms),
        connect_timeout: Duration::from_millis(config.db.db_connect_timeout_ms),
        acquire_timeout: Duration::from_millis(config.db.db_acquire_timeout_ms),
        counter: None,
        lazy: false,
        sqlite_cache_kib: config.db.db_sqlite_cache_kib,
    };
    let (conn, statements) = db::connect(&config.db.database_url, pool)
        .await
        .map_err(|e| StartError::Connect { url: url.clone(), reason: first_line(&e.to_string()) })?;
    db::migrate(&conn).await.map_err(|e| StartError::Migrate { url, reason: first_line(&e.to_string()) })?;
    let replicas = connect_replicas(&config, &conn, &statements).await?;
    let soft = crate::fd_limit::current().map(|(soft, _)| soft);
    let streams = crate::fd_limit::stream_cap(config.live.live_max_streams, soft);
    let notices = conn.get_database_backend() == sea_orm::DatabaseBackend::Postgres;
    let budget_store = crate::workers::budget_sync::store_of(&config, &conn).map_err(StartError::Setup)?;
    let ledger = Arc::new(crate::domain::budget::Ledger::new(budget_store.is_some()));
    let budget_store_up = prometheus::IntGauge::new(
        "dateline_rate_budget_store_up",
        "1 while the store the instances share rate budgets in answers, 0 while it does not (each instance limits alone), -1 with no shared store",
    )
    .map_err(|e| StartError::Setup(e.to_string()))?;
    budget_store_up.set(if budget_store.is_some() { 1 } else { -1 });
    let community = Arc::new(
        crate::state::Community::from_config(&config, streams, Arc::clone(&ledger))
            .map_err(StartError::Setup)?,
    );
    let webhooks = Arc::new(config.webhook_settings());
    if let Some(t) = &config.site.public_url_template {
        PublicUrls::check(t).map_err(|e| StartError::Setup(format!("DATELINE_PUBLIC_URL_TEMPLATE {e}")))?;
    }
    let urls = Arc::new(PublicUrls::new(&config.site.site_url, config.site.public_url_template.as_deref()));
    let shutdown = tokio_util::sync::CancellationToken::new();
    let catalog = Arc::new(crate::domain::taxonomy::catalog::Catalog::new(Arc::clone(&versions)));
    catalog
        .reload(&conn)
        .await
        .map_err(|e| StartError::Setup(format!("reading sections, tags and authors: {e}")))?;
    let read_cache = crate::read_cache::ReadCache::new(
        config.read_cache.read_cache_mb.saturating_mul(1 << 20),
        chrono::TimeDelta::milliseconds(
            i64::try_from(config.read_cache.read_cache_ttl_ms).unwrap_or(i64::MAX),
        ),
        community.comments.auto_close_after,
        Arc::clone(&versions),
    )
    .map_err(|e| StartError::Setup(e.to_string()))?
    .map(Arc::new);
    // The example page's operations are trusted while the page is served,
    // so it runs under --graphql-trusted-documents-only too.
    let built_in = if config.server.example_page {
        crate::domain::persisted::manifest::parse(crate::http::example::operations())
            .map_err(|e| StartError::Setup(format!("the example page's operations: {e}")))?
    } else {
        Vec::new()
    };
    let persisted = Arc::new(crate::domain::persisted::Registry::new(crate::domain::persisted::Settings {
        max_automatic: config.graphql.graphql_persisted_max,
        trusted_only: config.graphql.graphql_trusted_documents_only,
        built_in,
    }));
    let caching = crate::http::caching::Policy::from_config(&config).map_err(StartError::Setup)?;
    let proxies = config.proxies();
    let imports = Arc::new(crate::domain::sync::import_slots::ImportSlots::new(
        config.http.import_max_running,
        config.pool_size(),
    ));
    Ok(AppState {
        proxies,
        imports,
        db: conn,
        read_cache,
        versions,
        caching,
        persisted,
        clock,
        config: Arc::new(config),
        statements,
        community,
        webhooks,
        urls,
        catalog,
        ledger,
        budget_store: budget_store.map(Arc::new),
        budget_store_up,
        listening: Arc::new(std::sync::atomic::AtomicBool::new(!notices)),
        replicas,
        shutdown,
    })
}

/// The read replicas' pools, connected on first use: a replica down at
/// start is skipped until it answers.
async fn connect_replicas(
    config: &Config,
    primary: &sea_orm::DatabaseConnection,
    statements: &db::StatementCounter,
) -> Result<Option<Arc<db::replicas::Replicas>>, StartError> {
    let urls = &config.db.database_replica_urls;
    if urls.is_empty() {
        return Ok(None);
    }
    if primary.get_database_backend() != sea_orm::DatabaseBackend::Postgres {
        return Err(StartError::Setup(
            "read replicas (DATABASE_REPLICA_URLS) need a PostgreSQL primary".into(),
        ));
    }
    let mut pools = Vec::with_capacity(urls.len());
    for url in urls {
        let label = db::mask_url(url);
        if !url.starts_with("postgres") {
            return Err(StartError::Setup(format!("the read replica {label} is not a postgres:// URL")));
        }
        let settings = db::PoolSettings {
            on_statement: None,
            max_connections: config.pool_size(),
            slow: Duration::from_millis(config.db.slow_sql_ms),
            connect_timeout: Duration::from_millis(config.db.db_connect_timeout_ms),
            acquire_timeout: Duration::from_millis(config.db.db_acquire_timeout_ms),
            counter: Some(statements.clone()),
            lazy: true,
            sqlite_cache_kib: config.db.db_sqlite_cache_kib,
        };
        let (pool, _) = db::connect(url, settings)
            .await
            .map_err(|e| StartError::Connect { url: label.clone(), reason: first_line(&e.to_string()) })?;
        pools.push((label, pool));
    }
    let replicas = db::replicas::Replicas::new(pools, config.db.replica_max_lag_ms)
        .map_err(|e| StartError::Setup(e.to_string()))?;
    Ok(Some(Arc::new(replicas)))
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or_default().to_owned()
}

/// The OpenAPI document a server serves: `openapi.json` as committed,
/// which the snapshot test holds equal to what [`openapi`] generates.
/// Generating it at start went through a JSON round trip that held several
/// megabytes for a moment: the largest part of a fresh server's peak memory.
const OPENAPI_JSON: &str = include_str!("../../openapi.json");

/// The OpenAPI document, generated from the handlers' annotations.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, api) = App::new()
        .into_utoipa_app()
        .openapi(rest::ApiDoc::openapi())
        .service(rest::health::healthz)
        .service(rest::health::readyz)
        .service(rest::feeds::rss_feed)
        .service(rest::feeds::atom_feed)
        .service(rest::feeds::json_feed)
        .service(rest::feeds::news_sitemap)
        .service(rest::feeds::sitemap)
        .service(rest::v1())
        .split_for_parts();
    let mut api = api;
    // First: the marks are filled in through JSON, which keeps only what
    // utoipa's own types hold.
    rest::patterns::fill_in(&mut api);
    rest::article_input::one_body_form(&mut api);
    rest::required::optional_bodies_are_not_null(&mut api);
    api
}

/// The OpenAPI document as `openapi.json` at the repository root holds it:
/// pretty-printed, ending in a newline.
pub fn openapi_pretty() -> Result<String, serde_json::Error> {
    openapi().to_pretty_json().map(|mut doc| {
        doc.push('\n');
        doc
    })
}

/// A server listening, with its background workers running.
pub struct Application {
    server: Server,
    metrics: Option<Server>,
    runner: Runner,
    stopping: CancellationToken,
    bound: Duration,
}

impl Application {
    /// The runner of this application's background workers.
    pub fn workers(&self) -> Runner {
        self.runner.clone()
    }

    /// Serves until `signal` resolves (or the server stops by itself), then
    /// shuts down: live streams close, the listener stops accepting, the
    /// requests in flight finish, and each worker ends after its current
    /// step; all within the configured bound.
    pub async fn serve_until(self, signal: impl Future<Output = ()>) -> Result<(), String> {
        let Self { server, metrics, runner, stopping, bound } = self;
        let handle = server.handle();
        let metrics_handle = metrics.as_ref().map(Server::handle);
        // A server's future runs its accept loop, so each is spawned and
        // keeps running while the shutdown below asks it to stop.
        if let Some(m) = metrics {
            tokio::spawn(m);
        }
        let mut serving = tokio::spawn(server);
        tokio::select! {
            done = &mut serving => {
                stopping.cancel();
                runner.stop(bound).await;
                return match done {
                    Ok(r) => r.map_err(|e| e.to_string()),
                    Err(e) => Err(e.to_string()),
                };
            }
            () = signal => {}
        }
        tracing::info!(
            bound_secs = bound.as_secs(),
            "shutting down: finishing requests in flight and background steps"
        );
        let started = std::time::Instant::now();
        stopping.cancel();
        let (_, workers_done) = tokio::join!(handle.stop(true), runner.stop(bound));
        let _ = serving.await;
        if let Some(m) = metrics_handle {
            m.stop(true).await;
        }
        if !workers_done {
            tracing::warn!(
                "a background step was still running at the shutdown bound; its lease will run out"
            );
        }
        tracing::info!(took_ms = started.elapsed().as_millis() as u64, "stopped");
        Ok(())
    }
}

/// Resolves at the first SIGTERM or SIGINT (Ctrl-C).
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match (signal(SignalKind::terminate()), signal(SignalKind::interrupt())) {
            (Ok(mut term), Ok(mut int)) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = int.recv() => {}
                }
            }
            _ => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Starts serving on `listener` and starts the background workers. With
/// `metrics_bind` set, `/metrics` is served there instead, by a second
/// server that runs beside the first.
pub fn run(state: AppState, listener: TcpListener) -> Result<Application, StartError> {
    let addr = listener.local_addr().map(|a| a.to_string()).unwrap_or_default();
    let schema: AppSchema = graphql::build_schema(state.clone());
    let c = &state.config;
    let operations =
        crate::metrics::GraphqlOperations::new().map_err(|e| StartError::Setup(e.to_string()))?;
    let metrics = crate::metrics::middleware(&state, &operations, c.server.metrics_bind.is_none())?;
    let metrics_server = match &c.server.metrics_bind {
        Some(bind) => Some(crate::metrics::server(bind, metrics.registry.clone())?),
        None => None,
    };
    let bound = Duration::from_secs(c.server.shutdown_timeout_secs);
    let runner = Runner::new(state.shutdown.clone());
    let stopping = state.shutdown.clone();
    let worker_state = state.clone();
    let limiter = crate::rate_limit::limiter(
        Arc::clone(&state.ledger),
        c.http.rate_limit_per_second,
        c.http.rate_limit_burst,
        c.http.key_rate_limit_per_second,
        state.proxies.clone(),
        c.http.ipv6_client_prefix,
    );
    let http_limits = web::Data::new(HttpLimits::from_config(c));
    let max_body = c.http.max_body_bytes;
    let api_json = web::Data::new(OPENAPI_JSON.to_owned());
    let api: serde_json::Value = serde_json::from_str(OPENAPI_JSON).unwrap_or_default();
    let mut undocumented: Vec<(&str, &[&str])> = vec![
        ("/", &["GET"]),
        ("/graphql", &["GET", "POST"]),
        ("/graphql/ws", &["GET"]),
        ("/graphql/assets/{file}", &["GET"]),
        ("/openapi.json", &["GET"]),
        ("/docs", &["GET"]),
        ("/docs/{tail:.*}", &["GET"]),
    ];
    let example_page = c.server.example_page;
    if example_page {
        undocumented.push(("/example", &["GET"]));
        undocumented.push(("/example/{path:.*}", &["GET"]));
    }
    if c.server.metrics_bind.is_none() {
        undocumented.push(("/metrics", &["GET"]));
    }
    let routes = web::Data::new(Routes::new(&api, &undocumented));
    drop(api);
    let credentialed = web::Data::new(CredentialedOrigins::new(&c.server.cors_credentials_origins));
    let access_log = web::Data::new(AccessLog(c.server.access_log));
    let operations = web::Data::new(operations);
    let schema = web::Data::new(schema);
    let replica_loaders = web::Data::new(graphql::loaders::ReplicaLoaders(
        state
            .replicas
            .iter()
            .flat_map(|r| r.list.iter())
            .map(|r| graphql::loaders::Loaders::new(&r.db))
            .collect(),
    ));
    let state_data = web::Data::new(state);
    let server = HttpServer::new(move || {
        let mut app = App::new()
            // Innermost: it needs to know who asks.
            .wrap(from_fn(crate::http::replica::route))
            .wrap(from_fn(crate::rest::kept::middleware))
            .wrap(from_fn(crate::rate_limit::keyed))
            .wrap(from_fn(crate::auth::middleware))
            .wrap(from_fn(crate::http_guard::middleware))
            .wrap(from_fn(crate::rate_limit::middleware))
            .wrap(crate::http::cors::cors())
            .wrap(from_fn(crate::http::cors::credentials))
            .wrap(metrics.clone())
            .wrap(from_fn(crate::http_guard::security_headers::middleware))
            .wrap(from_fn(crate::http::methods::normalize))
            .wrap(Compress::default())
            .wrap(from_fn(crate::http::caching::codings))
            .wrap(from_fn(crate::http::request_log::middleware))
            .app_data(routes.clone())
            .app_data(credentialed.clone())
            .app_data(access_log.clone())
            .app_data(operations.clone())
            .app_data(schema.clone())
            .app_data(replica_loaders.clone())
            .app_data(state_data.clone())
            .app_data(api_json.clone())
            .app_data(http_limits.clone())
            .app_data(web::JsonConfig::default().limit(max_body))
            .app_data(web::PayloadConfig::new(max_body))
            .app_data(
                web::QueryConfig::default()
                    .error_handler(|err, _| crate::error::AppError::field("query", err.to_string()).into()),
            );
        if let Some(l) = &limiter {
            app = app.app_data(web::Data::new(l.clone()));
        }
        if example_page {
            app = app.configure(crate::http::example::routes);
        }
        app.route("/graphql/ws", web::get().to(graphql::ws::start))
            .route("/graphql", web::post().to(graphql::http::post))
            .route("/graphql", web::get().to(graphql::http::get))
            .route("/openapi.json", web::get().to(openapi_json))
            .configure(graphql::graphiql::routes)
            .route("/docs", web::get().to(docs_redirect))
            .service(docs())
            .route("/", web::get().to(index))
            .into_utoipa_app()
            .service(rest::health::healthz)
            .service(rest::health::readyz)
            .service(rest::feeds::rss_feed)
            .service(rest::feeds::atom_feed)
            .service(rest::feeds::json_feed)
            .service(rest::feeds::news_sitemap)
            .service(rest::feeds::sitemap)
            .service(rest::v1())
            .into_app()
            .default_service(web::to(crate::http::methods::unmatched))
    })
    // Without it the last segment of an answer can wait ~40 ms for the
    // client's delayed ACK (Nagle's algorithm), which a cache in front
    // showed as a stall on every miss.
    .tcp_nodelay(true)
    .listen(listener)
    .map_err(|e| StartError::Bind { addr, reason: e.to_string() })?
    .disable_signals()
    .shutdown_timeout(bound.as_secs())
    .run();
    // After the listener is bound: a worker never runs for a server that
    // could not start.
    crate::workers::start_all(&worker_state, &runner)?;
    Ok(Application { server, metrics: metrics_server, runner, stopping, bound })
}

async fn openapi_json(req: actix_web::HttpRequest, doc: web::Data<String>) -> HttpResponse {
    rest::cache::bytes_with_etag(&req, doc.get_ref().clone().into_bytes(), "application/json", true, None)
}

/// Swagger UI at `/docs/`, from the bundle compiled into the binary, reading
/// `/openapi.json`; its online spec validator (another host) is off.
fn docs() -> SwaggerUi {
    SwaggerUi::new("/docs/{_:.*}")
        .config(utoipa_swagger_ui::Config::new(["/openapi.json"]).validator_url("none"))
}

/// Swagger UI's page names its files relative to `/docs/`.
async fn docs_redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect().insert_header((actix_web::http::header::LOCATION, "/docs/")).finish()
}

async fn index() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({
        "name": "Dateline",
        "graphql": "/graphql",
        "rest": "/v1/articles",
        "openapi": "/openapi.json",
        "docs": "/docs",
        "example": "/example/",
    }))
}
