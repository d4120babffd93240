//! `GET /v1/sync`: the change feed over REST, a thin adapter over
//! `domain::sync::feed`.

use super::names::{FeedEntity, FeedEventName};
use super::responses::PreviewRead;
use super::views::{ArticleView, AuthorView, SectionView, TagView};
use super::{Caller, parse_opt};
use crate::domain::articles::relations::ArticleRelations;
use crate::domain::pagination::FEED;
use crate::domain::sync::feed::{self, Document};
use crate::error::AppResult;
use crate::state::AppState;
use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
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
    let page = feed::page(&state.db, &caller.0, p.cursor.as_deref(), limit, now).await?;
    let stories: Vec<_> = page
        .entries
        .iter()
        .filter_map(|e| match &e.document {
            Some(Document::Article(d)) => Some(d.0.clone()),
            _ => None,
        })
        .collect();
    let rel = ArticleRelations::load(&state.db, &state.catalog, &stories).await?;
    let site = crate::rest::views::Site::of(&state);
    let items = page
        .entries
        .iter()
        .map(|e| {
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
                    item.article = Some(ArticleView::new(&d.0, &rel, now, &site, Some(&d.1)))
                }
                Some(Document::Section(s)) => item.section = Some(s.into()),
                Some(Document::Tag(t)) => item.tag = Some(t.into()),
                Some(Document::Author(a)) => item.author = Some(AuthorView::bare(a)),
                None => {}
            }
            item
        })
        .collect();
    Ok(HttpResponse::Ok().insert_header(("cache-control", "private, no-store")).json(SyncPage {
        items,
        next_cursor: page.next_cursor,
        has_more: page.has_more,
    }))
}
