//! The GraphQL-over-HTTP request parameters (`query`, `operationName`,
//! `variables`, `extensions`, and a persisted document's `documentId` or
//! Relay's `doc_id`) from a POST body or a GET query string. A request
//! whose parameters are malformed was never a GraphQL request: it is
//! refused with 400 whatever media type the client accepts.

use crate::domain::persisted::Asked;
use crate::error::AppError;
use actix_web::HttpRequest;
use actix_web::http::header::CONTENT_TYPE;
use async_graphql::{Request, Variables};
use serde_json::{Map, Value};

/// A request's parameters: how it names its document, and the rest.
pub struct Params {
    pub asked: Asked,
    pub rest: Rest,
}

/// Everything but the document.
pub struct Rest {
    operation_name: Option<String>,
    variables: Option<Variables>,
}

impl Rest {
    /// The request that runs `document`.
    pub fn request(self, document: String) -> Request {
        let mut req = Request::new(document);
        if let Some(name) = self.operation_name {
            req = req.operation_name(name);
        }
        if let Some(v) = self.variables {
            req = req.variables(v);
        }
        req
    }
}

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
pub fn from_body(body: &[u8]) -> Result<Params, AppError> {
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
pub fn from_query_string(qs: &str) -> Result<Params, AppError> {
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

fn from_map(mut map: Map<String, Value>) -> Result<Params, AppError> {
    let query = match map.remove("query") {
        Some(Value::String(q)) => Some(q),
        None | Some(Value::Null) => None,
        Some(_) => return Err(AppError::field("query", "must be a string")),
    };
    let operation_name = match map.remove("operationName") {
        None | Some(Value::Null) => None,
        Some(Value::String(name)) if name.is_empty() => None,
        Some(Value::String(name)) => Some(name),
        Some(_) => return Err(AppError::field("operationName", "must be a string")),
    };
    let variables = match map.remove("variables") {
        None | Some(Value::Null) => None,
        Some(v @ Value::Object(_)) => Some(Variables::from_json(v)),
        Some(_) => return Err(AppError::field("variables", "must be a JSON object")),
    };
    // Extensions other than a persisted query are accepted and not
    // interpreted; they must still be a map.
    let persisted = match map.remove("extensions") {
        None | Some(Value::Null) => None,
        Some(Value::Object(mut ext)) => persisted_query(ext.remove("persistedQuery"))?,
        Some(_) => return Err(AppError::field("extensions", "must be a JSON object")),
    };
    let document_id = ["documentId", "doc_id"]
        .into_iter()
        .filter_map(|k| map.remove(k).map(|v| (k, v)))
        .try_fold(None, |found: Option<String>, (k, v)| match (found, v) {
            (_, Value::Null) => Ok(None),
            (None, Value::String(id)) => Ok(Some(id)),
            (Some(_), _) => Err(AppError::field(k, "give documentId or doc_id, not both")),
            (None, _) => Err(AppError::field(k, "must be a string")),
        })?;
    let asked = asked(document_id, persisted, query)?;
    Ok(Params { asked, rest: Rest { operation_name, variables } })
}

/// How a request names its document: by a persisted document's id, by the
/// hash of `extensions.persistedQuery` (with the document to register it),
/// or by the document alone.
pub fn asked(
    document_id: Option<String>,
    persisted: Option<String>,
    query: Option<String>,
) -> Result<Asked, AppError> {
    match (document_id, persisted, query) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
            Err(AppError::field("documentId", "names the document; send no query or persistedQuery with it"))
        }
        (Some(id), None, None) => Asked::document_id(&id),
        (None, Some(sha256), text) => Asked::hash(&sha256, text),
        (None, None, Some(text)) => Ok(Asked::Text(text)),
        (None, None, None) => Err(AppError::field("query", "is required (or a persisted document's id)")),
    }
}

/// The hash of `extensions.persistedQuery` (version 1, as Apollo sends it).
pub fn persisted_query(value: Option<Value>) -> Result<Option<String>, AppError> {
    let Some(value) = value else { return Ok(None) };
    let Value::Object(pq) = value else {
        return Err(AppError::field("extensions.persistedQuery", "must be a JSON object"));
    };
    if pq.get("version").and_then(Value::as_u64) != Some(1) {
        return Err(AppError::field("extensions.persistedQuery.version", "must be 1"));
    }
    match pq.get("sha256Hash") {
        Some(Value::String(h)) => Ok(Some(h.clone())),
        _ => Err(AppError::field("extensions.persistedQuery.sha256Hash", "must be a string")),
    }
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
        let req = req.map(|p| p.rest.operation_name).map_err(|e| e.to_string());
        assert_eq!(req, Ok(Some("Q".to_owned())));
        assert!(from_query_string("query=%7Ba%7D&query=%7Bb%7D").is_err());
        assert!(from_query_string("query=%7Ba%7D&variables=nope").is_err());
        assert!(from_query_string("operationName=Q").is_err());
    }

    #[test]
    fn persisted_documents_are_named_one_way_at_a_time() {
        let sha = "ab".repeat(32);
        let apq =
            format!("{{\"extensions\":{{\"persistedQuery\":{{\"version\":1,\"sha256Hash\":\"{sha}\"}}}}}}");
        assert!(matches!(from_body(apq.as_bytes()).map(|p| p.asked), Ok(Asked::Hash { text: None, .. })));
        let with_query = apq.replacen('{', "{\"query\":\"{ a }\",", 1);
        assert!(matches!(
            from_body(with_query.as_bytes()).map(|p| p.asked),
            Ok(Asked::Hash { text: Some(_), .. })
        ));
        assert!(matches!(from_body(b"{\"doc_id\":\"7f\"}").map(|p| p.asked), Ok(Asked::Id(_))));
        assert_eq!(
            refused(&apq.replace("\"version\":1", "\"version\":2")),
            "extensions.persistedQuery.version"
        );
        assert_eq!(refused(&apq.replace(&sha, "xyz")), "extensions.persistedQuery.sha256Hash");
        assert_eq!(refused("{\"documentId\":\"a\",\"query\":\"{ a }\"}"), "documentId");
        assert_eq!(refused("{\"documentId\":\"a\",\"doc_id\":\"a\"}"), "doc_id");
        assert_eq!(refused("{\"documentId\":5}"), "documentId");
        let qs = format!(
            "extensions=%7B%22persistedQuery%22%3A%7B%22version%22%3A1%2C%22sha256Hash%22%3A%22{sha}%22%7D%7D"
        );
        assert!(matches!(from_query_string(&qs).map(|p| p.asked), Ok(Asked::Hash { text: None, .. })));
    }
}
