//! Conditional GET for REST: strong ETags over the exact JSON bytes, so a
//! mobile client on a flaky network revalidates with a 304 and no body.

use crate::error::AppError;
use crate::http::caching::{self, PRIVATE};
use crate::state::AppState;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// `version`, when given, leads the tag (`"3-…"`), so the ETag of a GET can
/// be sent back as `If-Match` on a write.
pub fn json_with_etag<T: Serialize>(
    req: &HttpRequest,
    value: &T,
    public: bool,
    version: Option<i32>,
) -> HttpResponse {
    Conditional::new(public).version(version).json(req, value)
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
    Conditional::new(public).version(version).bytes(req, body, content_type)
}

/// How an answer is validated and who may keep it.
pub struct Conditional {
    public: bool,
    version: Option<i32>,
    modified: Option<DateTime<Utc>>,
}

impl Conditional {
    pub fn new(public: bool) -> Self {
        Self { public, version: None, modified: None }
    }

    pub fn version(mut self, version: Option<i32>) -> Self {
        self.version = version;
        self
    }

    /// When the resource last changed, sent as `Last-Modified`.
    pub fn modified(mut self, at: DateTime<Utc>) -> Self {
        self.modified = Some(at);
        self
    }

    pub fn json<T: Serialize>(self, req: &HttpRequest, value: &T) -> HttpResponse {
        match serde_json::to_vec(value) {
            Ok(body) => self.bytes(req, body, "application/json"),
            Err(e) => actix_web::ResponseError::error_response(&AppError::internal(e)),
        }
    }

    pub fn bytes(self, req: &HttpRequest, body: Vec<u8>, content_type: &str) -> HttpResponse {
        // An answer to a request with credentials is never shared, even
        // when it shows only public content: a shared cache may not hand
        // it to others unless told so, and must not be.
        let anonymous = crate::auth::actor_of(req).is_ok_and(|a| a.is_anonymous());
        let cache = match req.app_data::<web::Data<AppState>>() {
            Some(state) => state.caching.for_answer(self.public && anonymous),
            None => PRIVATE,
        };
        let mut headers = vec![
            (header::ETAG, HeaderValue::from_str(&caching::etag_of(&body, self.version))),
            (header::CACHE_CONTROL, Ok(cache)),
            (header::CONTENT_TYPE, HeaderValue::from_str(content_type)),
        ];
        if let Some(at) = self.modified {
            let http_date = at.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
            headers.push((header::LAST_MODIFIED, HeaderValue::from_str(&http_date)));
        }
        let headers: Vec<_> = headers.into_iter().filter_map(|(n, v)| v.ok().map(|v| (n, v))).collect();
        caching::answer(req, &headers, body.into())
    }
}
