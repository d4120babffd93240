//! What every REST write shares: JSON bodies parsed with the failing field
//! named, `If-Match` preconditions, and `Idempotency-Key` replays.

use super::idempotency;
use crate::domain::accounts::Actor;
use crate::domain::tx;
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::http::{Method, StatusCode};
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use futures_util::future::LocalBoxFuture;
use sea_orm::DatabaseTransaction;
use serde::de::DeserializeOwned;

/// A write's body, accepted only when it is declared as JSON (`415`
/// otherwise; the bytes are read within the body limits either way, so the
/// connection stays usable). An empty body needs no type: it means "no
/// fields".
pub struct JsonBody(pub web::Bytes);

impl std::ops::Deref for JsonBody {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl FromRequest for JsonBody {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, actix_web::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let declared = req.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok());
        let is_json = declared.is_some_and(|v| {
            let essence = v.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
            essence == "application/json"
                || (essence.starts_with("application/") && essence.ends_with("+json"))
        });
        // JSON is UTF-8 (RFC 8259); a body declared in another charset would
        // be read as UTF-8 all the same, and wrongly.
        let foreign_charset = declared.is_some_and(|v| {
            v.split(';').skip(1).filter_map(|p| p.split_once('=')).any(|(k, val)| {
                k.trim().eq_ignore_ascii_case("charset")
                    && !matches!(val.trim().trim_matches('"').to_ascii_lowercase().as_str(), "utf-8" | "utf8")
            })
        });
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let body = bytes.await?;
            let blank = body.iter().all(u8::is_ascii_whitespace);
            if !is_json && !blank {
                return Err(AppError::UnsupportedMediaType("send the body as application/json".into()).into());
            }
            if foreign_charset {
                return Err(AppError::UnsupportedMediaType("send the body as UTF-8 JSON".into()).into());
            }
            // Declared JSON, a body must be JSON; only one not sent at all is "no fields".
            if is_json && blank && !body.is_empty() {
                return Err(AppError::field("body", "is not JSON").into());
            }
            Ok(JsonBody(body))
        })
    }
}

/// Parses a JSON body; a bad field is reported by its path (`tagIds[2]`).
/// Anything after the JSON value is refused, not ignored.
pub fn parse_body<T: DeserializeOwned>(body: &[u8]) -> AppResult<T> {
    let body = if body.iter().all(u8::is_ascii_whitespace) { b"{}".as_slice() } else { body };
    let de = &mut serde_json::Deserializer::from_slice(body);
    let bad = |path: String, message: String| {
        let message = message.split(" at line ").next().unwrap_or_default().to_owned();
        AppError::BadInput(vec![FieldError { path, message }])
    };
    // serde would read a struct from an array too (`[null, null]`).
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(bad("body".into(), "must be a JSON object".into()));
    }
    let value = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { "body".to_owned() } else { path };
        bad(path, e.inner().to_string())
    })?;
    de.end().map_err(|_| bad("body".into(), "has data after the JSON value".into()))?;
    Ok(value)
}

/// The version an `If-Match` header asks for: `"3"`, `W/"3"` or the ETag of
/// a GET (`"3-…"`).
pub fn if_match(req: &HttpRequest) -> AppResult<Option<i32>> {
    let Some(h) = req.headers().get(actix_web::http::header::IF_MATCH) else { return Ok(None) };
    parse_if_match(h.as_bytes()).map(Some)
}

/// The version in an `If-Match` value.
pub fn parse_if_match(value: &[u8]) -> AppResult<i32> {
    let bad = || AppError::field("If-Match", "must be the article's ETag or version, e.g. \"3\"");
    let v = std::str::from_utf8(value).map_err(|_| bad())?.trim();
    let v = v.strip_prefix("W/").unwrap_or(v).trim_matches('"');
    let version = v.split('-').next().unwrap_or_default();
    version.parse().map_err(|_| bad())
}

/// A stale `If-Match` is 412, not 409.
pub fn precondition(err: AppError, conditional: bool) -> AppError {
    match err {
        AppError::Conflict(m) if conditional => AppError::PreconditionFailed(m),
        other => other,
    }
}

fn respond(status: u16, body: String, replayed: bool) -> HttpResponse {
    let mut r = HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::OK));
    r.content_type("application/json");
    if replayed {
        r.insert_header(("Idempotent-Replayed", "true"));
    }
    r.body(body)
}

/// Runs a write as one unit of work. On POST with an `Idempotency-Key`,
/// the answer commits with the write, and a retry replays it.
pub async fn run<F>(
    state: &AppState,
    actor: &Actor,
    req: &HttpRequest,
    body: &[u8],
    f: F,
) -> AppResult<HttpResponse>
where
    F: AsyncFn(&DatabaseTransaction) -> AppResult<(u16, serde_json::Value)>,
{
    let key = match req.headers().get("Idempotency-Key") {
        Some(v) if req.method() == Method::POST => {
            let k = v.to_str().map_err(|_| AppError::field("Idempotency-Key", "must be ASCII"))?.to_owned();
            idempotency::check_key(&k)?;
            Some(k)
        }
        _ => None,
    };
    let keyed = key.zip(actor.idempotency_owner());
    let fp = idempotency::fingerprint(req.method().as_str(), req.path(), body);
    if let Some((k, owner)) = &keyed
        && let Some(stored) = idempotency::lookup(&state.db, *owner, k, &fp).await?
    {
        return Ok(respond(stored.status, stored.body, true));
    }
    let fresh = tx::unit!(&state.db, |txn| {
        if let Some((k, owner)) = &keyed
            && !idempotency::claim(txn, *owner, k, &fp, state.clock.now()).await?
        {
            return Ok(None);
        }
        let (status, value) = f(txn).await?;
        let text = serde_json::to_string(&value).map_err(AppError::internal)?;
        if let Some((k, owner)) = &keyed {
            idempotency::complete(txn, *owner, k, &idempotency::Stored { status, body: text.clone() })
                .await?;
        }
        Ok(Some((status, text)))
    })?;
    match (fresh, &keyed) {
        (Some((status, text)), _) => Ok(respond(status, text, false)),
        // A concurrent request with the same key won; answer as it did.
        (None, Some((k, owner))) => match idempotency::lookup(&state.db, *owner, k, &fp).await? {
            Some(stored) => Ok(respond(stored.status, stored.body, true)),
            None => Err(AppError::Busy),
        },
        (None, None) => Err(AppError::Busy),
    }
}

pub fn to_json<T: serde::Serialize>(v: &T) -> AppResult<serde_json::Value> {
    serde_json::to_value(v).map_err(AppError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_takes_a_version_or_an_etag() {
        for (value, version) in
            [("3", 3), ("\"3\"", 3), ("W/\"3\"", 3), ("\"12-9f86d081884c\"", 12), (" \"4\" ", 4)]
        {
            assert_eq!(parse_if_match(value.as_bytes()).ok(), Some(version), "{value}");
        }
        for bad in ["", "*", "\"abc\"", "W/", "\u{fffd}"] {
            let e = parse_if_match(bad.as_bytes()).err().map(|e| (e.status(), e.fields()[0].path.clone()));
            assert_eq!(e, Some((400, "If-Match".into())), "{bad}");
        }
        assert!(parse_if_match(&[0xff, b'3']).is_err());
    }

    #[test]
    fn a_stale_condition_is_412_and_a_plain_conflict_stays_409() {
        let stale = || AppError::Conflict("the article is at version 4, not 3".into());
        assert_eq!(precondition(stale(), true).status(), 412);
        assert_eq!(precondition(stale(), false).status(), 409);
        assert_eq!(precondition(AppError::NotFound("article"), true).status(), 404);
    }
}
