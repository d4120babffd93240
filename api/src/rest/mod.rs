//! The JSON REST adapter under `/v1`, described by OpenAPI at `/openapi.json`.

pub mod accounts;
pub mod archive;
pub mod article_input;
pub mod article_writes;
pub mod articles;
pub mod cache;
pub mod comment_stream;
pub mod comment_views;
pub mod comment_writes;
pub mod comments;
pub mod feeds;
pub mod headers;
pub mod health;
pub mod idempotency;
pub mod kept;
pub mod names;
pub mod patterns;
pub mod problem;
pub mod related;
pub mod required;
pub mod responses;
pub mod sync;
pub mod taxonomy;
pub mod taxonomy_writes;
pub mod views;
pub mod webhooks;
pub mod write_support;

use crate::domain::accounts::Actor;
use crate::domain::accounts::policy;
use crate::domain::articles::Audience;
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
    tags((name = "articles"), (name = "taxonomy"), (name = "media"), (name = "comments"), (name = "moderation"), (name = "accounts"), (name = "sync"), (name = "webhooks"), (name = "syndication"), (name = "operations")),
    components(schemas(problem::Problem)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

/// Declares the `Authorization: Bearer KEY` scheme writes use.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An API key from `dateline keys create`, or a person's session token from sign-in",
                    ))
                    .build(),
            ),
        );
    }
}

/// The caller of a REST request.
pub struct Caller(pub Actor);

impl FromRequest for Caller {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(crate::auth::actor_of(req).map(Caller))
    }
}

/// A caller allowed to write content. Handlers take it before the body, so
/// a caller without a valid key or the scope is told so (401/403) whatever
/// the body holds, and nothing of the body is read or checked for them.
pub struct Writer(pub Actor);

impl FromRequest for Writer {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(crate::auth::actor_of(req).and_then(|actor| {
            policy::can_write_content(&actor)?;
            Ok(Writer(actor))
        }))
    }
}

/// What a read returns: public, or a preview when `?preview=true` (which
/// needs `content:read-drafts`).
pub fn audience(caller: &Caller, preview: Option<String>) -> AppResult<Audience> {
    let preview = parse_opt::<bool>(preview, "preview")?.unwrap_or(false);
    policy::audience(&caller.0, preview)
}

/// A UUID path segment, named when malformed.
pub fn parse_uuid(s: &str, name: &str) -> AppResult<uuid::Uuid> {
    uuid::Uuid::parse_str(s).map_err(|_| AppError::field(name, "must be a UUID"))
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
        .service(article_writes::upsert_article)
        .service(article_writes::create_article)
        .service(article_writes::publish_article)
        .service(article_writes::unpublish_article)
        .service(article_writes::archive_article)
        .service(article_writes::set_related)
        .service(related::related_articles)
        .service(comments::list_comments)
        .service(comment_stream::comment_stream)
        .service(comment_writes::post_comment)
        .service(articles::get_article)
        .service(article_writes::replace_article)
        .service(article_writes::patch_article)
        .service(article_writes::delete_article)
        .service(taxonomy_writes::create_section)
        .service(taxonomy_writes::update_section)
        .service(taxonomy_writes::create_tag)
        .service(taxonomy_writes::update_tag)
        .service(taxonomy_writes::create_author)
        .service(taxonomy_writes::update_author)
        .service(taxonomy_writes::create_media)
        .service(taxonomy_writes::update_media)
        .service(taxonomy::list_sections)
        .service(taxonomy::list_tags)
        .service(taxonomy::list_authors)
        .service(comments::get_comment)
        .service(comment_writes::edit_comment)
        .service(comment_writes::delete_comment)
        .service(comments::list_replies)
        .service(comment_writes::react)
        .service(comment_writes::flag)
        .service(comment_writes::moderate)
        .service(comment_writes::queue)
        .service(accounts::register)
        .service(accounts::sign_in)
        .service(accounts::sign_in_sso)
        .service(accounts::sign_out)
        .service(accounts::me)
        .service(accounts::my_comments)
        .service(accounts::delete_me)
        .service(sync::sync)
        .service(archive::export)
        .service(archive::import)
        .service(webhooks::create_webhook)
        .service(webhooks::list_webhooks)
        .service(webhooks::get_webhook)
        .service(webhooks::update_webhook)
        .service(webhooks::delete_webhook)
        .service(webhooks::rotate_webhook_secret)
        .service(webhooks::ping_webhook)
        .service(webhooks::list_deliveries)
        .service(webhooks::retry_delivery)
        .service(article_writes::add_correction)
}
