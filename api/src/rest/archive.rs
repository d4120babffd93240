//! `GET /v1/export` and `POST /v1/import`: whole archives as NDJSON, thin
//! adapters over `domain::sync::archive` and `domain::sync::import`. Both
//! stream: an export is written a page of stories at a time, an import is
//! read and committed a batch of lines at a time.

use super::Caller;
use super::responses::{BodyWrite, PreviewRead, Saturated};
use crate::domain::sync::archive;
use crate::domain::sync::import::{Importer, LineReport, Totals};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use actix_web::{HttpResponse, get, post, web};
use futures_util::StreamExt;
use serde::Serialize;
use utoipa::ToSchema;

/// Every story, drafts included, one JSON object per line. Needs
/// `sync:read` and `content:read-drafts`.
#[utoipa::path(
    tag = "sync",
    responses((status = 200, description = "The archive", content_type = "application/x-ndjson", body = String), PreviewRead),
    security(("bearer" = []))
)]
#[get("/export")]
pub async fn export(state: web::Data<AppState>, caller: Caller) -> AppResult<HttpResponse> {
    let lines = archive::export(state.db.clone(), &caller.0)?;
    let body = lines.map(|l| {
        l.map(web::Bytes::from).map_err(|e| {
            tracing::warn!(error = %e, "export stopped");
            actix_web::error::ErrorInternalServerError("export stopped")
        })
    });
    Ok(HttpResponse::Ok()
        .content_type("application/x-ndjson")
        .insert_header(("cache-control", "private, no-store"))
        .streaming(body))
}

/// The import body as OpenAPI describes it (the handler reads a stream):
/// text, never empty.
pub struct ArchiveBody;

impl utoipa::PartialSchema for ArchiveBody {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .min_length(Some(1))
            .description(Some("NDJSON: one archived story per line, as `GET /v1/export` writes them"))
            .into()
    }
}

impl ToSchema for ArchiveBody {}

#[derive(Serialize, ToSchema)]
pub struct ImportTotals {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub rejected: usize,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportLine {
    /// The line's number in the body, from 1.
    pub line: usize,
    /// created, updated, unchanged or rejected.
    pub outcome: String,
    pub id: Option<uuid::Uuid>,
    pub external_id: Option<String>,
    /// Why a line was rejected, or what of it could not be applied.
    pub reason: Option<String>,
}

impl From<LineReport> for ImportLine {
    fn from(r: LineReport) -> Self {
        let outcome = serde_json::to_value(r.outcome)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        Self { line: r.line, outcome, id: r.id, external_id: r.external_id, reason: r.reason }
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    /// Every non-blank line, counted by what became of it.
    pub totals: ImportTotals,
    /// The rejected lines and those whose related stories could not all be
    /// found, in line order: the first 100 of them.
    pub problems: Vec<ImportLine>,
    /// Problems beyond those listed.
    pub unlisted_problems: usize,
}

/// Creates or replaces stories from an NDJSON archive (the format
/// `GET /v1/export` writes), by `externalId`, or `id` for stories without
/// one, keeping their dates. Bad lines are reported with their number and
/// skipped; the rest go in. Needs `content:write`. Only so many run at
/// once (`--import-max-running`); another is refused with 503 and
/// `Retry-After` before its body is read.
#[utoipa::path(
    tag = "sync",
    request_body(description = "One archived story per line (NDJSON)", content(
        (ArchiveBody = "application/x-ndjson"),
        (ArchiveBody = "text/plain"),
    )),
    responses((status = 200, description = "What became of each line", body = ImportReport), BodyWrite, Saturated),
    security(("bearer" = []))
)]
#[post("/import")]
pub async fn import(
    state: web::Data<AppState>,
    caller: Caller,
    mut body: web::Payload,
) -> AppResult<HttpResponse> {
    let mut importer = Importer::new(&caller.0, state.clock.now(), &state.imports)?;
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|_| AppError::field("body", "could not be read"))?;
        importer.feed(&state.db, &chunk).await?;
    }
    // No bytes at all is no archive; blank lines are an empty one.
    if !importer.read_anything() {
        return Err(AppError::field("body", "is empty; send one archived story per line"));
    }
    importer.end(&state.db).await?;
    let Totals { created, updated, unchanged, rejected } = importer.totals.clone();
    let (problems, unlisted_problems) = importer.problems.listed();
    Ok(HttpResponse::Ok().json(ImportReport {
        totals: ImportTotals { created, updated, unchanged, rejected },
        problems: problems.into_iter().map(ImportLine::from).collect(),
        unlisted_problems,
    }))
}
