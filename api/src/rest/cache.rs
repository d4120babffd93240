//! Conditional GET: strong ETags over the exact JSON bytes, so a mobile
//! client on a flaky network revalidates with a 304 and no body.

use crate::domain::token;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;

/// `version`, when given, leads the tag (`"3-…"`), so the ETag of a GET can
/// be sent back as `If-Match` on a write.
pub fn json_with_etag<T: Serialize>(
    req: &HttpRequest,
    value: &T,
    public: bool,
    version: Option<i32>,
) -> HttpResponse {
    let body = match serde_json::to_vec(value) {
        Ok(b) => b,
        Err(e) => {
            return actix_web::ResponseError::error_response(&crate::error::AppError::internal(e));
        }
    };
    bytes_with_etag(req, body, "application/json", public, version)
}

/// The opaque part of a tag: `If-None-Match` compares weakly (RFC 9110),
/// and a proxy that compresses marks the tags it passes on as weak.
fn weakly(tag: &str) -> &str {
    let t = tag.trim();
    t.strip_prefix("W/").unwrap_or(t)
}

/// Whether an `If-None-Match` value names `etag`.
pub fn none_match(held: &str, etag: &str) -> bool {
    held.split(',').any(|t| t.trim() == "*" || weakly(t) == weakly(etag))
}

/// Any body with a strong ETag of its bytes, answered 304 when the client
/// has it already.
pub fn bytes_with_etag(
    req: &HttpRequest,
    body: Vec<u8>,
    content_type: &str,
    public: bool,
    version: Option<i32>,
) -> HttpResponse {
    let digest = token::sha256_hex(&[&body]);
    let hash = digest.get(..24).unwrap_or(&digest);
    let etag = match version {
        Some(v) => format!("\"{v}-{hash}\""),
        None => format!("\"{hash}\""),
    };
    let cache = if public { "public, max-age=60, stale-while-revalidate=300" } else { "private, no-store" };
    let matches = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| none_match(v, &etag));
    if matches {
        return HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .insert_header((header::CACHE_CONTROL, cache))
            .finish();
    }
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, cache))
        .body(body)
}
