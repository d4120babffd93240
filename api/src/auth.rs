//! Resolves `Authorization: Bearer TOKEN` once per request. The outcome is
//! stored on the request; each adapter turns a failure into its own error
//! shape (GraphQL error or problem+json). Requests without the header are
//! anonymous; a header that does not check out is always UNAUTHENTICATED,
//! never silently anonymous.

use crate::domain::accounts::{Actor, api_keys, sessions};
use crate::error::AppError;
use crate::state::AppState;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::AUTHORIZATION;
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpRequest, web};

#[derive(Clone)]
struct Authenticated(Result<Actor, AppError>);

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let outcome = resolve(&req).await;
    req.extensions_mut().insert(Authenticated(outcome));
    next.call(req).await
}

async fn resolve(req: &ServiceRequest) -> Result<Actor, AppError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("application state missing")))?;
    let client = crate::rate_limit::client_of(req, &state.proxies, state.config.http.ipv6_client_prefix);
    let Some(header) = req.headers().get(AUTHORIZATION) else {
        return Ok(Actor::anonymous().from_client(client));
    };
    let token = header
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or(AppError::Unauthenticated)?;
    Ok(actor_for_token(state, token).await?.from_client(client))
}

/// The caller a bearer token names: a person's session or an API key.
pub async fn actor_for_token(state: &AppState, token: &str) -> Result<Actor, AppError> {
    if token.starts_with(sessions::PREFIX) {
        sessions::authenticate(&state.db, token, state.clock.now()).await
    } else {
        api_keys::authenticate(&state.db, token).await
    }
}

/// The caller of `req`, or why its credentials were refused.
pub fn actor_of(req: &HttpRequest) -> Result<Actor, AppError> {
    req.extensions().get::<Authenticated>().map(|a| a.0.clone()).unwrap_or_else(|| Ok(Actor::anonymous()))
}
