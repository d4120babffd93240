//! Liveness and readiness for orchestrators.

use crate::error::AppError;
use crate::state::AppState;
use actix_web::{HttpResponse, ResponseError, get, web};
use std::time::Duration;

/// The process is up.
#[utoipa::path(tag = "operations", responses((status = 200, description = "Alive")))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

/// The database answers; 503 while it does not, 200 again once it does.
#[utoipa::path(tag = "operations", responses((status = 200, description = "Ready"), (status = 503, description = "Database unreachable")))]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    // Not listening for the other instances' notices: its kept answers
    // could be stale without bound, so it takes no traffic.
    if !state.listening.load(std::sync::atomic::Ordering::SeqCst) {
        return AppError::Unavailable.error_response();
    }
    match tokio::time::timeout(Duration::from_secs(2), state.db.ping()).await {
        Ok(Ok(())) => HttpResponse::Ok().json(serde_json::json!({ "status": "ready", "database": "ok" })),
        _ => AppError::Unavailable.error_response(),
    }
}
