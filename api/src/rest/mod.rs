//! The JSON REST adapter under `/v1`, described by OpenAPI at `/openapi.json`.

pub mod articles;
pub mod cache;
pub mod health;
pub mod problem;
pub mod taxonomy;
pub mod views;

use crate::domain::accounts::Actor;
use crate::error::{AppError, AppResult};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use std::future::{Ready, ready};
use std::str::FromStr;
use utoipa::OpenApi;
use utoipa_actix_web::scope::Scope;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Dateline",
        description = "A headless content API for news publishers. Errors are application/problem+json (RFC 9457) with a machine `code`.",
        version = "1"
    ),
    tags((name = "articles"), (name = "taxonomy"), (name = "operations"))
)]
pub struct ApiDoc;

/// The caller of a REST request.
pub struct Caller(pub Actor);

impl FromRequest for Caller {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(crate::auth::actor_of(req).map(Caller))
    }
}

/// Parses an optional query parameter, naming it when it is malformed.
pub fn parse_opt<T: FromStr>(value: Option<String>, name: &str) -> AppResult<Option<T>> {
    value
        .map(|v| v.parse::<T>().map_err(|_| AppError::field(name, format!("is not a valid value: {v:?}"))))
        .transpose()
}

pub fn v1() -> Scope<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    utoipa_actix_web::scope("/v1")
        .service(articles::list_articles)
        .service(articles::get_article)
        .service(taxonomy::list_sections)
        .service(taxonomy::list_tags)
        .service(taxonomy::list_authors)
}
