//! Building the application: database, migrations, demo content, schema and
//! HTTP server. Tests use the same path with their own database.

use crate::clock::Clock;
use crate::config::Config;
use crate::db;
use crate::domain::articles::urls::PublicUrls;
use crate::graphql::{self, AppSchema};
use crate::http::cors::CredentialedOrigins;
use crate::http::methods::Routes;
use crate::http::request_log::AccessLog;
use crate::http_guard::HttpLimits;
use crate::rest;
use crate::state::AppState;
use actix_web::dev::Server;
use actix_web::middleware::{Compress, from_fn};
use actix_web::{App, HttpResponse, HttpServer, web};
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

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
    // TLS for outgoing requests (webhooks) uses ring, which the database
    // drivers build already; a second call finds it installed.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let url = db::mask_url(&config.database_url);
    let pool = db::PoolSettings {
        max_connections: config.pool_size(),
        slow: Duration::from_millis(config.slow_sql_ms),
        connect_timeout: Duration::from_millis(config.db_connect_timeout_ms),
        acquire_timeout: Duration::from_millis(config.db_acquire_timeout_ms),
    };
    let (conn, statements) = db::connect(&config.database_url, pool)
        .await
        .map_err(|e| StartError::Connect { url: url.clone(), reason: first_line(&e.to_string()) })?;
    db::migrate(&conn).await.map_err(|e| StartError::Migrate { url, reason: first_line(&e.to_string()) })?;
    let soft = crate::fd_limit::current().map(|(soft, _)| soft);
    let streams = crate::fd_limit::stream_cap(config.live_max_streams, soft);
    let community =
        Arc::new(crate::state::Community::from_config(&config, &conn, streams).map_err(StartError::Setup)?);
    let webhooks = Arc::new(config.webhook_settings());
    if let Some(t) = &config.public_url_template {
        PublicUrls::check(t).map_err(|e| StartError::Setup(format!("DATELINE_PUBLIC_URL_TEMPLATE {e}")))?;
    }
    let urls = Arc::new(PublicUrls::new(&config.site_url, config.public_url_template.as_deref()));
    Ok(AppState { db: conn, clock, config: Arc::new(config), statements, community, webhooks, urls })
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
        .service(rest::feeds::rss_feed)
        .service(rest::feeds::atom_feed)
        .service(rest::feeds::json_feed)
        .service(rest::feeds::news_sitemap)
        .service(rest::feeds::sitemap)
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
    let metrics = crate::metrics::middleware(&state, c.metrics_bind.is_none())?;
    if let Some(bind) = &c.metrics_bind {
        let server = crate::metrics::server(bind, metrics.registry.clone())?;
        actix_web::rt::spawn(server);
    }
    {
        // Idle throttle buckets are forgotten now and then.
        let community = Arc::clone(&state.community);
        let clock = state.clock.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
            loop {
                every.tick().await;
                community.throttle.sweep(clock.now());
            }
        });
    }
    if c.scheduler_poll_ms > 0 {
        let every = std::time::Duration::from_millis(c.scheduler_poll_ms);
        crate::domain::sync::schedule::spawn(state.db.clone(), state.clock.clone(), every);
    }
    crate::domain::webhooks::delivery::Dispatcher::new(
        state.db.clone(),
        state.clock.clone(),
        (*state.webhooks).clone(),
    )
    .map_err(|e| StartError::Setup(e.to_string()))?
    .spawn();
    if c.related_refresh_ms > 0 {
        let every = std::time::Duration::from_millis(c.related_refresh_ms);
        crate::domain::related::refresh::spawn(state.db.clone(), every);
    }
    let limiter = crate::rate_limit::limiter(
        c.rate_limit_per_second,
        c.rate_limit_burst,
        c.proxies(),
        c.ipv6_client_prefix,
    );
    let http_limits = web::Data::new(HttpLimits::from_config(c));
    let max_body = c.max_body_bytes;
    let api = openapi();
    let api_json = web::Data::new(api.to_json().unwrap_or_default());
    let mut undocumented: Vec<(&str, &[&str])> = vec![
        ("/", &["GET"]),
        ("/graphql", &["GET", "POST"]),
        ("/graphql/ws", &["GET"]),
        ("/graphql/assets/{file}", &["GET"]),
        ("/openapi.json", &["GET"]),
        ("/docs", &["GET"]),
        ("/docs/{tail:.*}", &["GET"]),
    ];
    if c.metrics_bind.is_none() {
        undocumented.push(("/metrics", &["GET"]));
    }
    let routes = web::Data::new(Routes::new(&serde_json::to_value(&api).unwrap_or_default(), &undocumented));
    let credentialed = web::Data::new(CredentialedOrigins::new(&c.cors_credentials_origins));
    let access_log = web::Data::new(AccessLog(c.access_log));
    let operations = web::Data::new(crate::metrics::GraphqlOperations::new());
    let schema = web::Data::new(schema);
    let state_data = web::Data::new(state);
    let server = HttpServer::new(move || {
        let mut app = App::new()
            .wrap(from_fn(crate::auth::middleware))
            .wrap(from_fn(crate::http_guard::middleware))
            .wrap(from_fn(crate::rate_limit::middleware))
            .wrap(crate::http::cors::cors())
            .wrap(from_fn(crate::http::cors::credentials))
            .wrap(metrics.clone())
            .wrap(from_fn(crate::http_guard::security_headers::middleware))
            .wrap(from_fn(crate::http::methods::normalize))
            .wrap(Compress::default())
            .wrap(from_fn(crate::http::request_log::middleware))
            .app_data(routes.clone())
            .app_data(credentialed.clone())
            .app_data(access_log.clone())
            .app_data(operations.clone())
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
    .listen(listener)
    .map_err(|e| StartError::Bind { addr, reason: e.to_string() })?
    .shutdown_timeout(10)
    .run();
    Ok(server)
}

async fn openapi_json(doc: web::Data<String>) -> HttpResponse {
    HttpResponse::Ok().content_type("application/json").body(doc.get_ref().clone())
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
    }))
}
