//! `/example/`: the reference article page (examples/article-page), served
//! from files compiled into the binary, so a newcomer sees a real page built
//! from the API alone a minute after the server starts. Its GraphQL
//! operations are known to the server as trusted documents (their manifest
//! is compiled in too), so the page sends only their hashes.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};

/// One file of the page.
pub struct File {
    /// The path under `/example/`.
    pub path: &'static str,
    pub content_type: &'static str,
    /// A strong validator of the content.
    pub etag: &'static str,
    pub bytes: &'static [u8],
}

include!(concat!(env!("OUT_DIR"), "/example_assets.rs"));

/// Where the page is served.
pub const PREFIX: &str = "/example/";

/// The page's files may change with the binary: kept a few minutes, then
/// revalidated by ETag.
const CACHE: &str = "public, max-age=300";

/// The page shows photos and plays audio from wherever the stories keep
/// them (any https host); scripts, styles and requests stay on this origin.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
img-src 'self' data: https:; media-src 'self' https:; connect-src 'self'; frame-ancestors 'none'; \
base-uri 'none'; form-action 'self'; object-src 'none'";

/// The page's operations as a manifest (GraphQL Code Generator's persisted
/// documents).
pub fn operations() -> &'static [u8] {
    OPERATIONS
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/example", web::get().to(to_index)).route("/example/{path:.*}", web::get().to(file));
}

async fn to_index() -> HttpResponse {
    HttpResponse::PermanentRedirect().insert_header((header::LOCATION, PREFIX)).finish()
}

async fn file(req: HttpRequest, path: web::Path<String>) -> actix_web::Result<HttpResponse> {
    let path = path.into_inner();
    let wanted = if path.is_empty() { "index.html" } else { path.as_str() };
    let Some(f) = FILES.iter().find(|f| f.path == wanted) else {
        return Err(crate::error::AppError::NotFound("file").into());
    };
    let headers = [
        (header::ETAG, HeaderValue::from_static(f.etag)),
        (header::CACHE_CONTROL, HeaderValue::from_static(CACHE)),
        (header::CONTENT_TYPE, HeaderValue::from_static(f.content_type)),
    ];
    Ok(crate::http::caching::answer(&req, &headers, f.bytes.into()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn the_page_and_its_operations_are_compiled_in() {
        assert!(FILES.iter().any(|f| f.path == "index.html"));
        assert!(FILES.iter().any(|f| f.path == "js/main.js"));
        let ops = crate::domain::persisted::manifest::parse(operations()).expect("the manifest parses");
        assert!(ops.iter().any(|o| o.name.as_deref() == Some("ArticlePage")));
    }
}
