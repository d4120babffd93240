//! GraphQL answers from the read cache. Only a request without credentials
//! is looked up or kept, and only a query whose every root field reads
//! public content, answered without errors; everything it showed is noted
//! while it runs (`domain::freshness`), so a write replaces it.

use super::media::Media;
use crate::domain::freshness::Shown;
use crate::read_cache::{Flight, Found, Read, ReadCache};
use crate::state::AppState;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use async_graphql::parser::types::{OperationType, Selection};
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// Root fields whose answers depend on public content alone (for a caller
/// without credentials) and note every thread they show.
const PUBLIC_ROOTS: &[&str] = &[
    "article",
    "articles",
    "node",
    "sections",
    "section",
    "tags",
    "tag",
    "authors",
    "author",
    "comment",
    "__typename",
];

type Headers = Vec<(HeaderName, HeaderValue)>;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

/// Where a request's answer is kept, when it may be.
pub struct Kept {
    cache: Arc<ReadCache>,
    key: Box<[u8]>,
    /// Taken before anything is read (the engine's own "now" comes later).
    at: DateTime<Utc>,
    /// Held while this request reads for others waiting on the same one.
    _flight: Option<Flight>,
}

impl Kept {
    /// `request`: the query string (GET) or the body (POST), whole; the
    /// media type is part of the key, as it changes the answer.
    pub fn of(
        state: &AppState,
        http: &HttpRequest,
        media: Media,
        method: Method,
        request: &[u8],
    ) -> Option<Self> {
        let cache = state.read_cache.as_ref()?;
        if !crate::auth::actor_of(http).is_ok_and(|a| a.is_anonymous()) {
            return None;
        }
        let mut key = Vec::with_capacity(request.len() + 2);
        key.push(match method {
            Method::Get => b'G',
            Method::Post => b'P',
        });
        key.push(match media {
            Media::GraphqlResponseJson => b'g',
            Media::Json => b'j',
        });
        key.extend_from_slice(request);
        let at = state.clock.now();
        Some(Self { cache: cache.clone(), key: key.into_boxed_slice(), at, _flight: None })
    }

    pub fn snapshot(&self) -> u64 {
        self.cache.snapshot()
    }

    /// The kept answer (a 304 when the client holds it), or None when this
    /// request is to be read.
    pub async fn answer(&mut self, state: &AppState, http: &HttpRequest) -> Option<HttpResponse> {
        match self.cache.find(&self.key, &state.clock).await {
            Found::Kept(e) => Some(crate::http::caching::kept_answer(http, &self.cache, &self.key, &e)),
            Found::Missing(flight) => {
                self._flight = flight;
                None
            }
        }
    }

    /// Keeps the answer read after `since` that showed `shown`, with the
    /// headers it was sent with.
    pub async fn keep(self, state: &AppState, since: u64, shown: Shown, headers: Headers, body: Bytes) {
        let now = state.clock.now();
        let read = Read { since, at: self.at, shown };
        let kept = self.cache.keep(&state.db, self.key, read, headers, body, now).await;
        if let Err(e) = kept {
            // The answer itself was sent; only keeping it failed.
            tracing::warn!(error = %e, "a GraphQL answer could not be kept");
        }
    }
}

/// Whether the operation that runs is a query whose root fields all read
/// public content.
pub fn public_query(req: &mut async_graphql::Request) -> bool {
    let wanted = req.operation_name.clone();
    let Ok(doc) = req.parsed_query() else { return false };
    let Some((_, op)) = super::chosen(doc, wanted.as_deref()) else { return false };
    op.node.ty == OperationType::Query
        && op.node.selection_set.node.items.iter().all(|s| match &s.node {
            Selection::Field(f) => {
                f.node.directives.is_empty() && PUBLIC_ROOTS.contains(&f.node.name.node.as_str())
            }
            _ => false,
        })
}
