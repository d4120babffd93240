//! Managing webhook endpoints: every mutation here needs `webhooks:manage`.

use super::input_paths;
use crate::domain::webhooks::EventType;
use crate::domain::webhooks::endpoints::{self, EndpointInput};
use crate::graphql::ids::{self, Kind};
use crate::graphql::integrators::{WebhookDelivery, WebhookEndpoint, WebhookEventType};
use crate::graphql::{request, state};
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};

#[derive(InputObject)]
pub struct WebhookEndpointInput {
    /// http or https, on a public address.
    pub url: Option<String>,
    pub events: Option<Vec<WebhookEventType>>,
    pub description: MaybeUndefined<String>,
    /// false disables the endpoint; true enables it and forgets its failures.
    pub enabled: Option<bool>,
}

impl From<WebhookEndpointInput> for EndpointInput {
    fn from(i: WebhookEndpointInput) -> Self {
        let description = match i.description {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(v) => Some(Some(v)),
        };
        let events =
            i.events.map(|es| es.into_iter().map(|e| EventType::from(e).as_str().to_owned()).collect());
        Self { url: i.url, events, description, enabled: i.enabled }
    }
}

#[derive(SimpleObject)]
pub struct WebhookEndpointPayload {
    pub endpoint: WebhookEndpoint,
    /// The signing secret (`whsec_...`): only when the endpoint was created
    /// or its secret rotated.
    pub secret: Option<String>,
}

#[derive(SimpleObject)]
pub struct DeleteWebhookEndpointPayload {
    pub deleted_id: ID,
}

#[derive(SimpleObject)]
pub struct WebhookDeliveryPayload {
    pub delivery: WebhookDelivery,
}

#[derive(Default)]
pub struct IntegratorMutation;

#[Object]
impl IntegratorMutation {
    /// Registers an endpoint; `url` and `events` are required.
    async fn create_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        input: WebhookEndpointInput,
    ) -> Result<WebhookEndpointPayload> {
        let r = request(ctx);
        let s = state(ctx);
        let (e, secret) = endpoints::create(&s.db, &r.actor, &s.webhooks, input.into(), r.now)
            .await
            .map_err(input_paths)?;
        Ok(WebhookEndpointPayload { endpoint: WebhookEndpoint::new(&e)?, secret: Some(secret) })
    }

    async fn update_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: WebhookEndpointInput,
    ) -> Result<WebhookEndpointPayload> {
        let r = request(ctx);
        let s = state(ctx);
        let id = ids::decode_as(&id, Kind::WebhookEndpoint, "id")?;
        let e = endpoints::update(&s.db, &r.actor, &s.webhooks, id, input.into(), r.now)
            .await
            .map_err(input_paths)?;
        Ok(WebhookEndpointPayload { endpoint: WebhookEndpoint::new(&e)?, secret: None })
    }

    /// A new secret; the old one keeps signing beside it for 24 hours.
    async fn rotate_webhook_secret(&self, ctx: &Context<'_>, id: ID) -> Result<WebhookEndpointPayload> {
        let r = request(ctx);
        let id = ids::decode_as(&id, Kind::WebhookEndpoint, "id")?;
        let (e, secret) = endpoints::rotate_secret(&state(ctx).db, &r.actor, id, r.now).await?;
        Ok(WebhookEndpointPayload { endpoint: WebhookEndpoint::new(&e)?, secret: Some(secret) })
    }

    /// Deletes the endpoint and its deliveries.
    async fn delete_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<DeleteWebhookEndpointPayload> {
        let r = request(ctx);
        let raw = ids::decode_as(&id, Kind::WebhookEndpoint, "id")?;
        endpoints::delete(&state(ctx).db, &r.actor, raw).await?;
        Ok(DeleteWebhookEndpointPayload { deleted_id: ids::encode(Kind::WebhookEndpoint, raw) })
    }

    /// Queues a `webhook.ping` for the endpoint.
    async fn ping_webhook_endpoint(&self, ctx: &Context<'_>, id: ID) -> Result<WebhookDeliveryPayload> {
        let r = request(ctx);
        let id = ids::decode_as(&id, Kind::WebhookEndpoint, "id")?;
        let d = endpoints::ping(&state(ctx).db, &r.actor, id, r.now).await?;
        Ok(WebhookDeliveryPayload { delivery: WebhookDelivery::new(&d)? })
    }

    /// Tries a delivery again now.
    async fn retry_webhook_delivery(
        &self,
        ctx: &Context<'_>,
        endpoint_id: ID,
        id: ID,
    ) -> Result<WebhookDeliveryPayload> {
        let r = request(ctx);
        let endpoint = ids::decode_as(&endpoint_id, Kind::WebhookEndpoint, "endpointId")?;
        let id = ids::decode_as(&id, Kind::WebhookDelivery, "id")?;
        let d = endpoints::retry(&state(ctx).db, &r.actor, endpoint, id, r.now).await?;
        Ok(WebhookDeliveryPayload { delivery: WebhookDelivery::new(&d)? })
    }
}
