//! Reads without credentials go to a read replica when one may answer
//! them (`db::replicas`): the REST handlers of such a request see an
//! `AppState` whose pool is the replica's, GraphQL resolvers get it as
//! request data (`graphql::http`). A client that wrote and must read its
//! write sends back the `Dateline-Read-After` position the write's answer
//! carried; a replica that has not replayed it does not answer.

use crate::db::replicas::{Replica, parse_lsn};
use crate::state::AppState;
use actix_web::body::MessageBody;
use actix_web::dev::{Extensions, ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web;
use std::rc::Rc;

/// The primary's WAL position after a write, on the write's answer; sent
/// back on a read, that read sees the write.
pub const READ_AFTER: HeaderName = HeaderName::from_static("dateline-read-after");
/// Which database answered a read: `replica` or `primary`.
pub const READ_FROM: HeaderName = HeaderName::from_static("dateline-read-from");

/// A replica that may answer a read by a caller without credentials now.
pub fn choose<'a>(state: &'a AppState, headers: &HeaderMap) -> Option<(usize, &'a Replica)> {
    let replicas = state.replicas.as_ref()?;
    let floor = state.versions.replica_floor()?;
    let asked = headers.get(READ_AFTER).and_then(|v| v.to_str().ok()).and_then(parse_lsn).unwrap_or(0);
    replicas.pick(floor.max(asked))
}

/// The state a read answered by `replica` runs with.
pub fn state_on(state: &AppState, replica: &Replica) -> AppState {
    replica.answering();
    AppState { db: replica.db.clone(), ..state.clone() }
}

/// Says which database answered, when there are replicas to choose from.
pub fn marked(mut resp: actix_web::HttpResponse, from: Option<&'static str>) -> actix_web::HttpResponse {
    if let Some(from) = from {
        resp.headers_mut().insert(READ_FROM, HeaderValue::from_static(from));
    }
    resp
}

/// REST reads: GETs without an `Authorization` header go to a replica
/// when one may answer (GraphQL chooses for itself, by what the operation
/// reads). Any other request that wrote answers with the primary's WAL
/// position after it, in `Dateline-Read-After`.
pub async fn route(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    // Without replicas every request passes straight on (no clone).
    let with_replicas = req.app_data::<web::Data<AppState>>().filter(|s| s.replicas.is_some());
    let Some(state) = with_replicas.cloned() else {
        return next.call(req).await;
    };
    if !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        let before = state.versions.committed_writes();
        let mut resp = next.call(req).await?;
        if state.versions.committed_writes() > before
            && let Ok(Some(lsn)) = crate::db::replicas::primary_position(&state.db).await
            && let Ok(v) = HeaderValue::from_str(&crate::db::replicas::format_lsn(lsn))
        {
            resp.headers_mut().insert(READ_AFTER, v);
        }
        return Ok(resp);
    }
    let api = req.path().starts_with("/v1/");
    let mut on = api.then_some("primary");
    if api
        && !req.headers().contains_key(AUTHORIZATION)
        && let Some((_, replica)) = choose(&state, req.headers())
    {
        let mut ext = Extensions::new();
        ext.insert(web::Data::new(state_on(&state, replica)));
        req.add_data_container(Rc::new(ext));
        on = Some("replica");
    }
    let mut resp = next.call(req).await?;
    if let Some(on) = on {
        resp.headers_mut().insert(READ_FROM, HeaderValue::from_static(on));
    }
    Ok(resp)
}
