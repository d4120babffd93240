//! What every HTTP request passes before a handler sees it, whatever the
//! route: a body counted and timed as it is read (not as `Content-Length`
//! claims), a deadline for the whole request, a cap on each header, no
//! control characters in the URL, and a 500 problem instead of a dropped
//! connection when a handler panics. GraphQL's document limits live in
//! `graphql::limits`, rate limits in `rate_limit`.

mod payload;
pub mod security_headers;

use crate::domain::text::{self, Lines};
use crate::error::AppError;
use actix_web::ResponseError;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use futures_util::FutureExt;
use std::panic::AssertUnwindSafe;
use std::time::Duration;

#[derive(Debug, Clone, Copy)]
pub struct HttpLimits {
    pub max_body_bytes: usize,
    pub max_header_bytes: usize,
    pub body_timeout: Duration,
    pub request_timeout: Duration,
    /// `POST /v1/import` takes a whole archive, so it has its own limits.
    pub import_max_bytes: usize,
    pub import_timeout: Duration,
}

/// The route that takes archives.
pub const IMPORT_PATH: &str = "/v1/import";

impl HttpLimits {
    pub fn from_config(c: &crate::config::Config) -> Self {
        Self {
            max_body_bytes: c.http.max_body_bytes,
            max_header_bytes: c.http.max_header_bytes,
            body_timeout: Duration::from_secs(c.http.body_timeout_secs.max(1)),
            request_timeout: Duration::from_secs(c.http.request_timeout_secs.max(1)),
            import_max_bytes: c.http.import_max_bytes,
            import_timeout: Duration::from_secs(c.http.import_timeout_secs.max(1)),
        }
    }

    /// The limits of one request's route.
    fn of(self, path: &str) -> Self {
        if path == IMPORT_PATH {
            Self {
                max_body_bytes: self.import_max_bytes,
                body_timeout: self.import_timeout,
                request_timeout: self.import_timeout,
                ..self
            }
        } else {
            self
        }
    }
}

fn refuse(req: ServiceRequest, err: &AppError) -> ServiceResponse<BoxBody> {
    req.into_response(err.error_response())
}

pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(limits) = req.app_data::<actix_web::web::Data<HttpLimits>>().map(|l| l.get_ref().of(req.path()))
    else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    if let Some(err) = check_head(&req, &limits) {
        return Ok(refuse(req, &err));
    }
    // The request must not be cloned before routing (actix needs it
    // unshared then), so a timeout or panic is returned as an error, which
    // actix renders with `AppError`'s problem+json.
    let path = req.path().to_owned();
    let trip = payload::guard(&mut req, limits.max_body_bytes, limits.body_timeout);
    let call = AssertUnwindSafe(next.call(req)).catch_unwind();
    match tokio::time::timeout(limits.request_timeout, call).await {
        Err(_) => {
            tracing::warn!(path, "request abandoned after the request timeout");
            Err(AppError::TimedOut.into())
        }
        Ok(Err(panic)) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            tracing::error!(path, panic = %what, "a request handler panicked");
            Err(AppError::internal(anyhow::anyhow!("handler panicked")).into())
        }
        Ok(Ok(result)) => {
            let resp = result?.map_into_boxed_body();
            // Whatever the handler made of a cut-off body, the client is told why.
            Ok(match trip.and_then(|t| t.get()) {
                Some(err) => resp.into_response(err.error_response()),
                None => resp,
            })
        }
    }
}

/// Refusals that need only the request line and headers.
fn check_head(req: &ServiceRequest, limits: &HttpLimits) -> Option<AppError> {
    let declared = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limits.max_body_bytes as u64) {
        return Some(AppError::PayloadTooLarge(limits.max_body_bytes));
    }
    for (name, value) in req.headers() {
        if value.len() > limits.max_header_bytes {
            return Some(AppError::HeaderTooLarge(name.as_str().to_owned()));
        }
    }
    if has_encoded_control(req.path()) {
        return Some(AppError::field("path", text::CONTROL_MESSAGE));
    }
    if let Some(name) = parameter_with_control(req.path(), req.query_string()) {
        return Some(AppError::field(name, text::CONTROL_MESSAGE));
    }
    None
}

/// Parameters of `GET /graphql` that hold a GraphQL document or JSON,
/// which clients send over several lines (Apollo's and urql's GET modes).
const MULTILINE_GRAPHQL_PARAMETERS: [&[u8]; 3] = [b"query", b"variables", b"extensions"];

/// The first parameter of a query string that decodes to a control
/// character (`query` when its name does), or None. The GraphQL document
/// and JSON parameters of `/graphql` may hold the whitespace both
/// languages allow (tab, line feed, carriage return); nothing else may,
/// and every other parameter stays on one line.
fn parameter_with_control(path: &str, qs: &str) -> Option<String> {
    if !qs.contains('%') {
        return None;
    }
    qs.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if has_encoded_control(key) {
            return Some("query".to_owned());
        }
        let name = percent_decode(key.as_bytes());
        let lines = if path == "/graphql" && MULTILINE_GRAPHQL_PARAMETERS.contains(&name.as_slice()) {
            Lines::Multi
        } else {
            Lines::Single
        };
        encoded_control(value, lines).then(|| String::from_utf8_lossy(&name).into_owned())
    })
}

#[cfg(test)]
fn query_has_control(path: &str, qs: &str) -> bool {
    parameter_with_control(path, qs).is_some()
}

/// Whether a URL part decodes to a control character (`%00`, `%0A`, ...).
/// Raw control bytes cannot reach here: the HTTP parser refuses them.
pub fn has_encoded_control(s: &str) -> bool {
    encoded_control(s, Lines::Single)
}

fn encoded_control(s: &str, lines: Lines) -> bool {
    if !s.contains('%') {
        return false;
    }
    let decoded: Vec<u8> = percent_decode(s.as_bytes());
    let allowed = |b: u8| lines == Lines::Multi && matches!(b, b'\t' | b'\n' | b'\r');
    match std::str::from_utf8(&decoded) {
        Ok(text) => !text::is_clean(text, lines),
        Err(_) => decoded.iter().any(|&b| b.is_ascii_control() && !allowed(b)),
    }
}

fn percent_decode(b: &[u8]) -> Vec<u8> {
    let hex = |c: u8| (c as char).to_digit(16).and_then(|d| u8::try_from(d).ok());
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let (Some(h), Some(l)) =
                (b.get(i + 1).copied().and_then(hex), b.get(i + 2).copied().and_then(hex))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{has_encoded_control, query_has_control};

    #[test]
    fn graphql_documents_and_json_may_span_lines_and_nothing_else_may() {
        let multi = "query=query%20Q%20%7B%0A%09a%0D%0A%7D&variables=%7B%0A%20%20%22n%22%3A1%0A%7D";
        assert!(!query_has_control("/graphql", multi));
        assert!(query_has_control("/v1/articles", multi), "other paths stay on one line");
        assert!(query_has_control("/graphql", "query=%7B%01a%7D"), "other controls stay refused");
        assert!(query_has_control("/graphql", "query=%7B%00a%7D"));
        assert!(query_has_control("/graphql", "query=%7Ba%7D&operationName=Q%0A"));
        assert!(query_has_control("/graphql", "que%0Ary=%7Ba%7D"));
        assert!(!query_has_control("/graphql", "q%75ery=%7B%0Aa%7D"), "a key is read decoded");
        assert_eq!(
            super::parameter_with_control("/graphql", "query=%7B%0Aa%7D&operationName=%09X").as_deref(),
            Some("operationName"),
            "the parameter that holds it is named"
        );
    }

    #[test]
    fn encoded_controls_are_found_in_any_case() {
        assert!(has_encoded_control("/v1/articles/a%00b"));
        assert!(has_encoded_control("after=abc%0a"));
        assert!(has_encoded_control("q=%1B"));
        assert!(!has_encoded_control("/v1/articles/caf%C3%A9"));
        assert!(!has_encoded_control("search=a%20b&x=%25"));
        assert!(!has_encoded_control("bad=%zz%"));
    }
}
