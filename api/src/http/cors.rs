//! Cross-origin access. Published content is public, so any origin may
//! read it and send an API key in `Authorization` (a header, not a
//! credential in the CORS sense): answered `Access-Control-Allow-Origin: *`
//! without `Vary: Origin`, so a shared cache keeps one copy for every site
//! that embeds Dateline. Credentialed requests (cookies, which reader
//! sign-in may use) are allowed only for the origins configured in
//! `--cors-credentials-origins`, which get their own origin back.

use actix_cors::Cors;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
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

/// What a page on another site may read of an answer.
const EXPOSED: &str = "etag, last-modified, location, retry-after, x-request-id, ratelimit-limit, \
    ratelimit-remaining, ratelimit-reset, dateline-read-after, dateline-read-from";

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
            // A write's position, sent back so a read sees the write.
            header::HeaderName::from_static("dateline-read-after"),
        ])
        .expose_headers(EXPOSED.split(", "))
        .max_age(600)
}

/// Runs outside `cors()`, which echoes any origin and varies on it: a
/// configured origin keeps the echo (credentialed requests require it) and
/// is allowed credentials; every other origin gets `*`, and the answer no
/// longer varies by origin.
pub async fn credentials(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let listed = req.headers().get(header::ORIGIN).and_then(|o| o.to_str().ok()).is_some_and(|origin| {
        req.app_data::<web::Data<CredentialedOrigins>>().is_some_and(|l| l.0.iter().any(|o| o == origin))
    });
    let preflight =
        req.method() == Method::OPTIONS && req.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let mut resp = next.call(req).await?;
    let headers = resp.headers_mut();
    if listed {
        headers.insert(header::ACCESS_CONTROL_ALLOW_CREDENTIALS, HeaderValue::from_static("true"));
        return Ok(resp);
    }
    // Also without an Origin: a shared cache may hand this answer, read by
    // a server or a cache filling itself, to a page on any site.
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    if !headers.contains_key(header::ACCESS_CONTROL_EXPOSE_HEADERS) && !preflight {
        headers.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static(EXPOSED));
    }
    // Only a preflight's answer depends on what it asks for.
    let varies = |v: &str| {
        !v.is_empty()
            && !v.eq_ignore_ascii_case("origin")
            && (preflight
                || !(v.eq_ignore_ascii_case("access-control-request-method")
                    || v.eq_ignore_ascii_case("access-control-request-headers")))
    };
    let rest: Vec<String> = headers
        .get_all(header::VARY)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|v| varies(v))
        .map(str::to_owned)
        .collect();
    headers.remove(header::VARY);
    if let Ok(v) = HeaderValue::from_str(&rest.join(", "))
        && !rest.is_empty()
    {
        headers.insert(header::VARY, v);
    }
    Ok(resp)
}
