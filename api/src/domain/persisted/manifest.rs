//! The manifests build tools write of the operations an app sends:
//!
//! - an object of id to document: Relay's `persisted_queries.json`
//!   (`persistConfig`) and GraphQL Code Generator's persisted documents;
//! - Apollo's persisted query manifest (`format:
//!   "apollo-persisted-query-manifest"`, `operations: [{ id, name, body }]`).

use super::store::MAX_ID;
use crate::error::{AppError, AppResult};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: String,
    pub name: Option<String>,
    pub document: String,
}

/// Every entry of a manifest, each document parsed; the first fault
/// refuses the whole file.
pub fn parse(bytes: &[u8]) -> AppResult<Vec<Entry>> {
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| AppError::field("manifest", format!("is not JSON: {e}")))?;
    let Value::Object(map) = value else {
        return Err(AppError::field("manifest", "must be a JSON object"));
    };
    let pairs: Vec<(String, Value)> =
        if map.get("format").and_then(Value::as_str) == Some("apollo-persisted-query-manifest") {
            if map.get("version").and_then(Value::as_u64) != Some(1) {
                return Err(AppError::field("version", "only version 1 of Apollo's manifest is known"));
            }
            let Some(Value::Array(ops)) = map.get("operations") else {
                return Err(AppError::field("operations", "must be an array"));
            };
            ops.iter()
                .enumerate()
                .map(|(i, op)| match (op.get("id").and_then(Value::as_str), op.get("body")) {
                    (Some(id), Some(body)) => Ok((id.to_owned(), body.clone())),
                    _ => Err(AppError::field(format!("operations[{i}]"), "needs an id and a body")),
                })
                .collect::<AppResult<_>>()?
        } else {
            map.into_iter().collect()
        };
    if pairs.is_empty() {
        return Err(AppError::field("manifest", "holds no operation"));
    }
    pairs
        .into_iter()
        .map(|(id, document)| {
            let at = format!("operations.{id}");
            let Value::String(document) = document else {
                return Err(AppError::field(at, "must be a GraphQL document (a string)"));
            };
            if id.is_empty() || id.len() > MAX_ID || id.chars().any(char::is_control) {
                return Err(AppError::field(at, format!("an id is 1 to {MAX_ID} printable characters")));
            }
            let doc = async_graphql::parser::parse_query(&document).map_err(|e| {
                AppError::field(at.clone(), format!("does not parse: {}", one_line(&e.to_string())))
            })?;
            if doc.operations.iter().next().is_none() {
                return Err(AppError::field(at, "holds no operation"));
            }
            Ok(Entry { id, name: operation_name(&document), document })
        })
        .collect()
}

/// The parser's report (a drawing over several lines) as its position and
/// what it expected, so that the command's one line of error says it.
fn one_line(report: &str) -> String {
    let line = |prefix: &str| report.lines().find_map(|l| l.trim().strip_prefix(prefix).map(str::trim));
    match (line("--> "), line("= ")) {
        (Some(at), Some(what)) => format!("at {at}, {what}"),
        _ => report.split_whitespace().collect::<Vec<_>>().join(" "),
    }
}

/// The name of a document's one named operation, for listings.
pub fn operation_name(document: &str) -> Option<String> {
    let doc = async_graphql::parser::parse_query(document).ok()?;
    let mut ops = doc.operations.iter();
    match (ops.next(), ops.next()) {
        (Some((Some(name), _)), None) => Some(name.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relay_and_codegen_maps_and_apollo_manifests_are_read() {
        let relay = br#"{"3be4abb81fa595e25eb725b2c6a87508": "query StoryQuery($slug: String!) { article(slug: $slug) { id } }"}"#;
        let got = parse(relay).map_err(|e| e.to_string());
        assert_eq!(
            got,
            Ok(vec![Entry {
                id: "3be4abb81fa595e25eb725b2c6a87508".into(),
                name: Some("StoryQuery".into()),
                document: "query StoryQuery($slug: String!) { article(slug: $slug) { id } }".into(),
            }])
        );
        let apollo = br#"{"format":"apollo-persisted-query-manifest","version":1,"operations":[
            {"id":"abc","name":"Front","type":"query","body":"query Front { articles { totalCount } }"}]}"#;
        let got = parse(apollo).map_err(|e| e.to_string());
        assert_eq!(
            got.map(|e| (e[0].id.clone(), e[0].name.clone())),
            Ok(("abc".into(), Some("Front".into())))
        );
    }

    #[test]
    fn a_fault_anywhere_refuses_the_file_and_names_it() {
        let path = |bytes: &[u8]| match parse(bytes) {
            Ok(_) => "accepted".to_owned(),
            Err(e) => e.fields().first().map(|f| f.path.clone()).unwrap_or_default(),
        };
        assert_eq!(path(b"nope"), "manifest");
        assert_eq!(path(b"[]"), "manifest");
        assert_eq!(path(b"{}"), "manifest");
        assert_eq!(path(br#"{"a":"{ x }","b":"query {"}"#), "operations.b");
        assert_eq!(path(br#"{"a":3}"#), "operations.a");
        let said = parse(br#"{"b":"query {"}"#).err().map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(said, "invalid input: operations.b: does not parse: at 1:8, expected selection");
        assert_eq!(path(br#"{"a":"fragment F on Article { id }"}"#), "operations.a");
        assert_eq!(
            path(br#"{"format":"apollo-persisted-query-manifest","version":2,"operations":[]}"#),
            "version"
        );
        assert_eq!(
            path(br#"{"format":"apollo-persisted-query-manifest","version":1,"operations":[{"id":"x"}]}"#),
            "operations[0]"
        );
        assert_eq!(
            path(format!(r#"{{"{}":"{{ x }}"}}"#, "i".repeat(201)).as_bytes()),
            format!("operations.{}", "i".repeat(201))
        );
    }
}
