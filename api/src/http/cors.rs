//! Cross-origin access. Published content is public, so any origin may
//! read it and send an API key in `Authorization` (a header, not a
//! credential in the CORS sense). Credentialed requests (cookies, which
//! reader sign-in may use) are allowed only for the origins configured in
//! `--cors-credentials-origins`.

use actix_cors::Cors;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web;

/// Origins that may make credentialed requests, as configured.
#[derive(Clone, Default)]
pub struct CredentialedOrigins(Vec<String>);

impl CredentialedOrigins {
    /// `"https://a, https://b/"` lists `https://a` and `https://b`: an
    /// `Origin` header has no spaces and no trailing slash.
    pub fn new(configured: &[String]) -> Self {
        Self(
            configured
                .iter()
                .map(|o| o.trim().trim_end_matches('/').to_owned())
                .filter(|o| !o.is_empty())
                .collect(),
        )
    }
}

pub fn cors() -> Cors {
    Cors::default()
        .allow_any_origin()
        .allowed_methods(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
            header::HeaderName::from_static("idempotency-key"),
            header::HeaderName::from_static("x-request-id"),
            header::HeaderName::from_static("traceparent"),
        ])
        .expose_headers([
            header::ETAG,
            header::LOCATION,
            header::RETRY_AFTER,
            header::HeaderName::from_static("x-request-id"),
            header::HeaderName::from_static("ratelimit-limit"),
            header::HeaderName::from_static("ratelimit-remaining"),
            header::HeaderName::from_static("ratelimit-reset"),
        ])
        .max_age(600)
}

/// Runs outside `cors()`: for a configured origin, the answer (preflight
/// or not) also allows credentials. `cors()` echoes the origin rather than
/// `*`, which credentialed requests require.
pub async fn credentials(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let listed = req.headers().get(header::ORIGIN).and_then(|o| o.to_str().ok()).is_some_and(|origin| {
        req.app_data::<web::Data<CredentialedOrigins>>().is_some_and(|l| l.0.iter().any(|o| o == origin))
    });
    let mut resp = next.call(req).await?;
    if listed && resp.headers().contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN) {
        resp.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_CREDENTIALS, HeaderValue::from_static("true"));
    }
    Ok(resp)
}
