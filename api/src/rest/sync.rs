//! `GET /v1/sync`: the change feed over REST, a thin adapter over
//! `domain::sync::feed`.

use super::names::{FeedEntity, FeedEventName};
use super::responses::PreviewRead;
use super::views::{ArticleView, AuthorView, SectionView, TagView};
use super::{Caller, parse_opt};
use crate::domain::articles::Audience;
use crate::domain::articles::relations::ArticleRelations;
use crate::domain::pagination::FEED;
use crate::domain::sync::feed::{self, Document, Pending};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SyncParams {
    /// `nextCursor` of the previous page; absent for an initial sync.
    #[param(pattern = "@cursor-feed")]
    cursor: Option<String>,
    /// Entries per page (default 100).
    #[param(value_type = Option<i32>, minimum = 1, maximum = 1000)]
    limit: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SyncItem {
    /// Resumes the feed after this entry.
    pub cursor: String,
    pub entity: FeedEntity,
    pub event: FeedEventName,
    pub id: Uuid,
    pub external_id: Option<String>,
    pub at: DateTime<Utc>,
    /// The story as `GET /v1/articles/{id}` shows it now; absent on tombstones.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub article: Option<ArticleView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub section: Option<SectionView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<TagView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<AuthorView>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SyncPage {
    pub items: Vec<SyncItem>,
    /// Where to resume: after this page, or (when nothing more is there yet)
    /// later, for the changes still to come.
    pub next_cursor: String,
    /// Whether more entries follow right away.
    pub has_more: bool,
}

/// Every change since a cursor, in commit order: stories published,
/// updated, corrected, unpublished and deleted, and sections, tags and
/// authors created or changed. Needs `sync:read`; with `content:read-drafts`
/// drafts are included.
#[utoipa::path(
    tag = "sync",
    params(SyncParams),
    responses((status = 200, description = "A page of changes", body = SyncPage), PreviewRead),
    security(("bearer" = []))
)]
#[get("/sync")]
pub async fn sync(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<SyncParams>,
) -> AppResult<HttpResponse> {
    let p = params.into_inner();
    let limit = FEED.check_wide(parse_opt(p.limit, "limit")?, "limit")?;
    let now = state.clock.now();
    let folded = feed::folded(&state.db, &caller.0, p.cursor.as_deref(), limit).await?;
    let mut parts: VecDeque<Vec<Pending>> = VecDeque::new();
    let mut entries = folded.entries.into_iter().peekable();
    while entries.peek().is_some() {
        parts.push_back(entries.by_ref().take(PART).collect());
    }
    let tail = serde_json::to_string(&Tail { next_cursor: folded.next_cursor, has_more: folded.has_more })
        .map_err(AppError::internal)?;
    // `],` closes the items; the tail is an object whose `{` gives way.
    let tail = format!("],{}", tail.strip_prefix('{').unwrap_or(&tail));
    // The first part is read before the answer starts, so that a database
    // that fails answers with a clear error; a later failure cuts the
    // answer short, which no JSON reader takes for a whole page.
    let mut out = Part { state, audience: folded.audience, now, first: true };
    let mut head = b"{\"items\":[".to_vec();
    if let Some(part) = parts.pop_front() {
        out.write(part, &mut head).await?;
    }
    let rest =
        futures_util::stream::unfold((out, parts, Some(tail)), |(mut out, mut parts, tail)| async move {
            if let Some(part) = parts.pop_front() {
                let mut buf = Vec::new();
                let sent = out.write(part, &mut buf).await.map(|()| web::Bytes::from(buf));
                return Some((sent, (out, parts, tail)));
            }
            let tail = tail?;
            Some((Ok(web::Bytes::from(tail)), (out, parts, None)))
        });
    let body =
        futures_util::stream::once(async move { Ok::<_, AppError>(web::Bytes::from(head)) }).chain(rest);
    Ok(HttpResponse::Ok()
        .insert_header(("cache-control", "private, no-store"))
        .content_type("application/json")
        .streaming(body))
}

/// Entries read and written at a time: a page of a thousand whole stories
/// read and serialized at once held tens of megabytes.
const PART: usize = 100;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Tail {
    next_cursor: String,
    has_more: bool,
}

/// Writes the items of a page, a part at a time.
struct Part {
    state: web::Data<AppState>,
    audience: Audience,
    now: DateTime<Utc>,
    first: bool,
}

impl Part {
    async fn write(&mut self, part: Vec<Pending>, buf: &mut Vec<u8>) -> AppResult<()> {
        let state = &self.state;
        let entries = feed::documents(&state.db, self.audience, self.now, part).await?;
        let stories: Vec<_> = entries
            .iter()
            .filter_map(|e| match &e.document {
                Some(Document::Article(d)) => Some(d.0.clone()),
                _ => None,
            })
            .collect();
        let rel = ArticleRelations::load(&state.db, &state.catalog, &stories).await?;
        let site = crate::rest::views::Site::of(state);
        for e in &entries {
            let mut item = SyncItem {
                cursor: e.cursor(),
                entity: e.entity.into(),
                event: e.event.into(),
                id: e.id,
                external_id: e.external_id.clone(),
                at: e.at,
                article: None,
                section: None,
                tag: None,
                author: None,
            };
            match &e.document {
                Some(Document::Article(d)) => {
                    item.article = Some(ArticleView::new(&d.0, &rel, self.now, &site, Some(&d.1)))
                }
                Some(Document::Section(s)) => item.section = Some(s.into()),
                Some(Document::Tag(t)) => item.tag = Some(t.into()),
                Some(Document::Author(a)) => item.author = Some(AuthorView::bare(a)),
                None => {}
            }
            if !std::mem::take(&mut self.first) {
                buf.push(b',');
            }
            serde_json::to_writer(&mut *buf, &item).map_err(AppError::internal)?;
        }
        Ok(())
    }
}
