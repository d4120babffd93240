//! `/graphql`: POST executes, GET serves GraphiQL or runs a query from the
//! query string (cacheable by CDNs; mutations are refused over GET).

use super::{AppSchema, RequestContext, errors};
use crate::error::AppError;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, web};
use async_graphql::http::GraphiQLSource;
use async_graphql::parser::types::OperationType;
use async_graphql_actix_web::{GraphQLRequest, GraphQLResponse};

async fn run(
    schema: &AppSchema,
    state: &AppState,
    http: &HttpRequest,
    req: async_graphql::Request,
) -> GraphQLResponse {
    let mut resp = match crate::auth::actor_of(http) {
        Ok(actor) => {
            let ctx = RequestContext { actor, now: state.clock.now() };
            schema.execute(req.data(ctx)).await
        }
        Err(err) => {
            let mut e = async_graphql::ServerError::new(err.to_string(), None);
            e.source = Some(std::sync::Arc::new(err));
            async_graphql::Response::from_errors(vec![e])
        }
    };
    errors::decorate(&mut resp);
    resp.into()
}

pub async fn post(
    schema: web::Data<AppSchema>,
    state: web::Data<AppState>,
    http: HttpRequest,
    req: GraphQLRequest,
) -> GraphQLResponse {
    run(&schema, &state, &http, req.into_inner()).await
}

pub async fn get(
    schema: web::Data<AppSchema>,
    state: web::Data<AppState>,
    http: HttpRequest,
) -> HttpResponse {
    if !http.query_string().contains("query=") {
        return HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(GraphiQLSource::build().endpoint("/graphql").title("Dateline GraphiQL").finish());
    }
    let req = match async_graphql::http::parse_query_string(http.query_string()) {
        Ok(r) => r,
        Err(_) => {
            return actix_web::ResponseError::error_response(&AppError::field(
                "query",
                "is not a valid GraphQL request",
            ));
        }
    };
    let is_mutation = async_graphql::parser::parse_query(&req.query)
        .is_ok_and(|doc| doc.operations.iter().any(|(_, op)| op.node.ty != OperationType::Query));
    if is_mutation {
        return HttpResponse::MethodNotAllowed()
            .insert_header(("Allow", "POST"))
            .content_type("application/problem+json")
            .json(serde_json::json!({
                "type": "about:blank", "title": "Method Not Allowed", "status": 405,
                "detail": "mutations and subscriptions must be sent with POST", "code": "METHOD_NOT_ALLOWED"
            }));
    }
    let resp = run(&schema, &state, &http, req).await;
    actix_web::Responder::respond_to(resp, &http).map_into_boxed_body()
}
