//! Response headers that keep browsers from misreading Dateline's answers:
//! no content sniffing anywhere, and on the HTML pages (GraphiQL, API docs,
//! the example page) a Content-Security-Policy, no framing and no referrer.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;

/// The HTML pages load every script, style and font from Dateline itself:
/// scripts only as files from this origin (no inline script, no eval), fonts
/// and icons also as `data:` URLs, requests to this origin only. GraphiQL's
/// page (and any other) allows no inline style either.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
font-src 'self' data:; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; \
base-uri 'none'; form-action 'self'; object-src 'none'";

/// Swagger UI (`/docs/`) sets inline styles, so its pages allow them.
const CSP_DOCS: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
font-src 'self' data:; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; \
base-uri 'none'; form-action 'self'; object-src 'none'";

/// `path` is `prefix` or below it (every request asks; nothing allocated).
fn under(path: &str, prefix: &str) -> bool {
    path.strip_prefix(prefix).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let path = req.path();
    let csp = if under(path, "/docs") {
        CSP_DOCS
    } else if under(path, "/example") {
        crate::http::example::CSP
    } else {
        CSP
    };
    let mut resp = next.call(req).await?;
    let headers = resp.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    let is_html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if is_html {
        headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(csp));
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    }
    Ok(resp)
}
