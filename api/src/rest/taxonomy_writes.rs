//! Writes for sections, tags, authors and media. All need `content:write`.

use super::article_input::{nullable_field as nullable, nullable_whole_number, object};
use super::headers::IdempotencyKey;
use super::required::create_body;
use super::responses::{BodyWrite, Conflict, NotFound, Refused};
use super::views::{AuthorView, MediaView, SectionView, TagView};
use super::write_support::{JsonBody, parse_body, run, to_json};
use super::{Writer, parse_uuid};
use crate::domain::accounts::Actor;
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
    /// Lowercase letters, digits and single hyphens.
    #[schema(pattern = "@slug", max_length = 120)]
    pub slug: Option<String>,
    #[schema(pattern = "@name", max_length = 200)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, pattern = "@text", max_length = 5000)]
    pub description: Option<Option<String>>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TagWrite {
    /// Lowercase letters, digits and single hyphens.
    #[schema(pattern = "@slug", max_length = 120)]
    pub slug: Option<String>,
    #[schema(pattern = "@name", max_length = 200)]
    pub name: Option<String>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuthorWrite {
    /// Lowercase letters, digits and single hyphens.
    #[schema(pattern = "@slug", max_length = 120)]
    pub slug: Option<String>,
    #[schema(pattern = "@name", max_length = 200)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, pattern = "@text", max_length = 5000)]
    pub bio: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub avatar_id: Option<Option<Uuid>>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreditWrite {
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, pattern = "@line", max_length = 200)]
    pub photographer: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, pattern = "@line", max_length = 200)]
    pub agency: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, pattern = "@line", max_length = 200)]
    pub rights_holder: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, pattern = "@line", max_length = 200)]
    pub license: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub license_expires_at: Option<Option<DateTime<Utc>>>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MediaWrite {
    /// An http(s) URL.
    #[schema(pattern = "@web-url", max_length = 2000)]
    pub url: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, pattern = "@text", max_length = 2000)]
    pub alt: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, pattern = "@text", max_length = 2000)]
    pub caption: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable_whole_number")]
    #[schema(value_type = Option<i32>, minimum = 1, maximum = 100000)]
    pub width: Option<Option<i32>>,
    #[serde(default, deserialize_with = "nullable_whole_number")]
    #[schema(value_type = Option<i32>, minimum = 1, maximum = 100000)]
    pub height: Option<Option<i32>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, pattern = "@line", max_length = 100)]
    pub mime_type: Option<Option<String>>,
    #[serde(default, deserialize_with = "object")]
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

create_body!(
    /// A new section: `slug` and `name` are required.
    SectionCreate = SectionWrite, ["slug", "name"]
);
create_body!(
    /// A new tag: `slug` and `name` are required.
    TagCreate = TagWrite, ["slug", "name"]
);
create_body!(
    /// A new author: `slug` and `name` are required.
    AuthorCreate = AuthorWrite, ["slug", "name"]
);
create_body!(
    /// A new image: `url` is required.
    MediaCreate = MediaWrite, ["url"]
);

fn id_of(path: Option<web::Path<String>>) -> AppResult<Option<Uuid>> {
    path.map(|p| parse_uuid(&p, "id")).transpose()
}

async fn section(
    state: &AppState,
    actor: &Actor,
    req: &HttpRequest,
    id: Option<Uuid>,
    body: &[u8],
) -> AppResult<HttpResponse> {
    let w: SectionWrite = parse_body(body)?;
    let input = TermInput { slug: w.slug, name: w.name, about: w.description, avatar_id: None };
    let now = state.clock.now();
    let answer = run(state, actor, req, body, async |txn| {
        let s = write::save_section(txn, actor, id, input.clone(), now).await?;
        Ok((if id.is_some() { 200 } else { 201 }, to_json(&SectionView::from(&s))?))
    })
    .await?;
    state.catalog.written(&state.db).await;
    Ok(answer)
}

async fn tag(
    state: &AppState,
    actor: &Actor,
    req: &HttpRequest,
    id: Option<Uuid>,
    body: &[u8],
) -> AppResult<HttpResponse> {
    let w: TagWrite = parse_body(body)?;
    let input = TermInput { slug: w.slug, name: w.name, ..Default::default() };
    let now = state.clock.now();
    let answer = run(state, actor, req, body, async |txn| {
        let t = write::save_tag(txn, actor, id, input.clone(), now).await?;
        Ok((if id.is_some() { 200 } else { 201 }, to_json(&TagView::from(&t))?))
    })
    .await?;
    state.catalog.written(&state.db).await;
    Ok(answer)
}

async fn author(
    state: &AppState,
    actor: &Actor,
    req: &HttpRequest,
    id: Option<Uuid>,
    body: &[u8],
) -> AppResult<HttpResponse> {
    let w: AuthorWrite = parse_body(body)?;
    let input = TermInput { slug: w.slug, name: w.name, about: w.bio, avatar_id: w.avatar_id };
    let now = state.clock.now();
    let answer = run(state, actor, req, body, async |txn| {
        let a = write::save_author(txn, actor, id, input.clone(), now).await?;
        Ok((if id.is_some() { 200 } else { 201 }, to_json(&AuthorView::bare(&a))?))
    })
    .await?;
    state.catalog.written(&state.db).await;
    Ok(answer)
}

async fn media_write(
    state: &AppState,
    actor: &Actor,
    req: &HttpRequest,
    id: Option<Uuid>,
    body: &[u8],
) -> AppResult<HttpResponse> {
    let w: MediaWrite = parse_body(body)?;
    let input: MediaInput = w.into();
    let now = state.clock.now();
    let cdn = state.config.site.image_cdn_template.as_deref();
    run(state, actor, req, body, async |txn| {
        let m = media::save(txn, actor, id, input.clone(), now).await?;
        Ok((if id.is_some() { 200 } else { 201 }, to_json(&MediaView::new(&m, cdn))?))
    })
    .await
}

/// Create a section.
#[utoipa::path(
    tag = "taxonomy",
    request_body = SectionCreate,
    params(IdempotencyKey),
    responses((status = 201, description = "The new section", body = SectionView), BodyWrite, Conflict, Refused),
    security(("bearer" = []))
)]
#[post("/sections")]
pub async fn create_section(
    state: web::Data<AppState>,
    writer: Writer,
    req: HttpRequest,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    section(&state, &writer.0, &req, None, &body).await
}

/// Change a section's fields.
#[utoipa::path(
    tag = "taxonomy",
    request_body(content = Option<SectionWrite>, description = "The fields to change; an empty body changes nothing"),
    params(("id" = Uuid, Path, description = "The section's UUID")),
    responses((status = 200, description = "The section as changed", body = SectionView), BodyWrite, NotFound, Conflict, Refused),
    security(("bearer" = []))
)]
#[patch("/sections/{id}")]
pub async fn update_section(
    state: web::Data<AppState>,
    writer: Writer,
    req: HttpRequest,
    path: web::Path<String>,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    section(&state, &writer.0, &req, id_of(Some(path))?, &body).await
}

/// Create a tag.
#[utoipa::path(
    tag = "taxonomy",
    request_body = TagCreate,
    params(IdempotencyKey),
    responses((status = 201, description = "The new tag", body = TagView), BodyWrite, Conflict, Refused),
    security(("bearer" = []))
)]
#[post("/tags")]
pub async fn create_tag(
    state: web::Data<AppState>,
    writer: Writer,
    req: HttpRequest,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    tag(&state, &writer.0, &req, None, &body).await
}

/// Change a tag's fields.
#[utoipa::path(
    tag = "taxonomy",
    request_body(content = Option<TagWrite>, description = "The fields to change; an empty body changes nothing"),
    params(("id" = Uuid, Path, description = "The tag's UUID")),
    responses((status = 200, description = "The tag as changed", body = TagView), BodyWrite, NotFound, Conflict, Refused),
    security(("bearer" = []))
)]
#[patch("/tags/{id}")]
pub async fn update_tag(
    state: web::Data<AppState>,
    writer: Writer,
    req: HttpRequest,
    path: web::Path<String>,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    tag(&state, &writer.0, &req, id_of(Some(path))?, &body).await
}

/// Create an author.
#[utoipa::path(
    tag = "taxonomy",
    request_body = AuthorCreate,
    params(IdempotencyKey),
    responses((status = 201, description = "The new author", body = AuthorView), BodyWrite, Conflict, Refused),
    security(("bearer" = []))
)]
#[post("/authors")]
pub async fn create_author(
    state: web::Data<AppState>,
    writer: Writer,
    req: HttpRequest,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    author(&state, &writer.0, &req, None, &body).await
}

/// Change an author's fields.
#[utoipa::path(
    tag = "taxonomy",
    request_body(content = Option<AuthorWrite>, description = "The fields to change; an empty body changes nothing"),
    params(("id" = Uuid, Path, description = "The author's UUID")),
    responses((status = 200, description = "The author as changed", body = AuthorView), BodyWrite, NotFound, Conflict, Refused),
    security(("bearer" = []))
)]
#[patch("/authors/{id}")]
pub async fn update_author(
    state: web::Data<AppState>,
    writer: Writer,
    req: HttpRequest,
    path: web::Path<String>,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    author(&state, &writer.0, &req, id_of(Some(path))?, &body).await
}

/// Register an image with its caption and structured credit.
#[utoipa::path(
    tag = "media",
    request_body = MediaCreate,
    params(IdempotencyKey),
    responses((status = 201, description = "The new image", body = MediaView), BodyWrite, Conflict),
    security(("bearer" = []))
)]
#[post("/media")]
pub async fn create_media(
    state: web::Data<AppState>,
    writer: Writer,
    req: HttpRequest,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    media_write(&state, &writer.0, &req, None, &body).await
}

/// Change an image's fields.
#[utoipa::path(
    tag = "media",
    request_body(content = Option<MediaWrite>, description = "The fields to change; an empty body changes nothing"),
    params(("id" = Uuid, Path, description = "The image's UUID")),
    responses((status = 200, description = "The image as changed", body = MediaView), BodyWrite, NotFound, Conflict),
    security(("bearer" = []))
)]
#[patch("/media/{id}")]
pub async fn update_media(
    state: web::Data<AppState>,
    writer: Writer,
    req: HttpRequest,
    path: web::Path<String>,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    media_write(&state, &writer.0, &req, id_of(Some(path))?, &body).await
}
