//! The GraphQL adapter: schema wiring, per-request context and error codes.
//! Types under `types/` are views over domain rows, never entity derives.

mod batch;
pub mod community;
pub mod cost;
pub mod errors;
mod field_order;
pub mod graphiql;
pub mod http;
pub mod ids;
pub mod integrators;
pub mod limits;
pub mod loaders;
pub mod mutation;
mod query;
mod selection;
pub mod subscription;
pub mod types;
pub mod ws;

use crate::domain::accounts::Actor;
use crate::state::AppState;
use async_graphql::{Context, Schema};
use chrono::{DateTime, Utc};
use mutation::Mutation;

pub use query::Query;

pub type AppSchema = Schema<Query, Mutation, subscription::Subscription>;

/// Resolved once per request: who is asking, and the instant the whole
/// response is computed at (so one response never mixes two "nows").
#[derive(Clone)]
pub struct RequestContext {
    pub actor: Actor,
    pub now: DateTime<Utc>,
}

/// The schema's shape, without any state: enough to print the SDL.
pub fn schema_shape() -> async_graphql::SchemaBuilder<Query, Mutation, subscription::Subscription> {
    Schema::build(Query::default(), Mutation::default(), subscription::Subscription)
}

/// The SDL as `dateline print-schema` writes it to `schema.graphql`.
pub fn sdl() -> String {
    schema_shape().finish().sdl()
}

/// Built once at start-up and shared by every worker.
pub fn build_schema(state: AppState) -> AppSchema {
    let loaders = loaders::Loaders::new(&state.db);
    // Depth is limited in `limits`, which can tell introspection apart.
    let max = state.config.graphql.graphql_max_complexity;
    let per_request = state.config.http.graphql_cost_per_request;
    // The complexity limit is the cost extension's, which reports the cost.
    let mut builder =
        schema_shape().extension(cost::Cost { limit: max, per_request }).extension(field_order::FieldOrder);
    if !state.config.graphql.graphql_introspection {
        builder = builder.disable_introspection();
    }
    builder.data(loaders).data(state).finish()
}

pub fn state<'a>(ctx: &Context<'a>) -> &'a AppState {
    ctx.data_unchecked::<AppState>()
}

pub fn request<'a>(ctx: &Context<'a>) -> &'a RequestContext {
    ctx.data_unchecked::<RequestContext>()
}

pub fn loaders<'a>(ctx: &Context<'a>) -> &'a loaders::Loaders {
    ctx.data_unchecked::<loaders::Loaders>()
}
