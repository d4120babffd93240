//! Building the application: database, migrations, demo content, schema and
//! HTTP server. Tests use the same path with their own database.

use crate::clock::Clock;
use crate::config::Config;
use crate::db;
use crate::graphql::{self, AppSchema};
use crate::rest;
use crate::state::AppState;
use actix_web::dev::Server;
use actix_web::{App, HttpResponse, HttpServer, web};
use std::net::TcpListener;
use std::sync::Arc;
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;
use utoipa_scalar::{Scalar, Servable};

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot connect to the database at {url}: {reason}")]
    Connect { url: String, reason: String },
    #[error("cannot migrate the database at {url}: {reason}")]
    Migrate { url: String, reason: String },
    #[error("cannot set up the server: {0}")]
    Setup(String),
    #[error("cannot listen on {addr}: {reason}")]
    Bind { addr: String, reason: String },
}

/// Connects and migrates. The URL in any error has its password masked.
pub async fn prepare(config: Config, clock: Clock) -> Result<AppState, StartError> {
    let url = db::mask_url(&config.database_url);
    let (conn, statements) = db::connect(
        &config.database_url,
        config.db_max_connections,
        std::time::Duration::from_millis(config.slow_sql_ms),
    )
    .await
    .map_err(|e| StartError::Connect { url: url.clone(), reason: first_line(&e.to_string()) })?;
    db::migrate(&conn).await.map_err(|e| StartError::Migrate { url, reason: first_line(&e.to_string()) })?;
    Ok(AppState { db: conn, clock, config: Arc::new(config), statements })
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or_default().to_owned()
}

/// The OpenAPI document, generated from the handlers' annotations.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, api) = App::new()
        .into_utoipa_app()
        .openapi(rest::ApiDoc::openapi())
        .service(rest::health::healthz)
        .service(rest::health::readyz)
        .service(rest::v1())
        .split_for_parts();
    api
}

/// Starts serving on `listener`; the returned server runs until stopped.
pub fn run(state: AppState, listener: TcpListener) -> Result<Server, StartError> {
    let addr = listener.local_addr().map(|a| a.to_string()).unwrap_or_default();
    let schema: AppSchema = graphql::build_schema(state.clone());
    let metrics = metrics(&state)?;
    let c = &state.config;
    let limits =
        crate::rate_limit::config(c.rate_limit_per_second, c.rate_limit_burst, c.trust_forwarded_for)
            .ok_or_else(|| StartError::Setup("invalid rate limit settings".into()))?;
    let api = openapi();
    let api_json = web::Data::new(api.to_json().unwrap_or_default());
    let schema = web::Data::new(schema);
    let state_data = web::Data::new(state);
    let server = HttpServer::new(move || {
        App::new()
            .wrap(actix_web::middleware::from_fn(crate::auth::middleware))
            .wrap(actix_web::middleware::from_fn(crate::limits::body_size))
            .wrap(actix_governor::Governor::new(&limits))
            .wrap(metrics.clone())
            .wrap(tracing_actix_web::TracingLogger::default())
            .app_data(schema.clone())
            .app_data(state_data.clone())
            .app_data(api_json.clone())
            .app_data(web::JsonConfig::default().limit(crate::limits::MAX_BODY))
            .app_data(web::PayloadConfig::new(crate::limits::MAX_BODY))
            .app_data(
                web::QueryConfig::default()
                    .error_handler(|err, _| crate::error::AppError::field("query", err.to_string()).into()),
            )
            .route("/graphql", web::post().to(graphql::http::post))
            .route("/graphql", web::get().to(graphql::http::get))
            .route("/openapi.json", web::get().to(openapi_json))
            .service(Scalar::with_url("/docs", api.clone()))
            .route("/", web::get().to(index))
            .into_utoipa_app()
            .service(rest::health::healthz)
            .service(rest::health::readyz)
            .service(rest::v1())
            .into_app()
    })
    .listen(listener)
    .map_err(|e| StartError::Bind { addr, reason: e.to_string() })?
    .shutdown_timeout(10)
    .run();
    Ok(server)
}

/// Request counts and latencies by route (`/metrics`, Prometheus text), plus
/// the SQL statement counter.
fn metrics(state: &AppState) -> Result<actix_web_prom::PrometheusMetrics, StartError> {
    let fail = StartError::Setup;
    let registry = prometheus::Registry::new();
    registry.register(Box::new(state.statements.collector())).map_err(|e| fail(e.to_string()))?;
    actix_web_prom::PrometheusMetricsBuilder::new("dateline")
        .registry(registry)
        .endpoint("/metrics")
        .build()
        .map_err(|e| fail(e.to_string()))
}

async fn openapi_json(doc: web::Data<String>) -> HttpResponse {
    HttpResponse::Ok().content_type("application/json").body(doc.get_ref().clone())
}

async fn index() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({
        "name": "Dateline",
        "graphql": "/graphql",
        "rest": "/v1/articles",
        "openapi": "/openapi.json",
        "docs": "/docs",
    }))
}
