//! Public GET answers: what a handler showed is noted while it runs
//! (`domain::freshness`) and listed as surrogate keys, for a cache in
//! front to purge; and a GET without credentials of a public read
//! (stories, their related lists and threads, comments, terms) is answered
//! from the read cache when an answer is kept, and a 200 is kept with its
//! headers (ETag, Cache-Control, keys), so that a write replaces it.

use crate::domain::freshness;
use crate::http::caching::Policy;
use crate::read_cache::{Found, Read};
use crate::state::AppState;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::CACHE_CONTROL;
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web;

/// Whether `path` is a public read whose handler notes every thread it
/// shows. Live streams, the caller's own pages and integrator reads are
/// not.
fn kept_route(path: &str) -> bool {
    let Some(rest) = path.strip_prefix("/v1/") else { return false };
    let parts: Vec<&str> = rest.split('/').collect();
    matches!(
        parts.as_slice(),
        ["articles" | "sections" | "tags" | "authors"]
            | ["articles" | "comments", _]
            | ["articles", _, "related" | "comments"]
            | ["comments", _, "replies"]
    ) && parts.iter().all(|p| !p.is_empty())
}

/// Every GET is watched for what it shows: a public answer (REST, feeds,
/// sitemaps) lists the surrogate keys of what it showed. A public read
/// without credentials is answered from memory when kept, and kept when
/// not. GraphQL names its own keys (the keys it shows are gathered inside
/// its handler).
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let Some(state) = state.filter(|_| req.method() == Method::GET) else {
        return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
    };
    let cache = state.read_cache.clone().filter(|_| {
        kept_route(req.path()) && crate::auth::actor_of(req.request()).is_ok_and(|a| a.is_anonymous())
    });
    let key = [b"R".as_slice(), req.path().as_bytes(), b"?", req.query_string().as_bytes()].concat();
    let mut flight = None;
    if let Some(cache) = &cache {
        match cache.find(&key, &state.clock).await {
            Found::Kept(e) => {
                let resp = crate::http::caching::kept_answer(req.request(), cache, &key, &e);
                return Ok(req.into_response(resp));
            }
            Found::Missing(f) => flight = f,
        }
    }
    let since = cache.as_ref().map_or(0, |c| c.snapshot());
    let at = state.clock.now();
    let (res, shown) = freshness::watching(next.call(req)).await;
    let mut res = res?;
    let status = res.status();
    if matches!(status, StatusCode::OK | StatusCode::NOT_MODIFIED)
        && Policy::is_public(res.headers().get(CACHE_CONTROL))
        && let Some((name, value)) = state.caching.surrogate_keys(&shown.keys)
        && !res.headers().contains_key(&name)
    {
        res.headers_mut().insert(name, value);
    }
    let Some(cache) = cache.filter(|_| status == StatusCode::OK) else {
        return Ok(res.map_into_boxed_body());
    };
    let (http, resp) = res.into_parts();
    let (head, body) = resp.into_parts();
    let body = match actix_web::body::to_bytes(body).await {
        Ok(b) => b,
        Err(_) => return Err(actix_web::error::ErrorInternalServerError("the answer could not be read")),
    };
    let headers: Vec<_> = head.headers().iter().map(|(n, v)| (n.clone(), v.clone())).collect();
    if let Err(e) = cache
        .keep(
            &state.db,
            key.into_boxed_slice(),
            Read { since, at, shown },
            headers,
            body.clone(),
            state.clock.now(),
        )
        .await
    {
        tracing::warn!(error = %e, "a REST answer could not be kept");
    }
    drop(flight);
    Ok(ServiceResponse::new(http, head.set_body(body).map_into_boxed_body()))
}

#[cfg(test)]
mod tests {
    use super::kept_route;

    #[test]
    fn only_public_reads_are_kept() {
        for p in [
            "/v1/articles",
            "/v1/articles/a-slug",
            "/v1/articles/a-slug/related",
            "/v1/articles/a-slug/comments",
            "/v1/comments/0190",
            "/v1/comments/0190/replies",
            "/v1/sections",
            "/v1/tags",
            "/v1/authors",
        ] {
            assert!(kept_route(p), "{p}");
        }
        for p in [
            "/v1/articles/a-slug/comments/stream",
            "/v1/me",
            "/v1/me/comments",
            "/v1/sync",
            "/v1/export",
            "/v1/moderation/queue",
            "/v1/webhooks",
            "/v1/articles/",
            "/v1/articles//comments",
            "/graphql",
            "/feeds/rss",
        ] {
            assert!(!kept_route(p), "{p}");
        }
    }
}
