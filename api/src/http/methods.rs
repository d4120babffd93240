//! Methods: HEAD is answered wherever GET is, and a known path asked with a
//! method it does not take is a 405 naming the ones it does (`Allow`),
//! rather than a 404 that tells a client the resource does not exist.

use crate::error::AppError;
use actix_web::body::MessageBody;
use actix_web::dev::{ResourceDef, ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};

/// A HEAD request runs as GET before routing; the HTTP layer, which saw
/// HEAD, sends the headers and drops the body. A method HTTP does not
/// define runs as one `OTHER`: no route takes it either way, and the
/// request metrics, labelled by method, stay bounded whatever names
/// callers invent.
pub async fn normalize(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    } else if !HTTP_METHODS.contains(&req.method().as_str()) && req.method() != Method::CONNECT {
        req.head_mut().method = other();
    }
    next.call(req).await
}

fn other() -> Method {
    Method::from_bytes(b"OTHER").unwrap_or(Method::TRACE)
}

/// The operations an OpenAPI path item may hold; its other keys
/// (`parameters`, `description`, ...) are not methods.
const HTTP_METHODS: [&str; 8] = ["GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"];

/// Every path pattern and the methods it takes.
pub struct Routes(Vec<(ResourceDef, String)>);

impl Routes {
    /// From the OpenAPI document's paths plus the routes it does not
    /// describe (GraphQL, the docs pages).
    pub fn new(openapi: &serde_json::Value, extra: &[(&str, &[&str])]) -> Self {
        let mut routes: Vec<(String, Vec<String>)> = Vec::new();
        if let Some(paths) = openapi.get("paths").and_then(|p| p.as_object()) {
            for (path, item) in paths {
                let methods = item
                    .as_object()
                    .map(|ops| {
                        ops.keys()
                            .map(|k| k.to_ascii_uppercase())
                            .filter(|m| HTTP_METHODS.contains(&m.as_str()))
                            .collect()
                    })
                    .unwrap_or_default();
                routes.push((path.clone(), methods));
            }
        }
        for (path, methods) in extra {
            routes.push(((*path).to_owned(), methods.iter().map(|m| (*m).to_owned()).collect()));
        }
        Self(
            routes
                .into_iter()
                .map(|(path, mut methods)| {
                    if methods.iter().any(|m| m == "GET") {
                        methods.push("HEAD".into());
                    }
                    (ResourceDef::new(path), methods.join(", "))
                })
                .collect(),
        )
    }

    /// The methods of every pattern the path matches (`/v1/articles/x`
    /// may be a slug for GET and an id for PUT).
    fn allowed(&self, path: &str) -> Option<String> {
        let mut methods: Vec<&str> = Vec::new();
        for (_, allow) in self.0.iter().filter(|(def, _)| def.is_match(path)) {
            for m in allow.split(", ") {
                if !methods.contains(&m) {
                    methods.push(m);
                }
            }
        }
        (!methods.is_empty()).then(|| methods.join(", "))
    }
}

/// What answers a request no route took.
pub async fn unmatched(req: HttpRequest, routes: web::Data<Routes>) -> HttpResponse {
    // A path whose pattern takes this very method fell through on something
    // else (an id that is no id): that is a plain 404.
    match routes.allowed(req.path()) {
        Some(allow) if !allow.split(", ").any(|m| m == req.method().as_str()) => {
            AppError::MethodNotAllowed { allow }.error_response()
        }
        _ => AppError::NotFound("route").error_response(),
    }
}
