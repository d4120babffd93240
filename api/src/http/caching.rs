//! What caches in front (browsers, CDNs, Varnish) may do with an answer:
//! `Cache-Control` for public and private answers, strong ETags over the
//! exact bytes, and `If-None-Match` compared weakly (RFC 9110: a proxy that
//! compresses marks the tags it passes on as weak).

use crate::config::Config;
use crate::domain::surrogate::{self, Key};
use crate::domain::token;
use crate::http::coding::Coding;
use crate::read_cache::{Entry, ReadCache};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use std::sync::Arc;

/// For answers that depend on who asks, or that no cache may keep.
pub const PRIVATE: HeaderValue = HeaderValue::from_static("private, no-store");

/// Longest list of surrogate keys on one answer, in bytes: what Fastly and
/// Cloudflare take (deploy/varnish raises Varnish's header limit to match).
/// A longer list is sent as `dateline overflow`, which every purge names.
const MAX_KEYS_BYTES: usize = 16 * 1024;

/// The `Cache-Control` of public answers and the header naming their
/// surrogate keys, built once from the settings.
#[derive(Clone)]
pub struct Policy {
    public: HeaderValue,
    keys_header: HeaderName,
    separator: &'static str,
}

impl Policy {
    pub fn from_config(c: &Config) -> Result<Self, String> {
        let cache = &c.caching;
        let value = format!(
            "public, max-age={}, s-maxage={}, stale-while-revalidate={}",
            cache.cache_max_age, cache.cache_s_maxage, cache.cache_stale_while_revalidate
        );
        // Digits and ASCII only: always a valid header value.
        let public = HeaderValue::from_str(&value).unwrap_or(HeaderValue::from_static("public, max-age=60"));
        let name = c.purges.surrogate_key_header.trim();
        let keys_header = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("DATELINE_SURROGATE_KEY_HEADER {name:?} is not a header name"))?;
        // Cloudflare's Cache-Tag is comma-separated; Fastly and xkey split
        // on spaces.
        let separator = if keys_header.as_str() == "cache-tag" { "," } else { " " };
        Ok(Self { public, keys_header, separator })
    }

    /// The header naming what a public answer showed.
    pub fn surrogate_keys(&self, keys: &[Key]) -> Option<(HeaderName, HeaderValue)> {
        let value = surrogate::header_value(keys, self.separator, MAX_KEYS_BYTES);
        HeaderValue::from_str(&value).ok().map(|v| (self.keys_header.clone(), v))
    }

    pub fn is_public(value: Option<&HeaderValue>) -> bool {
        value.and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("public"))
    }

    pub fn public(&self) -> HeaderValue {
        self.public.clone()
    }

    /// `public` or `PRIVATE`.
    pub fn for_answer(&self, public: bool) -> HeaderValue {
        if public { self.public() } else { PRIVATE }
    }
}

/// A strong tag over the bytes; `version`, when given, leads it (`"3-…"`),
/// so the ETag of a GET can be sent back as `If-Match` on a write.
pub fn etag_of(body: &[u8], version: Option<i32>) -> String {
    let digest = token::sha256_hex(&[body]);
    let hash = digest.get(..24).unwrap_or(&digest);
    match version {
        Some(v) => format!("\"{v}-{hash}\""),
        None => format!("\"{hash}\""),
    }
}

/// The opaque part of a tag.
fn weakly(tag: &str) -> &str {
    let t = tag.trim();
    t.strip_prefix("W/").unwrap_or(t)
}

/// Whether an `If-None-Match` value names `etag`.
pub fn none_match(held: &str, etag: &str) -> bool {
    held.split(',').any(|t| t.trim() == "*" || weakly(t) == weakly(etag))
}

/// Whether the request's `If-None-Match` names `etag`: the client has it.
/// The header may come as several lines, which make one list.
pub fn client_has(req: &HttpRequest, etag: &str) -> bool {
    req.headers().get_all(header::IF_NONE_MATCH).filter_map(|v| v.to_str().ok()).any(|v| none_match(v, etag))
}

/// Whether an answer last modified at `last_modified` (an HTTP date) is no
/// newer than the request's `If-Modified-Since`. Only asked without
/// `If-None-Match`, which takes precedence (RFC 9110 13.2.2).
fn unmodified_since(req: &HttpRequest, last_modified: &str) -> bool {
    use actix_web::http::header::HttpDate;
    if req.headers().contains_key(header::IF_NONE_MATCH) {
        return false;
    }
    let since = req.headers().get(header::IF_MODIFIED_SINCE).and_then(|v| v.to_str().ok());
    let (Some(Ok(since)), Ok(modified)) =
        (since.map(str::parse::<HttpDate>), last_modified.parse::<HttpDate>())
    else {
        return false;
    };
    std::time::SystemTime::from(modified) <= std::time::SystemTime::from(since)
}

/// An answer with its headers, or a 304 with its validators when the
/// client holds it already (the same for an answer just made and one kept).
pub fn answer(req: &HttpRequest, headers: &[(HeaderName, HeaderValue)], body: Bytes) -> HttpResponse {
    answer_with(req, headers, || (body, None))
}

/// A kept answer, as [`answer`], in the coding the request takes: made
/// once and kept with it.
pub fn kept_answer(req: &HttpRequest, cache: &ReadCache, key: &[u8], e: &Arc<Entry>) -> HttpResponse {
    answer_with(req, &e.headers, || {
        let coded = Coding::chosen(req).and_then(|c| Some((cache.coded(key, e, c)?, c.header())));
        match coded {
            Some((body, coding)) => (body, Some(coding)),
            None => (e.body.clone(), None),
        }
    })
}

/// `body` gives the bytes and their `Content-Encoding`, asked only when
/// they are sent.
fn answer_with(
    req: &HttpRequest,
    headers: &[(HeaderName, HeaderValue)],
    body: impl FnOnce() -> (Bytes, Option<HeaderValue>),
) -> HttpResponse {
    let value =
        |name: &HeaderName| headers.iter().find(|(n, _)| n == name).and_then(|(_, v)| v.to_str().ok());
    let held = value(&header::ETAG).is_some_and(|etag| client_has(req, etag))
        || value(&header::LAST_MODIFIED).is_some_and(|at| unmodified_since(req, at));
    if held {
        let mut resp = HttpResponse::NotModified();
        // Everything but the body's own metadata: the validators and
        // Cache-Control a 304 must repeat (RFC 9110 15.4.5), and the
        // surrogate keys a cache refreshes its copy's with.
        for (n, v) in headers.iter().filter(|(n, _)| n != header::CONTENT_TYPE) {
            resp.append_header((n.clone(), v.clone()));
        }
        return resp.finish();
    }
    let (body, coding) = body();
    let mut resp = HttpResponse::Ok();
    for (n, v) in headers {
        resp.append_header((n.clone(), v.clone()));
    }
    if let Some(coding) = coding {
        // Compress leaves an answer with a coding as it is.
        resp.insert_header((header::CONTENT_ENCODING, coding));
    }
    resp.body(body)
}

/// Outside compression: an answer sent compressed is another
/// representation of the same resource, so its ETag is weak there (a
/// strong tag names one exact byte sequence, RFC 9110 8.8.1), and every
/// answer a cache may keep says it varies by `Accept-Encoding`, the ones
/// sent as they were too, so a cache never hands one coding to a client
/// that asked for another.
pub async fn codings(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    let mut resp = next.call(req).await?;
    let headers = resp.headers_mut();
    let Some(etag) = headers.get(header::ETAG) else { return Ok(resp) };
    if headers.contains_key(header::CONTENT_ENCODING) && !etag.as_bytes().starts_with(b"W/") {
        let weak = HeaderValue::from_bytes(&[b"W/", etag.as_bytes()].concat());
        if let Ok(weak) = weak {
            headers.insert(header::ETAG, weak);
        }
    }
    let varies = headers
        .get_all(header::VARY)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|v| v.trim().eq_ignore_ascii_case("accept-encoding"));
    if !varies {
        headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_compare_weakly_and_lists_and_stars_match() {
        let tag = etag_of(b"{}", None);
        assert!(none_match(&tag, &tag));
        assert!(none_match(&format!("W/{tag}"), &tag));
        assert!(none_match(&format!("\"other\", {tag}"), &tag));
        assert!(none_match("*", &tag));
        assert!(!none_match("\"other\"", &tag));
        assert_eq!(etag_of(b"{}", Some(3)).get(..3), Some("\"3-"));
    }
}
