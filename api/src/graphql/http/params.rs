//! The GraphQL-over-HTTP request parameters (`query`, `operationName`,
//! `variables`, `extensions`) from a POST body or a GET query string. A
//! request whose parameters are malformed was never a GraphQL request: it is
//! refused with 400 whatever media type the client accepts.

use crate::error::AppError;
use actix_web::HttpRequest;
use actix_web::http::header::CONTENT_TYPE;
use async_graphql::{Request, Variables};
use serde_json::{Map, Value};

/// POST bodies must say they are JSON; without a content type a body could
/// be a form that a browser sends cross-origin without a preflight.
pub fn check_content_type(req: &HttpRequest) -> Result<(), AppError> {
    let Some(value) = req.headers().get(CONTENT_TYPE) else {
        return Err(AppError::UnsupportedMediaType("send the request as application/json".into()));
    };
    let value = value.to_str().unwrap_or_default().to_ascii_lowercase();
    let mut parts = value.split(';').map(str::trim);
    let essence = parts.next().unwrap_or_default();
    let charset_ok = parts.filter_map(|p| p.strip_prefix("charset=")).all(|c| c.trim_matches('"') == "utf-8");
    if essence == "application/json" && charset_ok {
        Ok(())
    } else {
        Err(AppError::UnsupportedMediaType(format!(
            "{essence} is not accepted; send the request as application/json (utf-8)"
        )))
    }
}

/// A JSON body `{ query, operationName, variables, extensions }`. A batch
/// (a JSON array) is refused: one operation per request keeps the cost
/// limits per request meaningful.
pub fn from_body(body: &[u8]) -> Result<Request, AppError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(AppError::field("body", "is empty; send { \"query\": \"...\" }"));
    }
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        let message = e.to_string();
        let message = message.split(" at line ").next().unwrap_or_default().to_owned();
        AppError::field("body", format!("is not JSON: {message}"))
    })?;
    match value {
        Value::Object(map) => from_map(map),
        Value::Array(_) => {
            Err(AppError::field("body", "batched requests are not supported; send one operation"))
        }
        _ => Err(AppError::field("body", "must be a JSON object { \"query\": \"...\" }")),
    }
}

/// `?query=...&operationName=...&variables={json}&extensions={json}`; a
/// parameter given twice is ambiguous and refused.
pub fn from_query_string(qs: &str) -> Result<Request, AppError> {
    let mut map = Map::new();
    for (key, value) in url::form_urlencoded::parse(qs.as_bytes()) {
        let value = match &*key {
            "variables" | "extensions" if !value.is_empty() => serde_json::from_str(&value)
                .map_err(|_| AppError::field(key.to_string(), "must be a JSON object"))?,
            _ => Value::String(value.into_owned()),
        };
        if map.insert(key.to_string(), value).is_some() {
            return Err(AppError::field(key.to_string(), "is given more than once"));
        }
    }
    from_map(map)
}

fn from_map(mut map: Map<String, Value>) -> Result<Request, AppError> {
    let query = match map.remove("query") {
        Some(Value::String(q)) => q,
        None | Some(Value::Null) => return Err(AppError::field("query", "is required")),
        Some(_) => return Err(AppError::field("query", "must be a string")),
    };
    let mut req = Request::new(query);
    match map.remove("operationName") {
        None | Some(Value::Null) => {}
        Some(Value::String(name)) if name.is_empty() => {}
        Some(Value::String(name)) => req = req.operation_name(name),
        Some(_) => return Err(AppError::field("operationName", "must be a string")),
    }
    match map.remove("variables") {
        None | Some(Value::Null) => {}
        Some(v @ Value::Object(_)) => req = req.variables(Variables::from_json(v)),
        Some(_) => return Err(AppError::field("variables", "must be a JSON object")),
    }
    // Extensions are accepted and not interpreted; they must still be a map.
    match map.remove("extensions") {
        None | Some(Value::Null | Value::Object(_)) => {}
        Some(_) => return Err(AppError::field("extensions", "must be a JSON object")),
    }
    Ok(req)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(body: &str) -> String {
        match from_body(body.as_bytes()) {
            Ok(_) => String::from("accepted"),
            Err(e) => e.fields().first().map(|f| f.path.clone()).unwrap_or_default(),
        }
    }

    #[test]
    fn bodies_that_are_not_requests_name_their_fault() {
        assert_eq!(refused(""), "body");
        assert_eq!(refused("{ \"not a JSON"), "body");
        assert_eq!(refused("[{\"query\":\"{ __typename }\"}]"), "body");
        assert_eq!(refused("\"{ __typename }\""), "body");
        assert_eq!(refused("{\"qeury\":\"{ __typename }\"}"), "query");
        for bad in ["{\"a\":1}", "0", "false", "[\"x\"]"] {
            assert_eq!(refused(&format!("{{\"query\":{bad}}}")), "query");
            assert_eq!(
                refused(&format!("{{\"query\":\"{{ a }}\",\"operationName\":{bad}}}")),
                "operationName"
            );
        }
        for bad in ["\"x\"", "0", "false", "[\"x\"]"] {
            assert_eq!(refused(&format!("{{\"query\":\"{{ a }}\",\"variables\":{bad}}}")), "variables");
            assert_eq!(refused(&format!("{{\"query\":\"{{ a }}\",\"extensions\":{bad}}}")), "extensions");
        }
        let ok = "{\"query\":\"{ a }\",\"operationName\":null,\"variables\":{\"x\":1},\"extensions\":{}}";
        assert_eq!(refused(ok), "accepted");
    }

    #[test]
    fn query_strings_carry_json_variables() {
        let req = from_query_string(
            "query=query%20Q(%24n%3A%20String!)%20%7B%20a%20%7D&operationName=Q&variables=%7B%22n%22%3A%22x%22%7D",
        );
        let req = req.map_err(|e| e.to_string());
        assert!(req.as_ref().is_ok_and(|r| r.operation_name.as_deref() == Some("Q")), "{req:?}");
        assert!(from_query_string("query=%7Ba%7D&query=%7Bb%7D").is_err());
        assert!(from_query_string("query=%7Ba%7D&variables=nope").is_err());
        assert!(from_query_string("operationName=Q").is_err());
    }
}
