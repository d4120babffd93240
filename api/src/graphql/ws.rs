//! `/graphql/ws`: subscriptions over WebSocket with the
//! graphql-transport-ws protocol (and the older graphql-ws). The protocol
//! itself is async-graphql's; actix-ws carries the frames. Credentials come
//! in `connection_init` (`{"Authorization": "Bearer TOKEN"}` or
//! `{"token": "TOKEN"}`), and every document passes the same limits (and,
//! named by a persisted query's hash, the same lookup) as over HTTP before
//! it runs.

use super::http::params;
use super::limits::{self, DocumentLimits};
use super::subscription::ConnectionSlots;
use super::{AppSchema, RequestContext};
use crate::domain::accounts::{Actor, Principal};
use crate::domain::persisted::Registry;
use crate::domain::stream_slots::StreamSlots;
use crate::error::AppError;
use crate::graphql::cost::Spending;
use crate::rate_limit::Budget;
use crate::rate_limit::Limiter;
use crate::state::AppState;
use actix_web::http::header::{HeaderValue, SEC_WEBSOCKET_PROTOCOL};
use actix_web::{HttpRequest, HttpResponse, web};
use async_graphql::http::{WebSocketProtocols, WsMessage};
use async_graphql::{Data, Executor, Request, Response};
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use sea_orm::DatabaseConnection;
use std::net::IpAddr;
use std::str::FromStr;
use std::sync::Arc;

/// How long a client has to send connection_init.
const INIT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Largest frame a client may send.
const MAX_FRAME: usize = 64 * 1024;

/// The schema behind the document limits, as the WebSocket protocol runs it.
#[derive(Clone)]
pub struct Limited {
    schema: AppSchema,
    limits: Arc<DocumentLimits>,
    /// The rate limiter and the client's address: every operation spends
    /// a request of the connection's budget (its key's, when it signed in
    /// with one) as an HTTP request would, and more by its cost.
    budget: Option<(Arc<Limiter>, IpAddr)>,
    /// Persisted documents, named by `extensions.persistedQuery` as over
    /// HTTP; trusted ones only, when required, for a connection without a key.
    persisted: Arc<Registry>,
    db: DatabaseConnection,
}

impl Limited {
    async fn admit(&self, mut request: Request, caller: Option<&Actor>) -> Result<Request, AppError> {
        let keyed = caller.is_some_and(|a| matches!(a.principal, Principal::ApiKey(_)));
        if let Some((limiter, client)) = &self.budget {
            let budget = caller.and_then(Budget::of).unwrap_or(Budget::Address(*client));
            limiter.spend(budget, 1).map_err(|(wait, _)| AppError::RateLimited { retry_after_secs: wait })?;
            request = request.data(Spending { limiter: Arc::clone(limiter), budget });
        }
        let persisted = request.extensions.remove("persistedQuery").map(|v| v.into_json()).transpose();
        let persisted = persisted.map_err(|_| AppError::field("extensions.persistedQuery", "is not JSON"))?;
        let query = Some(std::mem::take(&mut request.query)).filter(|q| !q.is_empty());
        let asked = params::asked(None, params::persisted_query(persisted)?, query)?;
        // Registering is for cacheable GET; a socket runs what it is sent.
        request.query = self.persisted.resolve(&self.db, keyed, asked).await?.text;
        limits::check(&mut request, &self.limits)?;
        Ok(request)
    }
}

/// Who the connection signed in as.
fn caller(session: &Data) -> Option<Actor> {
    session
        .get(&std::any::TypeId::of::<RequestContext>())
        .and_then(|d| d.downcast_ref::<RequestContext>())
        .map(|c| c.actor.clone())
}

fn refused(err: AppError) -> Response {
    let mut e = async_graphql::ServerError::new(err.to_string(), None);
    e.source = Some(Arc::new(err));
    let mut resp = Response::from_errors(vec![e]);
    super::errors::decorate(&mut resp);
    resp
}

impl Executor for Limited {
    /// Not how the protocol runs operations (`execute_stream` is); with no
    /// connection to ask, the caller counts as one without a key.
    async fn execute(&self, request: Request) -> Response {
        match self.admit(request, None).await {
            Ok(request) => {
                let mut resp = self.schema.execute(request).await;
                super::errors::decorate(&mut resp);
                resp
            }
            Err(e) => refused(e),
        }
    }

    fn execute_stream(&self, request: Request, session: Option<Arc<Data>>) -> BoxStream<'static, Response> {
        let this = self.clone();
        let session = session.unwrap_or_default();
        let caller = caller(&session);
        Box::pin(async_stream::stream! {
            match this.admit(request, caller.as_ref()).await {
                Err(e) => yield refused(e),
                Ok(request) => {
                    let mut answers = this.schema.execute_stream_with_session_data(request, session);
                    while let Some(mut r) = answers.next().await {
                        super::errors::decorate(&mut r);
                        yield r;
                    }
                }
            }
        })
    }
}

/// The bearer token in a `connection_init` payload, if any.
fn token_of(payload: &serde_json::Value) -> Option<String> {
    let auth =
        ["Authorization", "authorization"].iter().find_map(|k| payload.get(*k)).and_then(|v| v.as_str());
    if let Some(a) = auth {
        return Some(a.strip_prefix("Bearer ").unwrap_or(a).trim().to_owned());
    }
    payload.get("token").and_then(|v| v.as_str()).map(str::to_owned)
}

pub async fn start(
    req: HttpRequest,
    body: web::Payload,
    schema: web::Data<AppSchema>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, actix_web::Error> {
    let protocol = req
        .headers()
        .get(SEC_WEBSOCKET_PROTOCOL)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').find_map(|p| WebSocketProtocols::from_str(p.trim()).ok()))
        .ok_or_else(|| AppError::field("Sec-WebSocket-Protocol", "must offer graphql-transport-ws"))?;
    // The address and any header credentials, as for every request.
    let anonymous = crate::auth::actor_of(&req)?;
    // The connection itself is a live stream: a client holds only so many,
    // and the process only so many in all, subscribed or not.
    let connection_slot = state.community.stream_slots.take(&anonymous)?;
    let budget =
        req.app_data::<web::Data<Arc<Limiter>>>().map(|l| Arc::clone(l.get_ref())).zip(anonymous.client);
    let (mut response, session, messages) = actix_ws::handle(&req, body)?;
    response
        .headers_mut()
        .insert(SEC_WEBSOCKET_PROTOCOL, HeaderValue::from_static(protocol.sec_websocket_protocol()));

    let executor = Limited {
        schema: schema.get_ref().clone(),
        limits: Arc::new(super::http::document_limits(&state.config)),
        budget,
        persisted: Arc::clone(&state.persisted),
        db: state.db.clone(),
    };
    let state = state.into_inner();
    let per_connection = state.config.live.live_max_per_connection;
    let pong = session.clone();
    let incoming = messages
        .max_frame_size(MAX_FRAME)
        .aggregate_continuations()
        .max_continuation_size(MAX_FRAME)
        .take_while(|m| {
            std::future::ready(matches!(m, Ok(msg) if !matches!(msg, actix_ws::AggregatedMessage::Close(_))))
        })
        .filter_map(move |m| {
            let mut pong = pong.clone();
            async move {
                match m {
                    Ok(actix_ws::AggregatedMessage::Text(t)) => Some(t.as_bytes().to_vec()),
                    Ok(actix_ws::AggregatedMessage::Binary(b)) => Some(b.to_vec()),
                    Ok(actix_ws::AggregatedMessage::Ping(p)) => {
                        let _ = pong.pong(&p).await;
                        None
                    }
                    _ => None,
                }
            }
        })
        .boxed_local();

    // A connection that never says connection_init is closed, as the
    // protocol asks, so idle sockets cannot pile up.
    let initialised = Arc::new(std::sync::atomic::AtomicBool::new(false));
    {
        let initialised = Arc::clone(&initialised);
        let session = session.clone();
        actix_web::rt::spawn(async move {
            tokio::time::sleep(INIT_TIMEOUT).await;
            if !initialised.load(std::sync::atomic::Ordering::Acquire) {
                let reason = actix_ws::CloseReason {
                    code: actix_ws::CloseCode::Other(4408),
                    description: Some("Connection initialisation timeout".into()),
                };
                let _ = session.close(Some(reason)).await;
            }
        });
    }
    actix_web::rt::spawn(async move {
        let _held = connection_slot;
        let init_state = Arc::clone(&state);
        let state = Arc::clone(&state);
        let mut out = async_graphql::http::WebSocket::new(executor, incoming, protocol)
            .on_connection_init(move |payload| async move {
                initialised.store(true, std::sync::atomic::Ordering::Release);
                let actor = match token_of(&payload) {
                    Some(token) => crate::auth::actor_for_token(&init_state, &token)
                        .await
                        .map_err(|e| async_graphql::Error::new(e.to_string()))?
                        .from_client(anonymous.client),
                    None => anonymous,
                };
                let mut data = Data::default();
                data.insert(RequestContext { actor: actor.clone(), now: init_state.clock.now() });
                data.insert(ConnectionSlots(StreamSlots::new(per_connection)));
                Ok::<_, async_graphql::Error>(data)
            })
            .keepalive_timeout(std::time::Duration::from_secs(60));
        let mut session = session;
        let stopping = state.shutdown.clone();
        loop {
            let msg = tokio::select! {
                m = out.next() => m,
                () = stopping.cancelled() => {
                    let reason = actix_ws::CloseReason {
                        code: actix_ws::CloseCode::Away,
                        description: Some("the server is shutting down".into()),
                    };
                    let _ = session.close(Some(reason)).await;
                    return;
                }
            };
            let Some(msg) = msg else { break };
            match msg {
                WsMessage::Text(t) => {
                    if session.text(t).await.is_err() {
                        return;
                    }
                }
                WsMessage::Close(code, reason) => {
                    let reason = actix_ws::CloseReason { code: code.into(), description: Some(reason) };
                    let _ = session.close(Some(reason)).await;
                    return;
                }
            }
        }
        let _ = session.close(None).await;
    });
    Ok(response)
}
