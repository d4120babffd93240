//! The GraphiQL explorer, served whole from the binary: Dateline's page, the
//! pinned GraphiQL and React bundles (fetched from the npm registry and
//! checked against their pinned hashes by `api/build.rs`) and Dateline's own
//! start script, all under `/graphql/assets/`. The page loads nothing from
//! any other host, so it works on a network with no way out.

use actix_web::http::header;
use actix_web::{HttpResponse, web};

/// One embedded file; `file` carries a digest of the content, so it can be
/// cached for ever.
pub struct Asset {
    pub key: &'static str,
    pub file: &'static str,
    pub content_type: &'static str,
    pub integrity: &'static str,
    pub bytes: &'static [u8],
}

include!(concat!(env!("OUT_DIR"), "/graphiql_assets.rs"));

/// Where the assets are served.
pub const ASSET_PREFIX: &str = "/graphql/assets/";

fn asset(key: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|a| a.key == key)
}

fn script(key: &str) -> String {
    asset(key).map_or_else(String::new, |a| {
        format!("<script src=\"{ASSET_PREFIX}{}\" integrity=\"{}\"></script>\n", a.file, a.integrity)
    })
}

fn stylesheet(key: &str) -> String {
    asset(key).map_or_else(String::new, |a| {
        format!("<link rel=\"stylesheet\" href=\"{ASSET_PREFIX}{}\" integrity=\"{}\">\n", a.file, a.integrity)
    })
}

/// Dateline's page: no inline script or style, every file from this origin.
fn page_html() -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Dateline GraphiQL</title>\n<link rel=\"icon\" href=\"data:,\">\n{}{}\
         </head>\n<body>\n<div id=\"graphiql\" data-endpoint=\"/graphql\">Loading GraphiQL…</div>\n\
         {}{}{}{}</body>\n</html>\n",
        stylesheet("graphiql.css"),
        stylesheet("page.css"),
        script("react.js"),
        script("react-dom.js"),
        script("graphiql.js"),
        script("init.js"),
    )
}

/// The GraphiQL page for `/graphql`.
pub fn page() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(page_html())
}

/// `GET /graphql/assets/{file}`.
async fn serve_asset(file: web::Path<String>) -> HttpResponse {
    match ASSETS.iter().find(|a| a.file == file.as_str()) {
        Some(a) => HttpResponse::Ok()
            .content_type(a.content_type)
            .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
            .body(a.bytes),
        None => actix_web::ResponseError::error_response(&crate::error::AppError::NotFound("asset")),
    }
}

/// Registers the asset route.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/graphql/assets/{file}", web::get().to(serve_asset));
}
