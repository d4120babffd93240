//! The error answers each operation documents: every status it can return,
//! as `application/problem+json` with an example, so generated clients and
//! contract tests know them. Operations list the sets that apply to them.

use super::problem::Problem;
use std::collections::BTreeMap;
use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::schema::{ObjectBuilder, Ref, Type};
use utoipa::openapi::{RefOr, Response, ResponseBuilder};
use utoipa::{IntoResponses, ToSchema};

pub const PROBLEM_JSON: &str = "application/problem+json";

/// What each status means here, its machine code and an example detail.
fn meaning(status: u16) -> (&'static str, &'static str, &'static str) {
    match status {
        400 => (
            "A parameter, header or body field is invalid; `errors` names each",
            "BAD_USER_INPUT",
            "invalid input: limit: must be between 0 and 100",
        ),
        401 => (
            "No valid API key: missing where one is needed, unknown or revoked",
            "UNAUTHENTICATED",
            "authentication required",
        ),
        403 => (
            "The key lacks the scope this needs",
            "FORBIDDEN",
            "forbidden: this key lacks the content:write scope",
        ),
        404 => ("No such resource, or not visible to this caller", "NOT_FOUND", "article not found"),
        409 => (
            "Conflicts with a concurrent write or with an earlier use of the Idempotency-Key",
            "CONFLICT",
            "conflict: this Idempotency-Key was used for a different request",
        ),
        412 => (
            "`If-Match` names a version that is no longer current; nothing was changed",
            "CONFLICT",
            "precondition failed: the article is at version 4, not 3",
        ),
        422 => (
            "Each value is well formed, but they are refused together or by what is stored now (a slug already taken, an id that names nothing, a time already past, a date range that ends before it starts); `errors` names each field",
            "BAD_USER_INPUT",
            "invalid input: sectionId: no such section",
        ),
        413 => (
            "The body is larger than the server accepts",
            "PAYLOAD_TOO_LARGE",
            "the request body is larger than 1048576 bytes",
        ),
        415 => (
            "The body is not declared as application/json",
            "UNSUPPORTED_MEDIA_TYPE",
            "unsupported media type: send the body as application/json",
        ),
        429 => (
            "Too many requests from this client; retry after `Retry-After` seconds",
            "RATE_LIMITED",
            "too many requests",
        ),
        503 => (
            "The database is unavailable, or as many imports run as the server allows at once (then with `Retry-After`)",
            "SERVICE_UNAVAILABLE",
            "as many imports as this server runs at once are running; retry after Retry-After seconds",
        ),
        _ => ("Error", "INTERNAL_SERVER_ERROR", "internal error"),
    }
}

/// The documented answer for one error status.
pub fn problem_response(status: u16) -> Response {
    let (description, code, detail) = meaning(status);
    let title = actix_web::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Error");
    let mut example = serde_json::json!({
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    });
    if status == 400 {
        example["errors"] = serde_json::json!([{ "path": "limit", "message": "must be between 0 and 100" }]);
    }
    if status == 422 {
        example["errors"] = serde_json::json!([{ "path": "sectionId", "message": "no such section" }]);
    }
    let content = ContentBuilder::new()
        .schema(Some(Ref::from_schema_name(Problem::name())))
        .example(Some(example))
        .build();
    let mut response = ResponseBuilder::new().description(description).content(PROBLEM_JSON, content);
    let integer = || ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(0));
    let string = || ObjectBuilder::new().schema_type(Type::String);
    response = match status {
        429 | 503 => response.header(
            "Retry-After",
            HeaderBuilder::new()
                .schema(Some(integer()))
                .description(Some("Seconds to wait before the next request"))
                .build(),
        ),
        401 => response.header(
            "WWW-Authenticate",
            HeaderBuilder::new().schema(Some(string())).description(Some("`Bearer`")).build(),
        ),
        _ => response,
    };
    response.build()
}

fn problems(statuses: &[u16]) -> BTreeMap<String, RefOr<Response>> {
    statuses.iter().map(|s| (s.to_string(), RefOr::T(problem_response(*s)))).collect()
}

macro_rules! problem_set {
    ($(#[$doc:meta])* $name:ident: $($status:literal),+) => {
        $(#[$doc])*
        pub struct $name;

        impl IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<Response>> {
                problems(&[$($status),+])
            }
        }
    };
}

problem_set!(
    /// Public reads that take no credentials into account.
    PublicRead: 429
);
problem_set!(
    /// Public reads with parameters.
    PublicQuery: 400, 429
);
problem_set!(
    /// Listings whose parameters may be refused together (a date range
    /// that ends before it starts), besides what `PreviewRead` covers.
    ListRead: 400, 401, 403, 422, 429
);
problem_set!(
    /// Reads that may show drafts to a key with `content:read-drafts`
    /// (`preview=true`): a bad key is 401, a key without the scope 403.
    PreviewRead: 400, 401, 403, 429
);
problem_set!(
    /// Writes with a JSON body. Credentials are checked before the body.
    BodyWrite: 400, 401, 403, 413, 415, 429
);
problem_set!(
    /// Work the server runs only so many of at once.
    Saturated: 503
);
problem_set!(
    /// Writes without a body.
    BodylessWrite: 400, 401, 403, 429
);
problem_set!(
    /// The resource named in the path does not exist.
    NotFound: 404
);
problem_set!(
    /// A concurrent write, or a reused Idempotency-Key.
    Conflict: 409
);
problem_set!(
    /// Well-formed input that what is stored refuses.
    Refused: 422
);
problem_set!(
    /// A stale `If-Match`.
    Stale: 412
);
