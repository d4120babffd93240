//! Writes for sections, tags, authors and media. All need `content:write`.

use super::article_input::nullable_field as nullable;
use super::problem::Problem;
use super::views::{AuthorView, MediaView, SectionView, TagView};
use super::write_support::{JsonBody, parse_body, run, to_json};
use super::{Caller, parse_uuid};
use crate::domain::media::{self, MediaInput};
use crate::domain::taxonomy::write::{self, TermInput};
use crate::error::AppResult;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, patch, post, web};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SectionWrite {
    pub slug: Option<String>,
    pub name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TagWrite {
    pub slug: Option<String>,
    pub name: Option<String>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuthorWrite {
    pub slug: Option<String>,
    pub name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub bio: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub avatar_id: Option<Option<Uuid>>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreditWrite {
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub photographer: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub agency: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub rights_holder: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub license: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub license_expires_at: Option<Option<DateTime<Utc>>>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MediaWrite {
    pub url: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub alt: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub caption: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i32>)]
    pub width: Option<Option<i32>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i32>)]
    pub height: Option<Option<i32>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub mime_type: Option<Option<String>>,
    pub credit: Option<CreditWrite>,
}

impl From<MediaWrite> for MediaInput {
    fn from(m: MediaWrite) -> Self {
        let c = m.credit.unwrap_or_default();
        MediaInput {
            url: m.url,
            alt: m.alt,
            caption: m.caption,
            width: m.width,
            height: m.height,
            mime_type: m.mime_type,
            photographer: c.photographer,
            agency: c.agency,
            rights_holder: c.rights_holder,
            license: c.license,
            license_expires_at: c.license_expires_at,
        }
    }
}

fn id_of(path: Option<web::Path<String>>) -> AppResult<Option<Uuid>> {
    path.map(|p| parse_uuid(&p, "id")).transpose()
}

async fn section(
    state: &AppState,
    caller: &Caller,
    req: &HttpRequest,
    id: Option<Uuid>,
    body: &[u8],
) -> AppResult<HttpResponse> {
    let w: SectionWrite = parse_body(body)?;
    let input = TermInput { slug: w.slug, name: w.name, about: w.description, avatar_id: None };
    let now = state.clock.now();
    run(state, &caller.0, req, body, async |txn| {
        let s = write::save_section(txn, &caller.0, id, input.clone(), now).await?;
        Ok((if id.is_some() { 200 } else { 201 }, to_json(&SectionView::from(&s))?))
    })
    .await
}

async fn tag(
    state: &AppState,
    caller: &Caller,
    req: &HttpRequest,
    id: Option<Uuid>,
    body: &[u8],
) -> AppResult<HttpResponse> {
    let w: TagWrite = parse_body(body)?;
    let input = TermInput { slug: w.slug, name: w.name, ..Default::default() };
    let now = state.clock.now();
    run(state, &caller.0, req, body, async |txn| {
        let t = write::save_tag(txn, &caller.0, id, input.clone(), now).await?;
        Ok((if id.is_some() { 200 } else { 201 }, to_json(&TagView::from(&t))?))
    })
    .await
}

async fn author(
    state: &AppState,
    caller: &Caller,
    req: &HttpRequest,
    id: Option<Uuid>,
    body: &[u8],
) -> AppResult<HttpResponse> {
    let w: AuthorWrite = parse_body(body)?;
    let input = TermInput { slug: w.slug, name: w.name, about: w.bio, avatar_id: w.avatar_id };
    let now = state.clock.now();
    run(state, &caller.0, req, body, async |txn| {
        let a = write::save_author(txn, &caller.0, id, input.clone(), now).await?;
        Ok((if id.is_some() { 200 } else { 201 }, to_json(&AuthorView::bare(&a))?))
    })
    .await
}

async fn media_write(
    state: &AppState,
    caller: &Caller,
    req: &HttpRequest,
    id: Option<Uuid>,
    body: &[u8],
) -> AppResult<HttpResponse> {
    let w: MediaWrite = parse_body(body)?;
    let input: MediaInput = w.into();
    let now = state.clock.now();
    let cdn = state.config.image_cdn_template.as_deref();
    run(state, &caller.0, req, body, async |txn| {
        let m = media::save(txn, &caller.0, id, input.clone(), now).await?;
        Ok((if id.is_some() { 200 } else { 201 }, to_json(&MediaView::new(&m, cdn))?))
    })
    .await
}

/// Create a section.
#[utoipa::path(tag = "taxonomy", request_body = SectionWrite, responses((status = 201, body = SectionView), (status = 400, body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
#[post("/sections")]
pub async fn create_section(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    section(&state, &caller, &req, None, &body).await
}

/// Change a section's fields.
#[utoipa::path(tag = "taxonomy", request_body = SectionWrite, params(("id" = String, Path)), responses((status = 200, body = SectionView)), security(("bearer" = [])))]
#[patch("/sections/{id}")]
pub async fn update_section(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<String>,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    section(&state, &caller, &req, id_of(Some(path))?, &body).await
}

/// Create a tag.
#[utoipa::path(tag = "taxonomy", request_body = TagWrite, responses((status = 201, body = TagView)), security(("bearer" = [])))]
#[post("/tags")]
pub async fn create_tag(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    tag(&state, &caller, &req, None, &body).await
}

/// Change a tag's fields.
#[utoipa::path(tag = "taxonomy", request_body = TagWrite, params(("id" = String, Path)), responses((status = 200, body = TagView)), security(("bearer" = [])))]
#[patch("/tags/{id}")]
pub async fn update_tag(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<String>,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    tag(&state, &caller, &req, id_of(Some(path))?, &body).await
}

/// Create an author.
#[utoipa::path(tag = "taxonomy", request_body = AuthorWrite, responses((status = 201, body = AuthorView)), security(("bearer" = [])))]
#[post("/authors")]
pub async fn create_author(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    author(&state, &caller, &req, None, &body).await
}

/// Change an author's fields.
#[utoipa::path(tag = "taxonomy", request_body = AuthorWrite, params(("id" = String, Path)), responses((status = 200, body = AuthorView)), security(("bearer" = [])))]
#[patch("/authors/{id}")]
pub async fn update_author(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<String>,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    author(&state, &caller, &req, id_of(Some(path))?, &body).await
}

/// Register an image with its caption and structured credit.
#[utoipa::path(tag = "media", request_body = MediaWrite, responses((status = 201, body = MediaView)), security(("bearer" = [])))]
#[post("/media")]
pub async fn create_media(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    media_write(&state, &caller, &req, None, &body).await
}

/// Change an image's fields.
#[utoipa::path(tag = "media", request_body = MediaWrite, params(("id" = String, Path)), responses((status = 200, body = MediaView)), security(("bearer" = [])))]
#[patch("/media/{id}")]
pub async fn update_media(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<String>,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    media_write(&state, &caller, &req, id_of(Some(path))?, &body).await
}
