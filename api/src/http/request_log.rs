//! One span per request, carrying its id and W3C trace id into every log
//! line written while it runs, and one access log line when it ends. The id
//! is the client's `X-Request-Id` when that is a sane token (a proxy or a
//! client that already logs it), otherwise a new UUID; either way it is
//! echoed in the response.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use std::time::Instant;
use tracing::Instrument;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Whether each finished request is logged (`--access-log`).
#[derive(Clone, Copy)]
pub struct AccessLog(pub bool);

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| is_token(v))
        .map_or_else(|| uuid::Uuid::now_v7().to_string(), str::to_owned);
    let trace_id =
        req.headers().get("traceparent").and_then(|v| v.to_str().ok()).and_then(trace_id).unwrap_or("");
    let span = tracing::info_span!("request", request_id = %id, trace_id = %trace_id);
    let method = req.method().clone();
    let log = req.app_data::<actix_web::web::Data<AccessLog>>().is_none_or(|l| l.0);
    let outcome = next.call(req).instrument(span.clone()).await;
    // A timeout or a panic comes back as an error, rendered by actix later:
    // it is logged and tagged here all the same, since those are the
    // requests an operator most needs to find.
    let (status, route) = match &outcome {
        Ok(resp) => (resp.status(), resp.request().match_pattern()),
        Err(e) => (e.as_response_error().status_code(), None),
    };
    if log {
        // The route pattern, not the path: ids in paths would make every
        // line unique and leak what readers looked at.
        let route = route.unwrap_or_else(|| "(unmatched)".into());
        span.in_scope(|| {
            tracing::info!(
                method = %method,
                route = %route,
                status = status.as_u16(),
                duration_ms = started.elapsed().as_secs_f64() * 1000.0,
                "request"
            );
        });
    }
    let id = HeaderValue::from_str(&id).ok();
    match outcome {
        Ok(mut resp) => {
            if let Some(id) = id {
                resp.headers_mut().insert(REQUEST_ID, id);
            }
            Ok(resp)
        }
        Err(e) => {
            let mut resp = e.error_response();
            if let Some(id) = id {
                resp.headers_mut().insert(REQUEST_ID, id);
            }
            Err(actix_web::error::InternalError::from_response(e.to_string(), resp).into())
        }
    }
}

/// 1 to 128 characters a log line and a header can carry unescaped.
fn is_token(v: &str) -> bool {
    (1..=128).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
}

/// The trace id of a `traceparent` header (`00-<32 hex>-<16 hex>-<2 hex>`),
/// unless it is malformed or all zeros, which the spec says to ignore.
fn trace_id(header: &str) -> Option<&str> {
    let mut parts = header.trim().split('-');
    let (version, trace, parent, flags) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let hex = |s: &str, n: usize| {
        s.len() == n && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    };
    let valid = hex(version, 2) && version != "ff" && hex(trace, 32) && hex(parent, 16) && hex(flags, 2);
    (valid && trace.bytes().any(|b| b != b'0') && parent.bytes().any(|b| b != b'0')).then_some(trace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_and_trace_ids_are_checked() {
        assert!(is_token("abc-123_X.y:z"));
        assert!(!is_token(""));
        assert!(!is_token("has space"));
        assert!(!is_token("new\nline"));
        assert!(!is_token(&"a".repeat(129)));
        let tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        assert_eq!(trace_id(tp), Some("4bf92f3577b34da6a3ce929d0e0e4736"));
        assert_eq!(trace_id("00-00000000000000000000000000000000-00f067aa0ba902b7-01"), None);
        assert_eq!(trace_id("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"), None);
        assert_eq!(trace_id("garbage"), None);
    }
}
