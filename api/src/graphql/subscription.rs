//! Live comments over GraphQL subscriptions. Each stream holds a slot of
//! its client's and of its connection's allowance while it runs, and shows
//! its viewer only what they may see (a pending comment only to its author).

use super::ids::{self, Kind};
use super::types::comment::Comment;
use super::{request, state};
use crate::domain::articles::ArticleKey;
use crate::domain::comments::live::{Delivery, Watcher};
use crate::domain::comments::threads;
use crate::domain::comments::visibility::Viewer;
use crate::domain::stream_slots::StreamSlots;
use crate::error::AppError;
use async_graphql::{Context, ID, Result, Subscription as SubscriptionObject};
use futures_util::Stream;
use std::sync::Arc;
use tokio::sync::broadcast::error::RecvError;

/// The subscriptions one WebSocket connection may still open.
#[derive(Clone)]
pub struct ConnectionSlots(pub Arc<StreamSlots>);

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Added,
    Updated,
}

#[derive(Default)]
pub struct Subscription;

#[SubscriptionObject]
impl Subscription {
    /// Each comment on the story as it becomes visible to the viewer: new
    /// comments, and comments approved from the moderation queue.
    async fn comment_added(&self, ctx: &Context<'_>, article_id: ID) -> Result<impl Stream<Item = Comment>> {
        watch(ctx, &article_id, Mode::Added).await
    }

    /// Changes to the story's comments: edits, deletions and moderation. A
    /// comment taken out of view comes with its status and no body.
    async fn comment_updated(
        &self,
        ctx: &Context<'_>,
        article_id: ID,
    ) -> Result<impl Stream<Item = Comment>> {
        watch(ctx, &article_id, Mode::Updated).await
    }
}

async fn watch(
    ctx: &Context<'_>,
    article_id: &ID,
    mode: Mode,
) -> Result<impl Stream<Item = Comment> + use<>> {
    let id = ids::decode_as(article_id, Kind::Article, "articleId")?;
    let r = request(ctx);
    let st = state(ctx);
    let c = &st.community;
    threads::readable(&st.db, &ArticleKey::Id(id), &c.comments, r.now)
        .await?
        .ok_or(AppError::NotFound("article"))?;
    let per_connection = match ctx.data_opt::<ConnectionSlots>() {
        Some(s) => Some(s.0.take(&r.actor)?),
        None => None,
    };
    let per_client = c.stream_slots.take(&r.actor)?;
    let watcher = Watcher { viewer: Viewer::of(&r.actor), article_id: id };
    // The stream owns the subscription: it counts as started while it lives.
    let mut sub = c.live.subscribe(&st.db).await?;
    let from = sub.from();
    Ok(async_stream::stream! {
        let _held = (per_client, per_connection);
        loop {
            match sub.recv().await {
                Ok(ev) if ev.seq <= from => {}
                Ok(ev) => match (mode, watcher.offer(&ev)) {
                    (Mode::Added, Some(Delivery::Added(c))) => yield Comment::from(c),
                    (Mode::Updated, Some(Delivery::Updated(c) | Delivery::Removed(c))) => yield Comment::from(c),
                    _ => {}
                },
                Err(RecvError::Lagged(n)) => tracing::info!(skipped = n, "a live comment stream fell behind"),
                Err(RecvError::Closed) => break,
            }
        }
    })
}
