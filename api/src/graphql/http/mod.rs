//! `/graphql` over HTTP, as the GraphQL-over-HTTP spec has it: POST
//! executes, GET runs queries from the query string (cacheable by CDNs;
//! mutations are refused over GET) or, for a browser, serves GraphiQL.
//! Either may name a persisted document instead of sending it
//! (`domain::persisted`).
//! Bodies are read by actix (so the size and time limits on bytes actually
//! read apply) and checked against the document limits before the engine
//! sees them.

mod kept;
mod media;
pub(crate) mod params;
mod reply;

use super::limits::{self, DocumentLimits};
use super::loaders::ReplicaLoaders;
use super::{AppSchema, RequestContext};
use crate::config::Config;
use crate::domain::accounts::Principal;
use crate::domain::persisted;
use crate::error::AppError;
use crate::http::{caching, replica};
use crate::metrics::GraphqlOperations;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, web};
use async_graphql::parser::types::{ExecutableDocument, OperationDefinition, OperationType};
use async_graphql::{Name, Positioned};
use kept::{Kept, Method};
use media::Media;
use params::Params;
use reply::Failure;

pub fn document_limits(c: &Config) -> DocumentLimits {
    DocumentLimits {
        max_tokens: c.graphql.graphql_max_tokens,
        max_nesting: c.graphql.graphql_max_nesting,
        max_aliases: c.graphql.graphql_max_aliases,
        max_root_fields: c.graphql.graphql_max_root_fields,
        max_directives: c.graphql.graphql_max_directives,
        max_selections: c.graphql.graphql_max_selections,
        max_depth: c.graphql.graphql_max_depth,
        introspection: c.graphql.graphql_introspection,
        ..DocumentLimits::default()
    }
}

/// Attaches who is asking (a refused credential is an HTTP 401), finds the
/// document the request names, then checks it against its limits, which
/// parses it once. Answers what to register once the document ran.
async fn prepare(
    state: &AppState,
    http: &HttpRequest,
    params: Params,
) -> Result<(async_graphql::Request, Option<persisted::New>), Failure> {
    let actor = crate::auth::actor_of(http).map_err(Failure::Http)?;
    let keyed = matches!(actor.principal, Principal::ApiKey(_));
    let found = state.persisted.resolve(&state.db, keyed, params.asked).await.map_err(reply::unresolved)?;
    let mut req = params.rest.request(found.text);
    limits::check(&mut req, &document_limits(&state.config)).map_err(Failure::Document)?;
    let spending = http
        .app_data::<web::Data<std::sync::Arc<crate::rate_limit::Limiter>>>()
        .zip(crate::rate_limit::Budget::of(&actor))
        .map(|(l, budget)| crate::graphql::cost::Spending { limiter: std::sync::Arc::clone(l), budget });
    let ctx = RequestContext { actor, now: state.clock.now() };
    let mut req = req.data(ctx);
    if let Some(s) = spending {
        req = req.data(s);
    }
    Ok((req, found.register))
}

pub async fn post(
    schema: web::Data<AppSchema>,
    state: web::Data<AppState>,
    http: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let media = Media::of(&http);
    if let Err(e) = params::check_content_type(&http) {
        return reply::refused(media, Failure::Http(e));
    }
    let mut kept = Kept::of(&state, &http, media, Method::Post, &body);
    if let Some(k) = kept.as_mut()
        && let Some(answer) = k.answer(&state, &http).await
    {
        return answer;
    }
    let params = match params::from_body(&body) {
        Ok(params) => params,
        Err(e) => return reply::refused(media, Failure::Http(e)),
    };
    match prepare(&state, &http, params).await {
        Ok((req, register)) => {
            let how = Answering { media, method: Method::Post, kept, register };
            execute(&schema, &state, &http, req, how).await
        }
        Err(failure) => reply::refused(media, failure),
    }
}

/// How a prepared request is answered.
struct Answering {
    media: Media,
    method: Method,
    /// Where a public answer is kept in memory, when it may be.
    kept: Option<Kept>,
    /// A persisted document to register once it ran.
    register: Option<persisted::New>,
}

/// Runs the operation, timed by its name for `/metrics`, and registers a
/// new persisted document that ran. An answer sent by GET without
/// credentials that showed only public content, without errors, is public
/// for every cache (and kept in memory when `kept` says where); any other
/// answer is private.
async fn execute(
    schema: &AppSchema,
    state: &AppState,
    http: &HttpRequest,
    mut req: async_graphql::Request,
    how: Answering,
) -> HttpResponse {
    let Answering { media, method, kept, register } = how;
    // A name the document does not hold never becomes a metrics label.
    let name = selected_operation(&mut req).and_then(|(name, _)| name);
    let kept = kept.filter(|_| kept::public_query(&mut req));
    let since = kept.as_ref().map_or(0, Kept::snapshot);
    let anonymous = crate::auth::actor_of(http).is_ok_and(|a| a.is_anonymous());
    let mut req = req;
    let read_from = match state.replicas {
        Some(_) if anonymous && kept::public_query(&mut req) => {
            match (replica::choose(state, http.headers()), http.app_data::<web::Data<ReplicaLoaders>>()) {
                (Some((i, r)), Some(loaders)) if i < loaders.0.len() => {
                    req = req.data(replica::state_on(state, r)).data(loaders.0[i].clone());
                    Some("replica")
                }
                _ => Some("primary"),
            }
        }
        Some(_) => Some("primary"),
        None => None,
    };
    let started = std::time::Instant::now();
    let (resp, shown) = crate::domain::freshness::watching(schema.execute(req)).await;
    if let Some(ops) = http.app_data::<web::Data<GraphqlOperations>>() {
        ops.observe(name.as_deref(), started.elapsed());
    }
    if let Some(new) = register.filter(|_| reply::ran(&resp)) {
        // The answer stands either way; the client sends the document
        // again next time.
        if let Err(e) = state.persisted.register(&state.db, new, state.clock.now()).await {
            tracing::warn!(error = %e, "a persisted query could not be registered");
        }
    }
    let clean = anonymous
        && resp.errors.is_empty()
        && resp.http_headers.is_empty()
        && resp.cache_control.value().is_none();
    let public = clean && method == Method::Get && !shown.untracked;
    let body = match (clean, reply::plain(&resp)) {
        (true, Some(body)) => web::Bytes::from(body),
        _ => return replica::marked(reply::private(reply::executed(media, resp)), read_from),
    };
    let headers = reply::headers(&state.caching, media, public, &body, &shown.keys);
    if let Some(kept) = kept {
        kept.keep(state, since, shown, headers.clone(), body.clone()).await;
    }
    replica::marked(caching::answer(http, &headers, body), read_from)
}

pub async fn get(
    schema: web::Data<AppSchema>,
    state: web::Data<AppState>,
    http: HttpRequest,
) -> HttpResponse {
    let media = Media::of(&http);
    let mut kept = Kept::of(&state, &http, media, Method::Get, http.query_string().as_bytes());
    if let Some(k) = kept.as_mut()
        && let Some(answer) = k.answer(&state, &http).await
    {
        return answer;
    }
    let params = match params::from_query_string(http.query_string()) {
        Ok(params) => params,
        Err(_) if media::wants_html(&http) && !has_query(&http) => return graphiql(),
        Err(err) => return reply::refused(media, Failure::Http(err)),
    };
    let (mut req, register) = match prepare(&state, &http, params).await {
        Ok(prepared) => prepared,
        Err(failure) => return reply::refused(media, failure),
    };
    if selected_operation(&mut req).is_some_and(|(_, ty)| ty != OperationType::Query) {
        // Mutations over GET would let a link or an image tag write.
        return reply::refused(media, Failure::Http(AppError::MethodNotAllowed { allow: "POST".into() }));
    }
    execute(&schema, &state, &http, req, Answering { media, method: Method::Get, kept, register }).await
}

/// The operation that runs: the one `operationName` names, or the only
/// one; its name as the document spells it, and its type. An ambiguous or
/// unknown choice is `None`, for the engine to refuse.
fn selected_operation(req: &mut async_graphql::Request) -> Option<(Option<String>, OperationType)> {
    let wanted = req.operation_name.clone();
    let (name, op) = chosen(req.parsed_query().ok()?, wanted.as_deref())?;
    Some((name.map(|n| n.to_string()), op.node.ty))
}

/// The operation `wanted` names, or the only one.
fn chosen<'a>(
    doc: &'a ExecutableDocument,
    wanted: Option<&str>,
) -> Option<(Option<&'a Name>, &'a Positioned<OperationDefinition>)> {
    let mut ops = doc.operations.iter();
    match wanted {
        Some(w) => ops.find(|(n, _)| n.is_some_and(|n| n.as_str() == w)),
        None => match (ops.next(), ops.next()) {
            (Some(only), None) => Some(only),
            _ => None,
        },
    }
}

fn has_query(http: &HttpRequest) -> bool {
    url::form_urlencoded::parse(http.query_string().as_bytes()).any(|(k, _)| k == "query")
}

fn graphiql() -> HttpResponse {
    super::graphiql::page()
}
