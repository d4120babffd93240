//! `/v1/webhooks`: managing endpoints and their deliveries, thin handlers
//! over `domain::webhooks::endpoints`. Credentials are checked before the
//! body is read.

use super::names::DeliveryStatusName;
use super::names::WebhookEventName;
use super::responses::{BodyWrite, BodylessWrite, NotFound, PreviewRead, Refused};
use super::write_support::{JsonBody, parse_body};
use super::{Caller, parse_opt, parse_uuid};
use crate::domain::accounts::{Scope, policy};
use crate::domain::pagination::DELIVERIES;
use crate::domain::webhooks::endpoints::{self, Delivery, Endpoint, EndpointInput};
use crate::domain::webhooks::outbox::DeliveryStatus;
use crate::domain::webhooks::present;
use crate::error::AppResult;
use crate::state::AppState;
use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointCreate {
    /// Where deliveries are POSTed: http or https, on a public address.
    #[schema(max_length = 2000, pattern = "@endpoint-url")]
    pub url: String,
    /// Event types, e.g. `article.published`, `comment.created`.
    #[schema(value_type = Vec<WebhookEventName>, min_items = 1, max_items = 8)]
    pub events: Vec<String>,
    #[schema(max_length = 500, pattern = "@line")]
    pub description: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointPatch {
    #[schema(max_length = 2000, pattern = "@endpoint-url")]
    pub url: Option<String>,
    #[schema(value_type = Option<Vec<WebhookEventName>>, min_items = 1, max_items = 8)]
    pub events: Option<Vec<String>>,
    /// An empty string removes the description.
    #[schema(max_length = 500, pattern = "@line")]
    pub description: Option<String>,
    /// false disables the endpoint; true enables it again and forgets its failures.
    pub enabled: Option<bool>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EndpointView {
    pub id: Uuid,
    pub url: String,
    pub description: Option<String>,
    pub events: Vec<WebhookEventName>,
    pub enabled: bool,
    /// Why the endpoint was disabled, by an operator or after days of failures.
    pub disabled_reason: Option<String>,
    /// The first failed attempt since the last success.
    pub failing_since: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The signing secret (`whsec_...`): only in the answers to creating the
    /// endpoint and to rotating its secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl EndpointView {
    fn new(e: &Endpoint, secret: Option<String>) -> AppResult<Self> {
        let e = present::endpoint(e)?;
        Ok(Self {
            id: e.id,
            url: e.url,
            description: e.description,
            events: e.events.into_iter().map(Into::into).collect(),
            enabled: e.enabled,
            disabled_reason: e.disabled_reason,
            failing_since: e.failing_since,
            created_at: e.created_at,
            updated_at: e.updated_at,
            secret,
        })
    }
}

#[derive(Serialize, ToSchema)]
pub struct EndpointList {
    pub items: Vec<EndpointView>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryView {
    /// Also the `webhook-id` header, as `msg_` + this id without dashes.
    pub id: Uuid,
    pub event_type: WebhookEventName,
    pub status: DeliveryStatusName,
    pub attempts: i32,
    /// When a pending delivery is next tried.
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
    /// The body sent.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
}

impl DeliveryView {
    fn new(d: &Delivery) -> AppResult<Self> {
        let d = present::delivery(d)?;
        Ok(Self {
            id: d.id,
            event_type: d.event_type.into(),
            status: d.status.into(),
            attempts: d.attempts,
            next_attempt_at: d.next_attempt_at,
            last_status_code: d.last_status_code,
            last_error: d.last_error,
            created_at: d.created_at,
            delivered_at: d.delivered_at,
            payload: serde_json::from_str(&d.payload).unwrap_or_default(),
        })
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryList {
    pub items: Vec<DeliveryView>,
    pub next_cursor: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryParams {
    #[param(value_type = Option<super::names::DeliveryStatusName>)]
    status: Option<String>,
    #[param(value_type = Option<i32>, minimum = 1, maximum = 100)]
    limit: Option<String>,
    #[param(pattern = "@cursor-deliveries")]
    cursor: Option<String>,
}

fn manager(caller: &Caller) -> AppResult<()> {
    policy::require(&caller.0, Scope::WebhooksManage)
}

/// Register an endpoint. The answer holds the signing secret, shown only here.
#[utoipa::path(
    tag = "webhooks",
    request_body = EndpointCreate,
    responses((status = 201, description = "The endpoint, with its secret", body = EndpointView), BodyWrite, Refused),
    security(("bearer" = []))
)]
#[post("/webhooks")]
pub async fn create_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    manager(&caller)?;
    let input: EndpointCreate = parse_body(&body)?;
    let input = EndpointInput {
        url: Some(input.url),
        events: Some(input.events),
        description: Some(input.description),
        enabled: None,
    };
    let (e, secret) =
        endpoints::create(&state.db, &caller.0, &state.webhooks, input, state.clock.now()).await?;
    Ok(HttpResponse::Created().json(EndpointView::new(&e, Some(secret))?))
}

/// Every endpoint (secrets are not shown).
#[utoipa::path(
    tag = "webhooks",
    responses((status = 200, description = "The endpoints", body = EndpointList), PreviewRead),
    security(("bearer" = []))
)]
#[get("/webhooks")]
pub async fn list_webhooks(state: web::Data<AppState>, caller: Caller) -> AppResult<HttpResponse> {
    let all = endpoints::list(&state.db, &caller.0).await?;
    Ok(HttpResponse::Ok().json(EndpointList {
        items: all.iter().map(|e| EndpointView::new(e, None)).collect::<AppResult<_>>()?,
    }))
}

/// One endpoint.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = Uuid, Path, description = "The endpoint's UUID")),
    responses((status = 200, description = "The endpoint", body = EndpointView), PreviewRead, NotFound),
    security(("bearer" = []))
)]
#[get("/webhooks/{id}")]
pub async fn get_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    manager(&caller)?;
    let id = parse_uuid(&path.into_inner(), "id")?;
    let e = endpoints::get(&state.db, &caller.0, id).await?;
    Ok(HttpResponse::Ok().json(EndpointView::new(&e, None)?))
}

/// Change an endpoint's URL, events or description, or disable or enable it.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = Uuid, Path, description = "The endpoint's UUID")),
    request_body = EndpointPatch,
    responses((status = 200, description = "The endpoint as changed", body = EndpointView), BodyWrite, NotFound, Refused),
    security(("bearer" = []))
)]
#[patch("/webhooks/{id}")]
pub async fn update_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    manager(&caller)?;
    let id = parse_uuid(&path.into_inner(), "id")?;
    let p: EndpointPatch = parse_body(&body)?;
    let input = EndpointInput {
        url: p.url,
        events: p.events,
        description: p.description.map(|d| Some(d).filter(|d| !d.is_empty())),
        enabled: p.enabled,
    };
    let e = endpoints::update(&state.db, &caller.0, &state.webhooks, id, input, state.clock.now()).await?;
    Ok(HttpResponse::Ok().json(EndpointView::new(&e, None)?))
}

/// Delete an endpoint and its deliveries.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = Uuid, Path, description = "The endpoint's UUID")),
    responses((status = 204, description = "Deleted"), BodylessWrite, NotFound),
    security(("bearer" = []))
)]
#[delete("/webhooks/{id}")]
pub async fn delete_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    manager(&caller)?;
    let id = parse_uuid(&path.into_inner(), "id")?;
    endpoints::delete(&state.db, &caller.0, id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A new signing secret. The old one keeps signing beside it for 24 hours.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = Uuid, Path, description = "The endpoint's UUID")),
    responses((status = 200, description = "The endpoint, with its new secret", body = EndpointView), BodylessWrite, NotFound),
    security(("bearer" = []))
)]
#[post("/webhooks/{id}/rotate-secret")]
pub async fn rotate_webhook_secret(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    manager(&caller)?;
    let id = parse_uuid(&path.into_inner(), "id")?;
    let (e, secret) = endpoints::rotate_secret(&state.db, &caller.0, id, state.clock.now()).await?;
    Ok(HttpResponse::Ok().json(EndpointView::new(&e, Some(secret))?))
}

/// Send a `webhook.ping` to the endpoint.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = Uuid, Path, description = "The endpoint's UUID")),
    responses((status = 202, description = "The queued delivery", body = DeliveryView), BodylessWrite, NotFound),
    security(("bearer" = []))
)]
#[post("/webhooks/{id}/ping")]
pub async fn ping_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    manager(&caller)?;
    let id = parse_uuid(&path.into_inner(), "id")?;
    let d = endpoints::ping(&state.db, &caller.0, id, state.clock.now()).await?;
    Ok(HttpResponse::Accepted().json(DeliveryView::new(&d)?))
}

/// The endpoint's deliveries, newest first.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = Uuid, Path, description = "The endpoint's UUID"), DeliveryParams),
    responses((status = 200, description = "A page of deliveries", body = DeliveryList), PreviewRead, NotFound),
    security(("bearer" = []))
)]
#[get("/webhooks/{id}/deliveries")]
pub async fn list_deliveries(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    params: web::Query<DeliveryParams>,
) -> AppResult<HttpResponse> {
    manager(&caller)?;
    let id = parse_uuid(&path.into_inner(), "id")?;
    let p = params.into_inner();
    let limit = DELIVERIES.check_wide(parse_opt(p.limit, "limit")?, "limit")?;
    let status = p
        .status
        .map(|s| {
            DeliveryStatus::parse(&s).ok_or_else(|| {
                crate::error::AppError::field("status", "must be PENDING, DELIVERED or FAILED")
            })
        })
        .transpose()?;
    let page = endpoints::deliveries(&state.db, &caller.0, id, status, p.cursor.as_deref(), limit).await?;
    Ok(HttpResponse::Ok().json(DeliveryList {
        items: page.items.iter().map(|(_, d)| DeliveryView::new(d)).collect::<AppResult<_>>()?,
        next_cursor: page.has_next_page.then(|| page.end_cursor().cloned()).flatten(),
    }))
}

/// Try a delivery again now.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = Uuid, Path, description = "The endpoint's UUID"), ("deliveryId" = Uuid, Path, description = "The delivery's UUID")),
    responses((status = 202, description = "The delivery, pending again", body = DeliveryView), BodylessWrite, NotFound),
    security(("bearer" = []))
)]
#[post("/webhooks/{id}/deliveries/{deliveryId}/retry")]
pub async fn retry_delivery(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    manager(&caller)?;
    let (id, delivery) = path.into_inner();
    let id = parse_uuid(&id, "id")?;
    let delivery = parse_uuid(&delivery, "deliveryId")?;
    let d = endpoints::retry(&state.db, &caller.0, id, delivery, state.clock.now()).await?;
    Ok(HttpResponse::Accepted().json(DeliveryView::new(&d)?))
}
