//! `/graphql`: POST executes, GET serves GraphiQL or runs a query from the
//! query string (cacheable by CDNs; mutations are refused over GET). Bodies
//! are read by actix (so the size and time limits on bytes actually read
//! apply) and checked against the document limits before the engine sees
//! them.

use super::limits::{self, DocumentLimits};
use super::{AppSchema, RequestContext, errors};
use crate::config::Config;
use crate::error::AppError;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, web};
use async_graphql::parser::types::OperationType;
use async_graphql_actix_web::GraphQLResponse;

pub fn document_limits(c: &Config) -> DocumentLimits {
    DocumentLimits {
        max_tokens: c.graphql_max_tokens,
        max_nesting: c.graphql_max_nesting,
        max_aliases: c.graphql_max_aliases,
        max_root_fields: c.graphql_max_root_fields,
        max_directives: c.graphql_max_directives,
        max_selections: c.graphql_max_selections,
        ..DocumentLimits::default()
    }
}

fn error_response(err: AppError) -> async_graphql::Response {
    let mut e = async_graphql::ServerError::new(err.to_string(), None);
    e.source = Some(std::sync::Arc::new(err));
    async_graphql::Response::from_errors(vec![e])
}

/// Checks the request against the document limits (which parses it once)
/// and attaches who is asking.
fn prepare(
    state: &AppState,
    http: &HttpRequest,
    mut req: async_graphql::Request,
) -> Result<async_graphql::Request, AppError> {
    let actor = crate::auth::actor_of(http)?;
    limits::check(&mut req, &document_limits(&state.config))?;
    let ctx = RequestContext { actor, now: state.clock.now() };
    Ok(req.data(ctx))
}

fn respond(mut resp: async_graphql::Response, http: &HttpRequest) -> HttpResponse {
    errors::decorate(&mut resp);
    actix_web::Responder::respond_to(GraphQLResponse::from(resp), http).map_into_boxed_body()
}

/// A JSON body `{ query, operationName, variables }`; trailing data after it
/// is refused, as is a batch (a JSON array).
fn parse_body(body: &[u8]) -> Result<async_graphql::Request, AppError> {
    if body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
        return Err(AppError::field("body", "batched requests are not supported; send one operation"));
    }
    serde_json::from_slice(body).map_err(|e| {
        let message = e.to_string();
        let message = message.split(" at line ").next().unwrap_or_default().to_owned();
        AppError::field("body", format!("is not a GraphQL request: {message}"))
    })
}

pub async fn post(
    schema: web::Data<AppSchema>,
    state: web::Data<AppState>,
    http: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let resp = match parse_body(&body).and_then(|req| prepare(&state, &http, req)) {
        Ok(req) => schema.execute(req).await,
        Err(err) => error_response(err),
    };
    respond(resp, &http)
}

pub async fn get(
    schema: web::Data<AppSchema>,
    state: web::Data<AppState>,
    http: HttpRequest,
) -> HttpResponse {
    if !http.query_string().contains("query=") {
        return super::graphiql::page();
    }
    let Ok(req) = async_graphql::http::parse_query_string(http.query_string()) else {
        return actix_web::ResponseError::error_response(&AppError::field(
            "query",
            "is not a valid GraphQL request",
        ));
    };
    let resp = match prepare(&state, &http, req) {
        Ok(mut req) => {
            let is_mutation = req
                .parsed_query()
                .is_ok_and(|doc| doc.operations.iter().any(|(_, op)| op.node.ty != OperationType::Query));
            if is_mutation {
                // Mutations over GET would let a link or an image tag write.
                return actix_web::ResponseError::error_response(&AppError::MethodNotAllowed {
                    allow: "POST",
                });
            }
            schema.execute(req).await
        }
        Err(err) => error_response(err),
    };
    respond(resp, &http)
}
