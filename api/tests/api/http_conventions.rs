//! What browsers, proxies and monitoring expect of any HTTP API: CORS,
//! compression, HEAD, 405 with `Allow`, request ids and metrics a
//! Prometheus scrape can use.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::TestApp;

fn header(h: &reqwest::header::HeaderMap, name: &str) -> String {
    h.get(name).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
}

#[actix_web::test]
async fn any_origin_may_read_and_listed_origins_may_send_credentials() {
    let app = TestApp::spawn_configured(|c| {
        c.server.cors_credentials_origins =
            vec!["https://other.example".into(), " https://desk.example/".into()]
    })
    .await;
    let (status, h, _) =
        app.call("GET", "/v1/articles", None, None, &[("origin", "https://reader.example")]).await;
    assert_eq!(status, 200);
    // One answer for every site: a shared cache keeps one copy.
    assert_eq!(header(&h, "access-control-allow-origin"), "*");
    assert!(!header(&h, "vary").to_ascii_lowercase().contains("origin"), "{h:?}");
    assert!(header(&h, "access-control-allow-credentials").is_empty());
    assert!(header(&h, "access-control-expose-headers").to_ascii_lowercase().contains("x-request-id"));
    // The same without an Origin (a server, or a cache filling itself),
    // since a cache in front hands that copy to pages on any site.
    let (_, h, _) = app.call("GET", "/v1/articles", None, None, &[]).await;
    assert_eq!(header(&h, "access-control-allow-origin"), "*");
    assert!(header(&h, "access-control-expose-headers").to_ascii_lowercase().contains("etag"));
    assert!(!header(&h, "vary").to_ascii_lowercase().contains("origin"), "{h:?}");
    assert!(!header(&h, "vary").to_ascii_lowercase().contains("access-control"), "{h:?}");
    let (_, h, _) = app.call("GET", "/v1/articles", None, None, &[("origin", "https://desk.example")]).await;
    assert_eq!(header(&h, "access-control-allow-credentials"), "true");
    assert_eq!(header(&h, "access-control-allow-origin"), "https://desk.example");
    assert!(header(&h, "vary").to_ascii_lowercase().contains("origin"), "{h:?}");
    // A page may read where a write left the primary, and which database
    // answered (read replicas).
    let exposed = header(&h, "access-control-expose-headers").to_ascii_lowercase();
    assert!(exposed.contains("dateline-read-after") && exposed.contains("dateline-read-from"), "{exposed}");
    // A preflight for a GraphQL POST with a key, and a write's position.
    let preflight = [
        ("origin", "https://reader.example"),
        ("access-control-request-method", "POST"),
        ("access-control-request-headers", "authorization, content-type, dateline-read-after"),
    ];
    let (status, h, _) = app.call("OPTIONS", "/graphql", None, None, &preflight).await;
    assert_eq!(status, 200);
    assert!(header(&h, "access-control-allow-methods").contains("POST"));
    assert!(header(&h, "access-control-allow-headers").to_ascii_lowercase().contains("authorization"));
    assert_eq!(header(&h, "access-control-allow-origin"), "*");
}

#[actix_web::test]
async fn answers_are_compressed_when_the_client_accepts_it() {
    let app = TestApp::spawn().await;
    let plain = app.get("/openapi.json").await.bytes().await.unwrap().len();
    for encoding in ["gzip", "br"] {
        let r = app
            .client
            .get(format!("{}/openapi.json", app.addr))
            .header("accept-encoding", encoding)
            .send()
            .await
            .unwrap();
        assert_eq!(header(r.headers(), "content-encoding"), encoding);
        let sent = r.bytes().await.unwrap().len();
        assert!(sent * 3 < plain, "{encoding}: {sent} bytes of {plain}");
    }
}

#[actix_web::test]
async fn head_works_wherever_get_does() {
    let app = TestApp::with_demo().await;
    for path in
        ["/v1/articles", "/v1/sections", "/openapi.json", "/healthz", "/graphql?query=%7B__typename%7D"]
    {
        let get = app.get(path).await;
        let r = app.client.head(format!("{}{path}", app.addr)).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 200, "{path}");
        assert_eq!(header(r.headers(), "content-type"), header(get.headers(), "content-type"), "{path}");
        assert!(r.bytes().await.unwrap().is_empty(), "{path}");
    }
}

#[actix_web::test]
async fn a_wrong_method_on_a_known_path_is_405_with_allow() {
    let app = TestApp::spawn().await;
    for (method, path, allow) in [
        ("DELETE", "/v1/articles", "GET"),
        ("TRACE", "/v1/articles", "POST"),
        ("PUT", "/graphql", "POST"),
        ("POST", "/openapi.json", "GET"),
        ("TRACE", "/v1/articles/some-story", "GET"),
    ] {
        let (status, h, body) = app.call(method, path, None, None, &[]).await;
        assert_eq!(status, 405, "{method} {path}");
        assert!(header(&h, "allow").contains(allow), "{method} {path}: {}", header(&h, "allow"));
        assert_eq!(header(&h, "content-type"), "application/problem+json");
        assert_eq!(body["code"], "METHOD_NOT_ALLOWED");
    }
    let (status, h, body) = app.call("GET", "/v2/nothing", None, None, &[]).await;
    assert_eq!((status, header(&h, "content-type").as_str()), (404, "application/problem+json"));
    assert_eq!(body["code"], "NOT_FOUND");
}

#[actix_web::test]
async fn request_ids_are_echoed_or_made() {
    let app = TestApp::spawn().await;
    let (_, h, _) = app.call("GET", "/v1/articles", None, None, &[("x-request-id", "edge-7f3a")]).await;
    assert_eq!(header(&h, "x-request-id"), "edge-7f3a");
    for sent in [None, Some("not a token; has spaces")] {
        let headers: Vec<(&str, &str)> = sent.iter().map(|s| ("x-request-id", *s)).collect();
        let (_, h, _) = app.call("GET", "/v1/nothing-here", None, None, &headers).await;
        let made = header(&h, "x-request-id");
        assert!(uuid::Uuid::parse_str(&made).is_ok(), "{made:?}");
    }
}

#[actix_web::test]
async fn metrics_cover_the_pool_the_process_and_graphql_operations() {
    let app = TestApp::spawn().await;
    app.gql("query FrontPage { articles(first: 1) { totalCount } }", serde_json::json!({})).await;
    for i in 0..300 {
        app.gql(&format!("query Random{i} {{ __typename }}"), serde_json::json!({})).await;
    }
    let text = app.get("/metrics").await.text().await.unwrap();
    for want in [
        "dateline_db_pool_connections{state=\"idle\"}",
        "dateline_db_pool_connections{state=\"in_use\"}",
        "dateline_db_pool_max_connections 4",
        "dateline_db_pool_acquire_failures_total",
        "process_resident_memory_bytes",
        "process_cpu_seconds_total",
        "dateline_graphql_operation_duration_seconds_count{operation=\"FrontPage\"} 1",
        "dateline_graphql_operation_duration_seconds_count{operation=\"other\"}",
    ] {
        assert!(
            text.contains(want),
            "{want} missing: {}",
            text.lines()
                .filter(|l| l.contains("graphql_operation_duration_seconds_count"))
                .take(3)
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    // Names past the bound share `other`, so random names cannot grow the output.
    let labels =
        text.lines().filter(|l| l.starts_with("dateline_graphql_operation_duration_seconds_count")).count();
    assert!(labels <= 202, "{labels} operation labels");
}

/// Comment lists and the OpenAPI document revalidate like stories do; a
/// signed-in reader's thread (their own pending comments, their reactions)
/// is never for a shared cache.
#[actix_web::test]
async fn comment_lists_and_the_openapi_document_have_etags() {
    let app = TestApp::spawn().await;
    let a = app
        .story("a", "A story", Some(crate::common::t0() - chrono::TimeDelta::hours(1)), Default::default())
        .await;
    let (reader, _) = app.person("Reader", "reader").await;
    let posted = app.post_comment(&reader, a, None, "A comment").await;
    let uuid = posted["data"]["postComment"]["comment"]["uuid"].as_str().unwrap().to_owned();
    for path in [
        "/v1/articles/a/comments",
        &format!("/v1/comments/{uuid}"),
        &format!("/v1/comments/{uuid}/replies"),
        "/openapi.json",
    ] {
        let (status, h, _) = app.call("GET", path, None, None, &[]).await;
        assert_eq!(status, 200, "{path}");
        let etag = header(&h, "etag");
        assert!(etag.starts_with('"'), "{path}: {h:?}");
        assert!(header(&h, "cache-control").starts_with("public"), "{path}");
        let (status, _, _) =
            app.call("GET", path, None, None, &[("if-none-match", &format!("W/{etag}"))]).await;
        assert_eq!(status, 304, "{path}");
    }
    let (status, h, _) = app.call("GET", "/v1/articles/a/comments", Some(&reader), None, &[]).await;
    assert_eq!(status, 200);
    assert_eq!(header(&h, "cache-control"), "private, no-store");
}
