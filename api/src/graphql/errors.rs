//! The one mapping from errors to GraphQL `extensions.code`.

use crate::error::AppError;
use async_graphql::{ErrorExtensionValues, Response, Value};

/// Gives every error in a response a machine code. Domain errors carry their
/// own; the engine's own parse/validation errors are classified here.
pub fn decorate(resp: &mut Response) {
    for err in &mut resp.errors {
        let ext = err.extensions.get_or_insert_with(ErrorExtensionValues::default);
        if let Some(app) = err.source.as_ref().and_then(|s| s.downcast_ref::<AppError>()) {
            ext.set("code", app.code());
            if !app.fields().is_empty() {
                let fields: Vec<Value> = app
                    .fields()
                    .iter()
                    .map(|f| {
                        let mut m = async_graphql::indexmap::IndexMap::new();
                        m.insert(async_graphql::Name::new("path"), Value::from(f.path.clone()));
                        m.insert(async_graphql::Name::new("message"), Value::from(f.message.clone()));
                        Value::Object(m)
                    })
                    .collect();
                ext.set("fields", Value::List(fields));
            }
            continue;
        }
        if ext.get("code").is_some() {
            continue;
        }
        let m = &err.message;
        let code = if m.contains("Invalid value for argument") || m.contains("Failed to parse") {
            "BAD_USER_INPUT"
        } else if m.contains("too complex") || m.contains("nested too deep") {
            "QUERY_TOO_COMPLEX"
        } else if m.starts_with(" --> ") || m.contains("expected") {
            "GRAPHQL_PARSE_FAILED"
        } else {
            "GRAPHQL_VALIDATION_FAILED"
        };
        ext.set("code", code);
    }
}
