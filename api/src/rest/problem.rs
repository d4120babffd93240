//! The one mapping from errors to RFC 9457 `application/problem+json`.

use crate::error::{AppError, FieldError};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

#[derive(Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// The same machine code GraphQL puts in `extensions.code`.
    pub code: String,
    /// Each invalid field, on 400 only.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(required = false)]
    pub errors: Vec<FieldError>,
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let problem = Problem {
            kind: "about:blank".into(),
            title: status.canonical_reason().unwrap_or("Error").into(),
            status: status.as_u16(),
            detail: self.to_string(),
            code: self.code().as_str().into(),
            errors: self.fields().to_vec(),
        };
        let mut resp = HttpResponse::build(status);
        resp.content_type("application/problem+json");
        // A refusal is never kept by a cache in front: a story not found
        // now may be published a moment later.
        resp.insert_header(("cache-control", "no-store"));
        for (name, value) in self.headers() {
            resp.insert_header((name, value));
        }
        resp.json(problem)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::MessageBody;

    fn problem(
        err: &AppError,
    ) -> (u16, Option<String>, serde_json::Value, actix_web::http::header::HeaderMap) {
        let resp = err.error_response();
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let ctype = headers.get("content-type").and_then(|v| v.to_str().ok()).map(str::to_owned);
        let bytes = resp.into_body().try_into_bytes().unwrap_or_default();
        (status, ctype, serde_json::from_slice(&bytes).unwrap_or_default(), headers)
    }

    #[test]
    fn every_error_is_problem_json_with_its_code() {
        let (status, ctype, body, _) = problem(&AppError::field("limit", "must be between 0 and 100"));
        assert_eq!((status, ctype.as_deref()), (400, Some("application/problem+json")));
        assert_eq!(body["code"], "BAD_USER_INPUT");
        assert_eq!(body["title"], "Bad Request");
        assert_eq!(body["errors"][0]["path"], "limit");

        let (status, _, body, headers) = problem(&AppError::Unauthenticated);
        assert_eq!((status, body["code"].as_str()), (401, Some("UNAUTHENTICATED")));
        assert_eq!(headers.get("www-authenticate").and_then(|v| v.to_str().ok()), Some("Bearer"));
        assert!(body.get("errors").is_none());

        let (status, _, _, headers) = problem(&AppError::RateLimited { retry_after_secs: 7 });
        assert_eq!((status, headers.get("retry-after").and_then(|v| v.to_str().ok())), (429, Some("7")));

        let (status, _, body, headers) = problem(&AppError::MethodNotAllowed { allow: "POST".into() });
        assert_eq!((status, body["code"].as_str()), (405, Some("METHOD_NOT_ALLOWED")));
        assert_eq!(headers.get("allow").and_then(|v| v.to_str().ok()), Some("POST"));
    }

    #[test]
    fn internals_never_reach_the_client() {
        let (status, _, body, _) =
            problem(&AppError::internal(anyhow::anyhow!("password=hunter2 at db.rs:12")));
        assert_eq!(
            (status, body["code"].as_str(), body["detail"].as_str()),
            (500, Some("INTERNAL_SERVER_ERROR"), Some("internal error"))
        );
        assert!(!body.to_string().contains("hunter2"));
    }
}
