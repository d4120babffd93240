//! Endpoints and deliveries as both APIs show them; the adapters only copy
//! their fields. Stored event names are read back as [`EventType`]s: one
//! that no version of Dateline writes is an error, not a string passed on.

use super::EventType;
use super::outbox::DeliveryStatus;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use entity::{webhook_delivery, webhook_endpoint};
use uuid::Uuid;

pub struct EndpointShown {
    pub id: Uuid,
    pub url: String,
    pub description: Option<String>,
    pub events: Vec<EventType>,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    pub failing_since: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub struct DeliveryShown {
    pub id: Uuid,
    /// The `webhook-id` header of every attempt.
    pub message_id: String,
    pub event_type: EventType,
    pub status: DeliveryStatus,
    pub attempts: i32,
    /// When a pending delivery is next tried; none once it is settled.
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
    /// The JSON body sent.
    pub payload: String,
}

fn event(stored: &str) -> AppResult<EventType> {
    EventType::parse(stored)
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("unknown stored webhook event type")))
}

/// The event types an endpoint subscribes to, as stored (space-separated).
pub fn events_of(e: &webhook_endpoint::Model) -> AppResult<Vec<EventType>> {
    e.event_types.split(' ').filter(|s| !s.is_empty()).map(event).collect()
}

pub fn endpoint(e: &webhook_endpoint::Model) -> AppResult<EndpointShown> {
    Ok(EndpointShown {
        id: e.id,
        url: e.url.clone(),
        description: e.description.clone(),
        events: events_of(e)?,
        enabled: e.enabled,
        disabled_reason: e.disabled_reason.clone(),
        failing_since: e.failing_since,
        created_at: e.created_at,
        updated_at: e.updated_at,
    })
}

pub fn delivery(d: &webhook_delivery::Model) -> AppResult<DeliveryShown> {
    Ok(DeliveryShown {
        id: d.id,
        message_id: message_id(d.id),
        event_type: event(&d.event_type)?,
        status: d.status,
        attempts: d.attempts,
        next_attempt_at: (d.status == DeliveryStatus::Pending).then_some(d.next_attempt_at),
        last_status_code: d.last_status_code,
        last_error: d.last_error.clone(),
        created_at: d.created_at,
        delivered_at: d.delivered_at,
        payload: d.payload.clone(),
    })
}

/// The `webhook-id` of a delivery: the same on every attempt.
pub fn message_id(id: Uuid) -> String {
    format!("msg_{}", id.simple())
}
