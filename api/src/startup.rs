//! Building the application: database, migrations, demo content, schema and
//! HTTP server. Tests use the same path with their own database.

use crate::clock::Clock;
use crate::config::Config;
use crate::db;
use crate::graphql::{self, AppSchema};
use crate::http_guard::HttpLimits;
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
        config.pool_size(),
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
    let mut api = api;
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

/// Starts serving on `listener`; the returned server runs until stopped.
/// With `metrics_bind` set, `/metrics` is served there instead, by a second
/// server that runs beside the first.
pub fn run(state: AppState, listener: TcpListener) -> Result<Server, StartError> {
    let addr = listener.local_addr().map(|a| a.to_string()).unwrap_or_default();
    let schema: AppSchema = graphql::build_schema(state.clone());
    let c = &state.config;
    let metrics = metrics(&state, c.metrics_bind.is_none())?;
    if let Some(bind) = &c.metrics_bind {
        let server = metrics_server(bind, metrics.registry.clone())?;
        actix_web::rt::spawn(server);
    }
    if c.related_refresh_ms > 0 {
        let every = std::time::Duration::from_millis(c.related_refresh_ms);
        crate::domain::related::refresh::spawn(state.db.clone(), every);
    }
    let limiter = crate::rate_limit::limiter(c.rate_limit_per_second, c.rate_limit_burst, c.proxies());
    let http_limits = web::Data::new(HttpLimits::from_config(c));
    let max_body = c.max_body_bytes;
    let api = openapi();
    let api_json = web::Data::new(api.to_json().unwrap_or_default());
    let schema = web::Data::new(schema);
    let state_data = web::Data::new(state);
    let server = HttpServer::new(move || {
        let mut app = App::new()
            .wrap(actix_web::middleware::from_fn(crate::auth::middleware))
            .wrap(actix_web::middleware::from_fn(crate::http_guard::middleware))
            .wrap(actix_web::middleware::from_fn(crate::rate_limit::middleware))
            .wrap(metrics.clone())
            .wrap(actix_web::middleware::from_fn(crate::http_guard::security_headers::middleware))
            .wrap(tracing_actix_web::TracingLogger::default())
            .app_data(schema.clone())
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
        app.route("/graphql", web::post().to(graphql::http::post))
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

/// Request counts and latencies by route pattern (`/metrics`, Prometheus
/// text), plus the SQL statement counter. Requests that match no route share
/// one label, so random paths cannot grow the output.
fn metrics(state: &AppState, public_endpoint: bool) -> Result<actix_web_prom::PrometheusMetrics, StartError> {
    let fail = StartError::Setup;
    let registry = prometheus::Registry::new();
    registry.register(Box::new(state.statements.collector())).map_err(|e| fail(e.to_string()))?;
    let mut builder = actix_web_prom::PrometheusMetricsBuilder::new("dateline")
        .registry(registry)
        .mask_unmatched_patterns("UNMATCHED");
    if public_endpoint {
        builder = builder.endpoint("/metrics");
    }
    builder.build().map_err(|e| fail(e.to_string()))
}

fn metrics_server(bind: &str, registry: prometheus::Registry) -> Result<Server, StartError> {
    let registry = web::Data::new(registry);
    let server = HttpServer::new(move || {
        App::new().app_data(registry.clone()).route("/metrics", web::get().to(metrics_text))
    })
    .workers(1)
    .bind(bind)
    .map_err(|e| StartError::Bind { addr: bind.to_owned(), reason: e.to_string() })?
    .shutdown_timeout(2)
    .run();
    Ok(server)
}

async fn metrics_text(registry: web::Data<prometheus::Registry>) -> HttpResponse {
    use prometheus::Encoder;
    let mut out = Vec::new();
    match prometheus::TextEncoder::new().encode(&registry.gather(), &mut out) {
        Ok(()) => HttpResponse::Ok().content_type("text/plain; version=0.0.4").body(out),
        Err(e) => HttpResponse::InternalServerError().body(e.to_string()),
    }
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
