//! Writing a GraphQL answer: media type, status code and body.

use super::media::Media;
use crate::domain::surrogate::Key;
use crate::error::AppError;
use crate::graphql::errors;
use crate::http::caching::Policy;
use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, HeaderName, HeaderValue, VARY};
use actix_web::{HttpResponse, HttpResponseBuilder};
use std::collections::BTreeMap;

/// Why a request was not executed.
pub enum Failure {
    /// Not a well-formed GraphQL request, or refused at the HTTP level
    /// (credentials, media type, method): its own status, whatever the media.
    Http(AppError),
    /// A document that does not parse, validate or fit the limits.
    Document(AppError),
}

/// Why a persisted document could not be run: its own refusals are
/// document errors (200 under `application/json`, which Apollo's link reads
/// either way); the database failing is the server's.
pub fn unresolved(err: AppError) -> Failure {
    use crate::error::Code;
    match err.code() {
        Code::PersistedQueryNotFound | Code::PersistedQueryHashMismatch | Code::PersistedQueryNotInList => {
            Failure::Document(err)
        }
        _ => Failure::Http(err),
    }
}

/// A request that was not executed has no `data` entry. Under
/// `application/json` document errors are 200, for the clients that predate
/// `application/graphql-response+json`.
pub fn refused(media: Media, failure: Failure) -> HttpResponse {
    refused_with(media, failure, Default::default())
}

/// [`refused`], keeping the response's `extensions` (the cost of an
/// operation refused for its cost).
fn refused_with(
    media: Media,
    failure: Failure,
    extensions: std::collections::BTreeMap<String, async_graphql::Value>,
) -> HttpResponse {
    let (err, status) = match failure {
        Failure::Http(err) => {
            let status = err.status();
            (err, status)
        }
        Failure::Document(err) => {
            let status = if media == Media::Json { 200 } else { err.status() };
            (err, status)
        }
    };
    let mut builder = HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST));
    // A refusal is never kept by a cache in front: an unknown persisted
    // query is known a moment later.
    builder.insert_header((CACHE_CONTROL, HeaderValue::from_static("no-store")));
    for (name, value) in err.headers() {
        builder.insert_header((name, value));
    }
    let mut e = async_graphql::ServerError::new(err.to_string(), None);
    e.source = Some(std::sync::Arc::new(err));
    let mut resp = async_graphql::Response::from_errors(vec![e]);
    resp.extensions = extensions;
    body(builder, media, resp, false)
}

/// The engine's answer. Errors without a path, with no data, come from
/// validation or variable coercion: the operation never ran, so they are
/// answered like any other document error.
pub fn executed(media: Media, resp: async_graphql::Response) -> HttpResponse {
    let not_run = !ran(&resp);
    // An operation that costs more than the caller has left: 429 with
    // Retry-After, whatever the media type, as for any request over budget.
    let limited = resp
        .errors
        .iter()
        .find_map(|e| e.source::<AppError>().filter(|a| matches!(a, AppError::RateLimited { .. })).cloned());
    if let (true, Some(err)) = (not_run, limited) {
        return refused_with(media, Failure::Http(err), resp.extensions);
    }
    let status =
        if not_run && media == Media::GraphqlResponseJson { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    let mut builder = HttpResponse::build(status);
    if resp.is_ok()
        && let Some(value) = resp.cache_control.value()
        && let Ok(value) = HeaderValue::from_str(&value)
    {
        builder.insert_header((CACHE_CONTROL, value));
    }
    for (name, value) in resp.http_headers.iter() {
        if let (Ok(name), Ok(value)) =
            (HeaderName::from_bytes(name.as_str().as_bytes()), HeaderValue::from_bytes(value.as_bytes()))
        {
            builder.append_header((name, value));
        }
    }
    body(builder, media, resp, !not_run)
}

/// An answer no cache may keep: it depends on who asked, or holds errors.
pub fn private(mut resp: HttpResponse) -> HttpResponse {
    if !resp.headers().contains_key(CACHE_CONTROL) {
        resp.headers_mut().insert(CACHE_CONTROL, crate::http::caching::PRIVATE);
    }
    resp
}

/// The headers of an answer without errors: public ones carry a strong
/// ETag over the bytes, the surrogate keys of what they showed, and vary
/// with what changes them (the media type; credentials, which make an
/// answer private).
pub fn headers(
    policy: &Policy,
    media: Media,
    public: bool,
    body: &[u8],
    keys: &[Key],
) -> Vec<(HeaderName, HeaderValue)> {
    let mut headers = vec![
        (CONTENT_TYPE, HeaderValue::from_static(media.content_type())),
        (CACHE_CONTROL, policy.for_answer(public)),
    ];
    if !public {
        return headers;
    }
    if let Ok(etag) = HeaderValue::from_str(&crate::http::caching::etag_of(body, None)) {
        headers.push((ETAG, etag));
    }
    headers.push((VARY, HeaderValue::from_static("Accept, Authorization")));
    headers.extend(policy.surrogate_keys(keys));
    headers
}

/// Whether the operation ran: errors without a path and no data mean it
/// failed validation or variable coercion.
pub fn ran(resp: &async_graphql::Response) -> bool {
    !(resp.data == async_graphql::Value::Null
        && !resp.errors.is_empty()
        && resp.errors.iter().all(|e| e.path.is_empty()))
}

/// The wire form of an answer without errors, for keeping; None when it
/// does not serialize (`executed` then reports it).
pub fn plain(resp: &async_graphql::Response) -> Option<Vec<u8>> {
    wire(resp, true).ok()
}

fn wire(resp: &async_graphql::Response, with_data: bool) -> serde_json::Result<Vec<u8>> {
    let wire =
        Body { data: with_data.then_some(&resp.data), errors: &resp.errors, extensions: &resp.extensions };
    serde_json::to_vec(&wire)
}

/// The wire form. Serialized straight from the engine's ordered values:
/// a GraphQL answer lists fields in the order the query asked for them.
#[derive(serde::Serialize)]
struct Body<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a async_graphql::Value>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    errors: &'a [async_graphql::ServerError],
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    extensions: &'a BTreeMap<String, async_graphql::Value>,
}

fn body(
    mut builder: HttpResponseBuilder,
    media: Media,
    mut resp: async_graphql::Response,
    with_data: bool,
) -> HttpResponse {
    errors::decorate(&mut resp);
    match wire(&resp, with_data) {
        Ok(json) => builder.content_type(media.content_type()).body(json),
        Err(e) => {
            tracing::error!(error = %e, "a GraphQL response did not serialize");
            let failed =
                r#"{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}"#;
            HttpResponse::InternalServerError().content_type(media.content_type()).body(failed)
        }
    }
}
