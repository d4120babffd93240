//! A delivery as both APIs show it; the adapters only copy its fields.

use super::outbox::DeliveryStatus;
use chrono::{DateTime, Utc};
use entity::webhook_delivery;
use uuid::Uuid;

pub struct DeliveryShown {
    pub id: Uuid,
    /// The `webhook-id` header of every attempt.
    pub message_id: String,
    pub event_type: String,
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

pub fn delivery(d: &webhook_delivery::Model) -> DeliveryShown {
    DeliveryShown {
        id: d.id,
        message_id: message_id(d.id),
        event_type: d.event_type.clone(),
        status: d.status,
        attempts: d.attempts,
        next_attempt_at: (d.status == DeliveryStatus::Pending).then_some(d.next_attempt_at),
        last_status_code: d.last_status_code,
        last_error: d.last_error.clone(),
        created_at: d.created_at,
        delivered_at: d.delivered_at,
        payload: d.payload.clone(),
    }
}

/// The `webhook-id` of a delivery: the same on every attempt.
pub fn message_id(id: Uuid) -> String {
    format!("msg_{}", id.simple())
}
