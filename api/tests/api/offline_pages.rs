//! GraphiQL (`/graphql`) and the API docs (`/docs`) are served whole from
//! the binary: every script, style and font comes from Dateline's own
//! origin, with the right content type, so both work on a network with no
//! way out; the pages' Content-Security-Policy names no other host.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::TestApp;
use base64::Engine;
use sha2::{Digest, Sha384};

/// Every value of `attr="..."` in the page.
fn attributes<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!("{attr}=\"");
    html.match_indices(&needle)
        .filter_map(|(i, _)| {
            let rest = &html[i + needle.len()..];
            rest.find('"').map(|end| &rest[..end])
        })
        .collect()
}

/// Fetches `path` and checks it is a real asset of this type.
async fn asset(app: &TestApp, path: &str, content_type: &str, min_bytes: usize) -> Vec<u8> {
    let r = app.get(path).await;
    assert_eq!(r.status().as_u16(), 200, "{path}");
    let ct = r.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(ct.starts_with(content_type), "{path}: content type {ct}, wanted {content_type}");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff", "{path}");
    let bytes = r.bytes().await.unwrap().to_vec();
    assert!(bytes.len() >= min_bytes, "{path}: only {} bytes", bytes.len());
    bytes
}

/// Checks the page's policy names no other host and returns its directives.
fn csp_names_no_other_host(csp: &str) -> Vec<String> {
    for word in ["http:", "https:", "unpkg", "jsdelivr", "googleapis", "gstatic", "*"] {
        assert!(!csp.contains(word), "CSP names {word}: {csp}");
    }
    let directives: Vec<String> = csp.split(';').map(|d| d.trim().to_owned()).collect();
    assert!(directives.iter().any(|d| d == "script-src 'self'"), "{csp}");
    assert!(directives.iter().any(|d| d == "connect-src 'self'"), "{csp}");
    directives
}

#[actix_web::test]
async fn graphiql_is_served_from_the_binary() {
    let app = TestApp::spawn().await;
    let r =
        app.client.get(format!("{}/graphql", app.addr)).header("accept", "text/html").send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let csp = csp_names_no_other_host(r.headers()["content-security-policy"].to_str().unwrap());
    assert!(csp.iter().any(|d| d == "style-src 'self'"), "no inline style either: {csp:?}");
    let page = r.text().await.unwrap();
    assert!(page.contains("GraphiQL"), "{page}");
    assert!(!page.contains("<style") && !page.contains("style=\""), "no inline style: {page}");
    assert!(page.contains("data-endpoint=\"/graphql\""), "{page}");
    assert!(!page.contains("://"), "the page names another host: {page}");
    assert!(!page.contains("<script>"), "no inline script: {page}");

    let scripts = attributes(&page, "src");
    let styles: Vec<&str> = attributes(&page, "href").into_iter().filter(|h| h.ends_with(".css")).collect();
    // React, ReactDOM, GraphiQL and Dateline's start script; GraphiQL's
    // styles and the page's own.
    assert_eq!(scripts.len(), 4, "{page}");
    assert_eq!(styles.len(), 2, "{page}");
    let integrities = attributes(&page, "integrity");
    assert_eq!(integrities.len(), 6, "{page}");
    for (path, content_type, min) in scripts
        .iter()
        .map(|s| (*s, "text/javascript", 1000))
        .chain(styles.iter().map(|s| (*s, "text/css", 50)))
    {
        assert!(path.starts_with("/graphql/assets/"), "{path}");
        let r = app.get(path).await;
        let cache = r.headers()["cache-control"].to_str().unwrap().to_owned();
        assert!(cache.contains("immutable") && cache.contains("max-age=31536000"), "{path}: {cache}");
        let bytes = asset(&app, path, content_type, min).await;
        // The page pins each file by its hash (subresource integrity).
        let sri =
            format!("sha384-{}", base64::engine::general_purpose::STANDARD.encode(Sha384::digest(&bytes)));
        assert!(integrities.contains(&sri.as_str()), "{path}: no integrity {sri} in the page");
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("sourceMappingURL=index"), "{path} points at a map that is not served");
    }
    // The bundles themselves: GraphiQL's is near a megabyte, React's DOM over 100 KB.
    let graphiql_css = styles.iter().find(|s| s.contains("graphiql-3.9.0")).unwrap();
    asset(&app, graphiql_css, "text/css", 100_000).await;
    let graphiql = scripts.iter().find(|s| s.contains("graphiql-3.9.0")).unwrap();
    asset(&app, graphiql, "text/javascript", 500_000).await;
    let react_dom = scripts.iter().find(|s| s.contains("react-dom-18.3.1")).unwrap();
    asset(&app, react_dom, "text/javascript", 100_000).await;
    let init = scripts.iter().find(|s| s.contains("dateline-graphiql")).unwrap();
    let init = String::from_utf8(asset(&app, init, "text/javascript", 200).await).unwrap();
    assert!(init.contains("GraphiQL.createFetcher"), "{init}");
    // The start script comes last, after what it uses.
    assert_eq!(
        scripts.last(),
        Some(&scripts.iter().find(|s| s.contains("dateline-graphiql")).copied().unwrap())
    );

    let r = app.get("/graphql/assets/no-such-file.js").await;
    assert_eq!(r.status().as_u16(), 404);
    // A query over GET still runs (the page only answers when there is none).
    let (status, body) = app.get_json("/graphql?query=%7B__typename%7D").await;
    assert_eq!((status, body["data"]["__typename"].as_str()), (200, Some("Query")));
}

#[actix_web::test]
async fn api_docs_are_served_from_the_binary() {
    let app = TestApp::spawn().await;
    let no_redirects =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let r = no_redirects.get(format!("{}/docs", app.addr)).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 308);
    assert_eq!(r.headers()["location"], "/docs/");

    let r = app.get("/docs").await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.url().path(), "/docs/");
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let csp = csp_names_no_other_host(r.headers()["content-security-policy"].to_str().unwrap());
    // Swagger UI sets inline styles; still no inline script.
    assert!(csp.iter().any(|d| d == "style-src 'self' 'unsafe-inline'"), "{csp:?}");
    let page = r.text().await.unwrap();
    assert!(page.contains("swagger-ui"), "{page}");
    assert!(!page.contains("://"), "the page names another host: {page}");

    let scripts = attributes(&page, "src");
    assert!(scripts.len() >= 3, "{page}");
    for src in &scripts {
        let path = format!("/docs/{}", src.trim_start_matches("./"));
        asset(&app, &path, "text/javascript", 500).await;
    }
    for href in attributes(&page, "href").into_iter().filter(|h| h.ends_with(".css")) {
        let path = format!("/docs/{}", href.trim_start_matches("./"));
        asset(&app, &path, "text/css", 100).await;
    }
    asset(&app, "/docs/swagger-ui-bundle.js", "text/javascript", 1_000_000).await;
    asset(&app, "/docs/swagger-ui.css", "text/css", 100_000).await;
    // The page reads Dateline's own document and asks no online validator.
    let init =
        String::from_utf8(asset(&app, "/docs/swagger-initializer.js", "text/javascript", 100).await).unwrap();
    assert!(init.contains("\"/openapi.json\""), "{init}");
    assert!(init.contains("\"validatorUrl\": \"none\""), "{init}");
    assert!(!init.contains("://"), "{init}");
    let (status, doc) = app.get_json("/openapi.json").await;
    assert_eq!((status, doc["info"]["title"].as_str()), (200, Some("Dateline")));
}
