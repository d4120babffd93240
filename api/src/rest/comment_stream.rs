//! `GET /v1/articles/{idOrSlug}/comments/stream`: live comments as
//! Server-Sent Events for REST clients. Each event's id is its number in
//! the comment event log, so a client that reconnects with `Last-Event-ID`
//! gets what it missed, then the live stream, with nothing twice.

use super::Caller;
use super::comment_views::Context;
use super::responses::{NotFound, PublicQuery};
use crate::domain::articles::ArticleKey;
use crate::domain::comments::live::{self, Delivery, LiveEvent, Watcher};
use crate::domain::comments::threads;
use crate::domain::comments::visibility::Viewer;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, get, web};
use std::sync::Arc;
use tokio::sync::broadcast::error::RecvError;

/// One Server-Sent Event of a comment stream, as its fields arrive.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct StreamEvent {
    /// `ready` first (its `data` names the story), then `comment.added`,
    /// `comment.updated` or `comment.removed`.
    #[schema(pattern = "^(ready|comment\\.(added|updated|removed))$")]
    event: String,
    /// JSON: `{"articleId": …}` for `ready`, else the comment.
    data: String,
    /// The position to send back as `Last-Event-ID`; not on `ready`.
    id: Option<String>,
    /// How long to wait before reconnecting, in milliseconds; on `ready`.
    retry: Option<i64>,
}

async fn frame(state: &AppState, viewer: Viewer, ev: &LiveEvent, d: &Delivery) -> Option<Bytes> {
    let name = match d {
        Delivery::Added(_) => "comment.added",
        Delivery::Updated(_) => "comment.updated",
        Delivery::Removed(_) => "comment.removed",
    };
    let c = d.comment();
    // A removed comment is redacted to no author, so its byline stays empty.
    let view = match Context::for_event(&state.db, viewer, c, ev.author.as_ref()).await {
        Ok(cx) => cx.view(c),
        Err(e) => {
            tracing::warn!(error = %e, "a live comment could not be shown");
            return None;
        }
    };
    let data = serde_json::to_string(&view).ok()?;
    Some(Bytes::from(format!("id: {}\nevent: {name}\ndata: {data}\n\n", ev.seq)))
}

/// Live comments of a story (`comment.added`, `comment.updated`, `comment.removed`).
#[utoipa::path(
    tag = "comments",
    params(
        ("idOrSlug" = String, Path, pattern = "@id-or-slug", description = "Article UUID or slug"),
        ("Last-Event-ID" = Option<i64>, Header, description = "The id of the last event received, to resume after it"),
    ),
    responses(
        (status = 200, description = "A stream of Server-Sent Events; each `data` is a comment as `GET /v1/comments/{id}` shows it", content_type = "text/event-stream", body = StreamEvent),
        PublicQuery,
        NotFound,
    )
)]
#[get("/articles/{idOrSlug}/comments/stream")]
pub async fn comment_stream(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let now = state.clock.now();
    let key = ArticleKey::parse(&path.into_inner()).ok_or(AppError::NotFound("article"))?;
    let c = &state.community;
    let article =
        threads::readable(&state.db, &key, &c.comments, now).await?.ok_or(AppError::NotFound("article"))?;
    let last: Option<i64> = match req.headers().get("last-event-id") {
        None => None,
        Some(v) => Some(
            v.to_str()
                .ok()
                .and_then(|s| s.trim().parse().ok())
                .filter(|n: &i64| *n >= 0)
                .ok_or_else(|| AppError::field("Last-Event-ID", "must be the id of an event"))?,
        ),
    };
    let slot = c.stream_slots.take(&caller.0)?;
    let viewer = Viewer::of(&caller.0);
    let watcher = Watcher { viewer, article_id: article.id };
    // Subscribe before reading the missed events, so none falls between.
    let mut sub = c.live.subscribe(&state.db).await?;
    let missed = match last {
        Some(n) => live::replay(&state.db, article.id, n).await?,
        None => Vec::new(),
    };
    let state: Arc<AppState> = state.into_inner();
    let every = std::time::Duration::from_secs(state.config.live.live_keepalive_secs);
    let body = async_stream::stream! {
        let _slot = slot;
        // A first event says the stream is live, so a client (or a checker
        // that reads a set number of events) need not wait for a comment.
        yield Ok::<_, actix_web::Error>(Bytes::from(format!("retry: 3000\nevent: ready\ndata: {{\"articleId\":\"{}\"}}\n\n", watcher.article_id)));
        // Without Last-Event-ID, the stream starts at the present.
        let mut floor = last.unwrap_or(sub.from());
        for ev in &missed {
            if let Some(d) = watcher.offer(ev) && let Some(f) = frame(&state, viewer, ev, &d).await {
                yield Ok(f);
            }
            floor = floor.max(ev.seq);
        }
        let mut keepalive = tokio::time::interval(every);
        keepalive.tick().await;
        loop {
            tokio::select! {
                got = sub.recv() => match got {
                    Ok(ev) if ev.seq > floor => {
                        floor = ev.seq;
                        if let Some(d) = watcher.offer(&ev) && let Some(f) = frame(&state, viewer, &ev, &d).await {
                            yield Ok(f);
                        }
                    }
                    Ok(_) => {}
                    // Fell behind: end the stream; the client resumes with Last-Event-ID.
                    Err(RecvError::Lagged(_) | RecvError::Closed) => break,
                },
                _ = keepalive.tick() => yield Ok(Bytes::from_static(b": keep-alive\n\n")),
                // Ends the response cleanly; the client reconnects elsewhere
                // with Last-Event-ID.
                () = state.shutdown.cancelled() => break,
            }
        }
    };
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(("cache-control", "no-cache"))
        // Compressing would hold events back in the encoder.
        .insert_header(("content-encoding", "identity"))
        .insert_header(("x-accel-buffering", "no"))
        .streaming(body))
}
