//! The request headers writes read, described for the OpenAPI document.
//! Handlers read them from the request themselves (`write_support`), so a
//! malformed one is reported by its header name.

use utoipa::IntoParams;

/// Makes a write conditional on the version it was based on.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IfMatch {
    /// The ETag of a GET, or the version (`"3"`) the change is based on; a
    /// stale one is answered with 412 and changes nothing.
    #[param(rename = "If-Match", nullable = false, pattern = r#"^(W/)?"?[0-9]{1,9}(-[0-9a-f]*)?"?$"#)]
    pub if_match: Option<String>,
}

/// Makes a retried POST safe.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IdempotencyKey {
    /// A retry with the same key (and the same request) returns the first
    /// answer; the same key with a different request is 409.
    #[param(rename = "Idempotency-Key", nullable = false, pattern = "^[ -~]+$", max_length = 200)]
    pub idempotency_key: Option<String>,
}
