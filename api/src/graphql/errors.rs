//! The one mapping from errors to GraphQL `extensions.code`.

use crate::error::{AppError, Code};
use async_graphql::{ErrorExtensionValues, Response, Value};

/// Gives every error in a response a machine code. Domain errors carry their
/// own; the engine's own parse/validation errors are classified here.
pub fn decorate(resp: &mut Response) {
    for err in &mut resp.errors {
        let ext = err.extensions.get_or_insert_with(ErrorExtensionValues::default);
        if let Some(app) = err.source.as_ref().and_then(|s| s.downcast_ref::<AppError>()) {
            ext.set("code", app.code().as_str());
            // A client told when to try again need not read the headers
            // (a resolver's refusal comes in a 200 without Retry-After).
            if let AppError::RateLimited { retry_after_secs } = app {
                ext.set("retryAfter", *retry_after_secs);
            }
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
        // Parse errors never get here (`limits` parses first, with the
        // parser's typed error). The engine's validation and coercion
        // errors carry only a message, so its own wording tells them apart.
        let m = &err.message;
        let code = if m.contains("Invalid value for argument") || m.contains("Failed to parse") {
            Code::BadUserInput
        } else if m.contains("too complex") || m.contains("nested too deep") {
            Code::QueryTooComplex
        } else {
            Code::GraphqlValidationFailed
        };
        ext.set("code", code.as_str());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::ServerError;

    fn code_of(err: ServerError) -> (Option<String>, Option<String>) {
        let mut resp = Response::from_errors(vec![err]);
        decorate(&mut resp);
        let ext = resp.errors[0].extensions.as_ref();
        let get = |k: &str| ext.and_then(|e| e.get(k)).map(|v| v.to_string());
        (get("code"), get("fields"))
    }

    #[test]
    fn domain_errors_carry_their_code_and_fields() {
        let app = AppError::field("input.slug", "is required");
        let mut e = ServerError::new(app.to_string(), None);
        e.source = Some(std::sync::Arc::new(app));
        let (code, fields) = code_of(e);
        assert_eq!(code.as_deref(), Some("\"BAD_USER_INPUT\""));
        assert!(fields.is_some_and(|f| f.contains("input.slug") && f.contains("is required")));
    }

    #[test]
    fn engine_errors_are_classified() {
        for (message, code) in [
            ("Invalid value for argument \"first\", expected type \"Int\"", "BAD_USER_INPUT"),
            ("Failed to parse \"DateTime\": invalid", "BAD_USER_INPUT"),
            ("Query is nested too deep.", "QUERY_TOO_COMPLEX"),
            ("Query is too complex.", "QUERY_TOO_COMPLEX"),
            ("Unknown field \"nope\" on type \"Query\".", "GRAPHQL_VALIDATION_FAILED"),
        ] {
            let (got, _) = code_of(ServerError::new(message, None));
            assert_eq!(got, Some(format!("\"{code}\"")), "{message}");
        }
    }
}
