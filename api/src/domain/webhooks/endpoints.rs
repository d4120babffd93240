//! Managing endpoints and reading their deliveries: everything here needs
//! `webhooks:manage`.

use super::outbox::{self, DeliveryStatus};
use super::{EventType, Settings, address, signing};
use crate::domain::accounts::{Actor, Scope, policy};
use crate::domain::pagination::Page;
use crate::domain::{cursor, text, tx};
use crate::error::{AppError, AppResult, Validator};
use chrono::{DateTime, TimeDelta, Utc};
use entity::{webhook_delivery, webhook_endpoint};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

pub type Endpoint = webhook_endpoint::Model;
pub type Delivery = webhook_delivery::Model;

/// How long the old secret still signs after a rotation.
pub const ROTATION_GRACE: TimeDelta = TimeDelta::hours(24);
pub const MAX_ENDPOINTS: u64 = 50;
const MAX_DESCRIPTION: usize = 500;

#[derive(Debug, Clone, Default)]
pub struct EndpointInput {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub description: Option<Option<String>>,
    /// Re-enabling also forgets why it was disabled.
    pub enabled: Option<bool>,
}

impl EndpointInput {
    async fn check(&self, creating: bool, settings: &Settings) -> AppResult<Option<Vec<EventType>>> {
        let mut v = Validator::new();
        if creating {
            v.check(self.url.is_some(), "url", "is required");
            v.check(self.events.is_some(), "events", "is required");
        }
        if let Some(url) = &self.url {
            // Not a web address at all is malformed (400); one that names a
            // place webhooks may not go, or names it badly, is refused (422).
            let web = url.len() <= address::MAX_URL_LEN
                && (url.starts_with("http://") || url.starts_with("https://"))
                && text::is_clean(url, text::Lines::Single);
            match address::check_shape(url, settings.allow_private) {
                Err(why) if web => v.refuse("url", why),
                Err(why) => v.push("url", why),
                Ok(_) => {}
            }
        }
        let mut events = None;
        if let Some(list) = &self.events {
            v.check(!list.is_empty(), "events", "must name at least one event");
            v.check(list.len() <= EventType::ALL.len(), "events", "lists too many events");
            let mut parsed = Vec::new();
            for (i, e) in list.iter().take(EventType::ALL.len() + 1).enumerate() {
                // A set: naming an event twice is naming it once.
                match EventType::parse(e) {
                    Some(t) if !parsed.contains(&t) => parsed.push(t),
                    Some(_) => {}
                    None => v.push(
                        format!("events[{i}]"),
                        format!(
                            "is not an event; known: {}",
                            EventType::ALL.map(EventType::as_str).join(", ")
                        ),
                    ),
                }
            }
            events = Some(parsed);
        }
        if let Some(Some(d)) = &self.description {
            v.check(d.chars().count() <= MAX_DESCRIPTION, "description", "must be at most 500 characters");
            text::check(&mut v, "description", d, text::Lines::Single);
        }
        v.finish()?;
        // After DNS: refused only once the shape is right.
        if let Some(url) = &self.url {
            address::check(url, settings.allow_private)
                .await
                .map_err(|why| AppError::unprocessable("url", why))?;
        }
        Ok(events)
    }
}

fn join(events: &[EventType]) -> String {
    events.iter().map(|e| e.as_str()).collect::<Vec<_>>().join(" ")
}

/// Registers an endpoint; the answer holds its secret, shown this once.
pub async fn create<C: tx::Db>(
    db: &C,
    actor: &Actor,
    settings: &Settings,
    input: EndpointInput,
    now: DateTime<Utc>,
) -> AppResult<(Endpoint, String)> {
    policy::require(actor, Scope::WebhooksManage)?;
    let events = input.check(true, settings).await?.unwrap_or_default();
    tx::unit!(db, |txn| {
        let input = input.clone();
        if webhook_endpoint::Entity::find().count(txn).await? >= MAX_ENDPOINTS {
            return Err(AppError::unprocessable("url", format!("at most {MAX_ENDPOINTS} endpoints")));
        }
        let secret = signing::new_secret();
        let row = webhook_endpoint::ActiveModel {
            id: Set(Uuid::now_v7()),
            url: Set(input.url.unwrap_or_default()),
            description: Set(text::trimmed(input.description.flatten())),
            secret: Set(secret.clone()),
            previous_secret: Set(None),
            previous_secret_until: Set(None),
            event_types: Set(join(&events)),
            enabled: Set(input.enabled.unwrap_or(true)),
            disabled_reason: Set(None),
            failing_since: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        };
        let saved = webhook_endpoint::Entity::insert(row).exec_with_returning(txn).await?;
        Ok((saved, secret))
    })
}

pub async fn list(db: &impl ConnectionTrait, actor: &Actor) -> AppResult<Vec<Endpoint>> {
    policy::require(actor, Scope::WebhooksManage)?;
    Ok(webhook_endpoint::Entity::find().order_by_asc(webhook_endpoint::Column::Id).all(db).await?)
}

pub async fn get(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> AppResult<Endpoint> {
    policy::require(actor, Scope::WebhooksManage)?;
    find(db, id).await
}

async fn find(db: &impl ConnectionTrait, id: Uuid) -> AppResult<Endpoint> {
    webhook_endpoint::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound("webhook endpoint"))
}

pub async fn update<C: tx::Db>(
    db: &C,
    actor: &Actor,
    settings: &Settings,
    id: Uuid,
    input: EndpointInput,
    now: DateTime<Utc>,
) -> AppResult<Endpoint> {
    policy::require(actor, Scope::WebhooksManage)?;
    let events = input.check(false, settings).await?;
    tx::unit!(db, |txn| {
        let (input, events) = (input.clone(), events.clone());
        let current = find(txn, id).await?;
        let mut row: webhook_endpoint::ActiveModel = current.into();
        if let Some(url) = input.url {
            row.url = Set(url);
        }
        if let Some(events) = events {
            row.event_types = Set(join(&events));
        }
        if let Some(d) = input.description {
            row.description = Set(text::trimmed(d));
        }
        if let Some(on) = input.enabled {
            row.enabled = Set(on);
            if on {
                row.disabled_reason = Set(None);
                row.failing_since = Set(None);
            } else {
                row.disabled_reason = Set(Some("disabled through the API".into()));
            }
        }
        row.updated_at = Set(now);
        let saved = webhook_endpoint::Entity::update(row).exec(txn).await?;
        Ok(saved)
    })
}

/// A new secret; the old one still signs for [`ROTATION_GRACE`], so the
/// receiver can switch without refusing a delivery.
pub async fn rotate_secret<C: tx::Db>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<(Endpoint, String)> {
    policy::require(actor, Scope::WebhooksManage)?;
    tx::unit!(db, |txn| {
        let current = find(txn, id).await?;
        let secret = signing::new_secret();
        let mut row: webhook_endpoint::ActiveModel = current.clone().into();
        row.previous_secret = Set(Some(current.secret));
        row.previous_secret_until = Set(Some(now + ROTATION_GRACE));
        row.secret = Set(secret.clone());
        row.updated_at = Set(now);
        let saved = webhook_endpoint::Entity::update(row).exec(txn).await?;
        Ok((saved, secret))
    })
}

/// Deletes the endpoint with its deliveries.
pub async fn delete<C: tx::Db>(db: &C, actor: &Actor, id: Uuid) -> AppResult<()> {
    policy::require(actor, Scope::WebhooksManage)?;
    tx::unit!(db, |txn| {
        find(txn, id).await?;
        webhook_delivery::Entity::delete_many()
            .filter(webhook_delivery::Column::EndpointId.eq(id))
            .exec(txn)
            .await?;
        webhook_endpoint::Entity::delete_by_id(id).exec(txn).await?;
        Ok(())
    })
}

/// Queues a `webhook.ping` for the endpoint.
pub async fn ping<C: tx::Db>(db: &C, actor: &Actor, id: Uuid, now: DateTime<Utc>) -> AppResult<Delivery> {
    policy::require(actor, Scope::WebhooksManage)?;
    tx::unit!(db, |txn| {
        find(txn, id).await?;
        let delivery = outbox::ping(txn, id, now).await?;
        let d = find_delivery(txn, id, delivery).await?;
        Ok(d)
    })
}

/// Deliveries of one endpoint, newest first.
pub async fn deliveries(
    db: &impl ConnectionTrait,
    actor: &Actor,
    endpoint_id: Uuid,
    status: Option<DeliveryStatus>,
    after: Option<&str>,
    limit: u64,
) -> AppResult<Page<Delivery, String>> {
    policy::require(actor, Scope::WebhooksManage)?;
    let before = after
        .map(|c| {
            cursor::Reader::open(c, cursor::DELIVERIES)
                .map(|mut r| r.id())
                .ok_or_else(|| AppError::field("cursor", "is not a valid cursor"))
        })
        .transpose()?;
    find(db, endpoint_id).await?;
    // Ids are time-ordered (UUIDv7) and unique: the id is the whole key.
    let mut q = webhook_delivery::Entity::find().filter(webhook_delivery::Column::EndpointId.eq(endpoint_id));
    if let Some(b) = before {
        q = q.filter(webhook_delivery::Column::Id.lt(b));
    }
    if let Some(s) = status {
        q = q.filter(webhook_delivery::Column::Status.eq(s));
    }
    let rows = q.order_by_desc(webhook_delivery::Column::Id).limit(limit + 1).all(db).await?;
    Ok(Page::forward(rows, limit, after.is_some(), |d| delivery_cursor(d.id)))
}

/// Where a page of deliveries resumes after delivery `id` (newest first).
pub fn delivery_cursor(id: Uuid) -> String {
    cursor::Writer::new(cursor::DELIVERIES).id(id).seal()
}

async fn find_delivery(db: &impl ConnectionTrait, endpoint_id: Uuid, id: Uuid) -> AppResult<Delivery> {
    webhook_delivery::Entity::find_by_id(id)
        .filter(webhook_delivery::Column::EndpointId.eq(endpoint_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound("webhook delivery"))
}

/// Sends a delivery again now, whatever became of it: one more attempt.
pub async fn retry<C: tx::Db>(
    db: &C,
    actor: &Actor,
    endpoint_id: Uuid,
    id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<Delivery> {
    policy::require(actor, Scope::WebhooksManage)?;
    tx::unit!(db, |txn| {
        let d = find_delivery(txn, endpoint_id, id).await?;
        let mut row: webhook_delivery::ActiveModel = d.into();
        row.status = Set(DeliveryStatus::Pending);
        row.next_attempt_at = Set(now);
        row.lease_until = Set(None);
        let saved = webhook_delivery::Entity::update(row).exec(txn).await?;
        Ok(saved)
    })
}
