//! What caches in front may do with answers: GraphQL sent by GET (whole or
//! persisted) is public with a strong ETag and the configured
//! Cache-Control when it showed only public content to a caller without
//! credentials, and revalidates with a 304; anything viewer-dependent,
//! failed or sent by POST is `private, no-store`. REST shares the policy.

use crate::common::{Story, TestApp, t0, uncached};
use chrono::TimeDelta;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

const PAGE: &str = "query Page($slug: String!) {\n  article(slug: $slug) {\n    headline\n    commentCount\n    comments(first: 5) { nodes { body { text } } }\n  }\n}";
const PUBLIC: &str = "public, max-age=30, s-maxage=600, stale-while-revalidate=90";

fn configured(c: &mut api::config::Config) {
    c.caching.cache_max_age = 30;
    c.caching.cache_s_maxage = 600;
    c.caching.cache_stale_while_revalidate = 90;
}

fn page_params() -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .append_pair("query", PAGE)
        .append_pair("variables", &json!({ "slug": "harbour" }).to_string())
        .finish()
}

/// A GET of /graphql?`qs`: status, headers, body (empty for a 304).
async fn get(app: &TestApp, qs: &str, headers: &[(&str, &str)]) -> (u16, HeaderMap, String) {
    let mut r = app.client.get(format!("{}/graphql?{qs}", app.addr)).header("accept", "application/json");
    for (k, v) in headers {
        r = r.header(*k, *v);
    }
    let r = r.send().await.unwrap();
    let (status, headers) = (r.status().as_u16(), r.headers().clone());
    (status, headers, r.text().await.unwrap())
}

fn header(h: &HeaderMap, name: &str) -> String {
    h.get(name).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
}

async fn harbour(app: &TestApp) -> uuid::Uuid {
    app.story("harbour", "Harbour reopens", Some(t0() - TimeDelta::hours(1)), Story::default()).await
}

#[actix_web::test]
async fn public_graphql_gets_are_shareable_and_revalidate_with_and_without_the_read_cache() {
    for change in [configured as fn(&mut api::config::Config), |c| {
        configured(c);
        uncached(c);
    }] {
        let app = TestApp::spawn_configured(change).await;
        let story = harbour(&app).await;
        let (status, h, body) = get(&app, &page_params(), &[]).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(header(&h, "cache-control"), PUBLIC);
        let etag = header(&h, "etag");
        assert!(etag.starts_with('"') && etag.len() > 20, "a strong tag: {etag}");
        assert!(header(&h, "vary").contains("Accept"), "{h:?}");
        // The same bytes again, with the same tag.
        let (_, h2, body2) = get(&app, &page_params(), &[]).await;
        assert_eq!((header(&h2, "etag"), body2), (etag.clone(), body.clone()));
        // Revalidation: the tag as sent, or marked weak by a proxy that
        // compresses, or among others.
        for held in [etag.clone(), format!("W/{etag}"), format!("\"other\", {etag}")] {
            let (status, h, body) = get(&app, &page_params(), &[("if-none-match", &held)]).await;
            assert_eq!((status, body.as_str()), (304, ""), "{held}");
            assert_eq!((header(&h, "etag"), header(&h, "cache-control")), (etag.clone(), PUBLIC.to_owned()));
        }
        // A new comment changes the answer, and the old tag no longer matches.
        let (token, _) = app.person("Reader", "READER").await;
        app.comment(&token, story, None, "First!").await;
        let (status, h, body) = get(&app, &page_params(), &[("if-none-match", &etag)]).await;
        assert_eq!(status, 200);
        assert_ne!(header(&h, "etag"), etag);
        assert!(body.contains("First!"), "{body}");
    }
}

#[actix_web::test]
async fn viewer_dependent_failed_and_posted_answers_are_private() {
    let app = TestApp::spawn_configured(configured).await;
    harbour(&app).await;
    let (token, _) = app.person("Reader", "READER").await;
    let key = app.key(&["content:write"]).await;
    // The same public page asked with a session or a key.
    for credential in [token.as_str(), key.as_str()] {
        let auth = format!("Bearer {credential}");
        let (status, h, _) = get(&app, &page_params(), &[("authorization", &auth)]).await;
        assert_eq!(status, 200);
        assert_eq!(header(&h, "cache-control"), "private, no-store");
        assert!(h.get("etag").is_none());
    }
    // What only a signed-in reader sees.
    let me = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("query", "{ me { displayName } }")
        .finish();
    let (_, h, body) = get(&app, &me, &[("authorization", &format!("Bearer {token}"))]).await;
    assert!(body.contains("Reader"), "{body}");
    assert_eq!(header(&h, "cache-control"), "private, no-store");
    // An answer with errors, even without credentials, is kept by nobody.
    let queue = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("query", "{ moderationQueue { totalCount } }")
        .finish();
    let (_, h, body) = get(&app, &queue, &[]).await;
    assert!(body.contains("errors"), "{body}");
    assert_eq!(header(&h, "cache-control"), "private, no-store");
    // POST is never shared, whether or not the read cache answers it.
    for _ in 0..2 {
        let r = app
            .client
            .post(format!("{}/graphql", app.addr))
            .json(&json!({ "query": PAGE, "variables": { "slug": "harbour" } }))
            .send()
            .await
            .unwrap();
        assert_eq!(header(r.headers(), "cache-control"), "private, no-store");
        assert!(r.headers().get("etag").is_none());
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["data"]["article"]["headline"], "Harbour reopens");
    }
}

#[actix_web::test]
async fn a_persisted_get_is_public_and_revalidates() {
    let app = TestApp::spawn_configured(configured).await;
    harbour(&app).await;
    let hash = api::domain::token::sha256_hex(&[PAGE.as_bytes()]);
    let ext = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } }).to_string();
    let r = app
        .client
        .post(format!("{}/graphql", app.addr))
        .json(&json!({ "query": PAGE, "variables": { "slug": "harbour" }, "extensions": serde_json::from_str::<Value>(&ext).unwrap() }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let qs = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("variables", &json!({ "slug": "harbour" }).to_string())
        .append_pair("extensions", &ext)
        .finish();
    let (status, h, body) = get(&app, &qs, &[]).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Harbour reopens"));
    assert_eq!(header(&h, "cache-control"), PUBLIC);
    let etag = header(&h, "etag");
    let (status, _, _) = get(&app, &qs, &[("if-none-match", &etag)]).await;
    assert_eq!(status, 304);
}

#[actix_web::test]
async fn rest_answers_share_the_policy_and_say_when_they_changed() {
    let app = TestApp::spawn_configured(configured).await;
    let story = harbour(&app).await;
    let (token, _) = app.person("Reader", "READER").await;
    let comment = app.comment(&token, story, None, "First!").await;
    let r = app.get("/v1/articles/harbour").await;
    assert_eq!(header(r.headers(), "cache-control"), PUBLIC);
    let modified = header(r.headers(), "last-modified");
    assert!(
        modified.ends_with(" GMT") && chrono::DateTime::parse_from_rfc2822(&modified).is_ok(),
        "{modified}"
    );
    let etag = header(r.headers(), "etag");
    let r = app
        .client
        .get(format!("{}/v1/articles/harbour", app.addr))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 304);
    assert_eq!(
        (header(r.headers(), "cache-control"), header(r.headers(), "etag")),
        (PUBLIC.to_owned(), etag)
    );
    assert_eq!(header(r.headers(), "last-modified"), modified);
    // A comment, by the id REST knows it by.
    let (_, list) = app.get_json("/v1/articles/harbour/comments").await;
    let id = list["items"][0]["id"].as_str().unwrap_or_else(|| panic!("{list} {comment}")).to_owned();
    let r = app.get(&format!("/v1/comments/{id}")).await;
    assert_eq!(r.status(), 200);
    assert!(!header(r.headers(), "last-modified").is_empty());
    assert_eq!(header(r.headers(), "cache-control"), PUBLIC);
    // Any answer to a request with credentials is private, even one that
    // shows only public content; a refusal is kept by nobody.
    let key = app.key(&["content:write"]).await;
    let (_, h, _) = app.call("GET", "/v1/articles/harbour", Some(&key), None, &[]).await;
    assert_eq!(header(&h, "cache-control"), "private, no-store");
    let (status, h, _) = app.call("GET", "/v1/articles/not-yet", None, None, &[]).await;
    assert_eq!((status, header(&h, "cache-control").as_str()), (404, "no-store"));
    // The signed-in reader's view of the thread is private.
    let (_, h, _) = app.call("GET", "/v1/articles/harbour/comments", Some(&token), None, &[]).await;
    assert_eq!(header(&h, "cache-control"), "private, no-store");
}

#[actix_web::test]
async fn validators_come_on_several_lines_by_date_and_per_content_coding() {
    let app = TestApp::spawn().await;
    harbour(&app).await;
    let path = "/v1/articles/harbour";
    let (status, h, _) = app.call("GET", path, None, None, &[]).await;
    assert_eq!(status, 200);
    let etag = header(&h, "etag");
    let modified = header(&h, "last-modified");
    assert!(!etag.is_empty() && !modified.is_empty(), "{h:?}");
    assert!(header(&h, "vary").to_ascii_lowercase().contains("accept-encoding"), "sent as it was: {h:?}");

    // If-None-Match on two lines is one list (RFC 9110 5.3).
    let r = app
        .client
        .get(format!("{}{path}", app.addr))
        .header("if-none-match", "\"other\"")
        .header("if-none-match", etag.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 304);

    // If-Modified-Since: not modified since its own date; modified since
    // an hour before it; ignored beside If-None-Match, which decides.
    let (status, _, _) = app.call("GET", path, None, None, &[("if-modified-since", &modified)]).await;
    assert_eq!(status, 304);
    let earlier = (chrono::DateTime::parse_from_rfc2822(&modified).unwrap() - TimeDelta::hours(1))
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    let (status, _, _) = app.call("GET", path, None, None, &[("if-modified-since", &earlier)]).await;
    assert_eq!(status, 200);
    let (status, _, _) = app
        .call("GET", path, None, None, &[("if-modified-since", &modified), ("if-none-match", "\"other\"")])
        .await;
    assert_eq!(status, 200, "If-None-Match takes precedence");
    let (status, _, _) = app.call("GET", path, None, None, &[("if-modified-since", "not a date")]).await;
    assert_eq!(status, 200);

    // Compressed, it is another representation: its tag is weak, and it
    // still revalidates (compared weakly).
    let r =
        app.client.get(format!("{}{path}", app.addr)).header("accept-encoding", "gzip").send().await.unwrap();
    assert_eq!(header(r.headers(), "content-encoding"), "gzip");
    let weak = header(r.headers(), "etag");
    assert_eq!(weak, format!("W/{etag}"));
    assert!(header(r.headers(), "vary").to_ascii_lowercase().contains("accept-encoding"));
    let (status, _, _) = app.call("GET", path, None, None, &[("if-none-match", &weak)]).await;
    assert_eq!(status, 304);
}
