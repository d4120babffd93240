//! What a newcomer found in their first hour with Dateline: each defect
//! with the test that failed before it was fixed, and the example article
//! page the binary serves.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{Story, TestApp, t0};
use crate::live_comments::{live_app, sse_events};
use chrono::TimeDelta;
use serde_json::{Value, json};

/// Where each of `keys` first appears in `text`, which must be in order.
fn in_order(text: &str, keys: &[&str]) {
    let mut at = 0;
    for k in keys {
        let needle = format!("\"{k}\":");
        let found =
            text[at..].find(&needle).unwrap_or_else(|| panic!("{k} is not after byte {at} of {text}"));
        at += found + needle.len();
    }
}

#[actix_web::test]
async fn graphql_answers_keep_the_query_field_order_every_time() {
    let app = TestApp::spawn().await;
    app.story(
        "order-a",
        "Order A",
        Some(t0() - TimeDelta::hours(2)),
        Story { section: Some("world"), ..Story::default() },
    )
    .await;
    app.story(
        "order-b",
        "Order B",
        Some(t0() - TimeDelta::hours(1)),
        Story { section: Some("world"), ..Story::default() },
    )
    .await;
    // Deliberately not alphabetical, nested, with an alias and a fragment.
    let query = "{ articles(first: 2) { totalCount pageInfo { hasNextPage endCursor } \
        edges { node { slug ...F id wordCount section { slug name } headline } cursor } } \
        zeta: article(slug: \"order-a\") { version headline dek slug } } \
        fragment F on Article { url dateline commentsStatus }";
    let keys = [
        "articles",
        "totalCount",
        "pageInfo",
        "hasNextPage",
        "endCursor",
        "edges",
        "node",
        "slug",
        "url",
        "dateline",
        "commentsStatus",
        "id",
        "wordCount",
        "section",
        "slug",
        "name",
        "headline",
        "cursor",
        "zeta",
        "version",
        "headline",
        "dek",
        "slug",
    ];
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..20 {
        let text = app
            .client
            .post(format!("{}/graphql", app.addr))
            .json(&json!({ "query": query }))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!text.contains("\"errors\""), "{text}");
        in_order(&text, &keys);
        seen.insert(text);
    }
    assert_eq!(seen.len(), 1, "identical requests, different answers: {seen:?}");
}

#[actix_web::test]
async fn comments_status_says_closed_once_the_thread_closed_by_itself() {
    let app = TestApp::spawn_configured(|c| c.comments.comments_auto_close_days = 2).await;
    app.story("old-news", "Old news", Some(t0() - TimeDelta::days(3)), Story::default()).await;
    app.story("fresh-news", "Fresh news", Some(t0() - TimeDelta::hours(1)), Story::default()).await;
    assert_eq!(thread_status(&app, "old-news").await, ("CLOSED".into(), false, "CLOSED".into()));
    assert_eq!(thread_status(&app, "fresh-news").await, ("OPEN".into(), true, "OPEN".into()));
    // Read (and kept by the read cache) while open, then the time passes.
    app.state.clock.advance(TimeDelta::days(2));
    assert_eq!(thread_status(&app, "fresh-news").await, ("CLOSED".into(), false, "CLOSED".into()));
}

/// GraphQL's commentsStatus and commentsOpen, and REST's commentsStatus.
async fn thread_status(app: &TestApp, slug: &str) -> (String, bool, String) {
    let g = app
        .gql(&format!("{{ article(slug: \"{slug}\") {{ commentsStatus commentsOpen }} }}"), json!({}))
        .await;
    let (_, r) = app.get_json(&format!("/v1/articles/{slug}")).await;
    (
        g["data"]["article"]["commentsStatus"].as_str().unwrap().to_owned(),
        g["data"]["article"]["commentsOpen"].as_bool().unwrap(),
        r["commentsStatus"].as_str().unwrap().to_owned(),
    )
}

#[actix_web::test]
async fn a_comment_held_then_approved_is_replayed_once_after_a_reconnect() {
    let app = live_app().await;
    let article = app.story("held", "Held", Some(t0() - TimeDelta::hours(1)), Story::default()).await;
    let (alice, _) = app.person("Alice", "READER").await;
    let (bob, _) = app.person("Bob", "READER").await;
    let (mona, _) = app.person("Mona", "MODERATOR").await;
    let stream = |last: Option<i64>| {
        let mut r =
            app.client.get(format!("{}/v1/articles/held/comments/stream", app.addr)).bearer_auth(&bob);
        if let Some(n) = last {
            r = r.header("Last-Event-ID", n.to_string());
        }
        r.send()
    };
    let mut resp = stream(None).await.unwrap();
    app.comment(&alice, article, None, "before").await;
    let last = sse_events(&mut resp, 1).await[0].0;
    drop(resp);

    // While Bob is away: a comment waits for review, then is approved.
    let gid = api::graphql::ids::encode(api::graphql::ids::Kind::Article, article).0;
    let set = "mutation($a: ID!, $m: CommentModeration!) { setCommentModeration(articleId: $a, moderation: $m) { moderation } }";
    app.gql_as(Some(&mona), set, json!({ "a": gid, "m": "PRE" })).await;
    let held = app.comment(&alice, article, None, "held, then approved").await;
    let r = app
        .gql_as(
            Some(&mona),
            "mutation($id: ID!) { moderateComment(id: $id, status: APPROVED) { comment { status } } }",
            json!({ "id": held }),
        )
        .await;
    assert_eq!(r["data"]["moderateComment"]["comment"]["status"], "APPROVED", "{r}");
    app.gql_as(Some(&mona), set, json!({ "a": gid, "m": "DEFAULT" })).await;
    app.comment(&alice, article, None, "after").await;

    let mut resp = stream(Some(last)).await.unwrap();
    let events = sse_events(&mut resp, 2).await;
    let texts: Vec<(&str, &str)> =
        events.iter().map(|e| (e.1.as_str(), e.2["body"]["text"].as_str().unwrap())).collect();
    assert_eq!(texts, [("comment.added", "held, then approved"), ("comment.added", "after")]);
}

#[actix_web::test]
async fn a_rest_comment_comes_with_its_ancestors_as_graphql_gives_them() {
    let app = TestApp::spawn().await;
    let article = app.story("deep", "Deep", Some(t0() - TimeDelta::hours(1)), Story::default()).await;
    let (alice, _) = app.person("Alice", "READER").await;
    let top = app.comment(&alice, article, None, "top").await;
    let middle = app.comment(&alice, article, Some(&top), "middle").await;
    let deep = app.comment(&alice, article, Some(&middle), "deep").await;
    let (top_id, middle_id, deep_id) =
        (uuid_of(&app, &top).await, uuid_of(&app, &middle).await, uuid_of(&app, &deep).await);

    let (status, r) = app.get_json(&format!("/v1/comments/{deep_id}")).await;
    assert_eq!(status, 200, "{r}");
    let chain: Vec<(&str, &str)> = r["ancestors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["id"].as_str().unwrap(), a["body"]["text"].as_str().unwrap()))
        .collect();
    assert_eq!(chain, [(top_id.as_str(), "top"), (middle_id.as_str(), "middle")]);
    assert_eq!(r["ancestors"][0]["author"]["displayName"], "Alice");
    let g = app.gql(&format!("{{ comment(id: \"{deep}\") {{ ancestors {{ uuid }} }} }}"), json!({})).await;
    let via_graphql: Vec<&str> = g["data"]["comment"]["ancestors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["uuid"].as_str().unwrap())
        .collect();
    assert_eq!(via_graphql, [top_id.as_str(), middle_id.as_str()]);
    // A top-level comment has none; lists stay without the field.
    let (_, r) = app.get_json(&format!("/v1/comments/{top_id}")).await;
    assert_eq!(r["ancestors"], json!([]));
    let (_, list) = app.get_json("/v1/articles/deep/comments").await;
    assert!(list["items"][0].get("ancestors").is_none(), "{list}");
}

async fn text(app: &TestApp, path: &str) -> String {
    app.get(path).await.text().await.unwrap()
}

async fn uuid_of(app: &TestApp, gid: &str) -> String {
    let r = app.gql(&format!("{{ comment(id: \"{gid}\") {{ uuid }} }}"), json!({})).await;
    r["data"]["comment"]["uuid"].as_str().unwrap().to_owned()
}

#[actix_web::test]
async fn sitemaps_name_the_site_and_are_never_empty() {
    let app = TestApp::spawn_configured(|c| c.site.site_url = "https://news.example".into()).await;
    // No story at all: the index has a page, the page and the news sitemap a URL.
    let index = text(&app, "/sitemap.xml").await;
    let loc =
        index.split("<loc>").nth(1).and_then(|s| s.split("</loc>").next()).unwrap().replace("&amp;", "&");
    assert!(loc.starts_with("https://news.example/sitemap.xml?page="), "{index}");
    assert!(!index.contains("127.0.0.1"), "{index}");
    let page = text(&app, &loc.replace("https://news.example", "")).await;
    assert!(page.contains("<url><loc>https://news.example/</loc></url>"), "{page}");
    let news = text(&app, "/sitemap-news.xml").await;
    assert_eq!(news.matches("<url>").count(), 1, "{news}");

    app.story(
        "today",
        "Today",
        Some(t0() - TimeDelta::hours(1)),
        Story { section: Some("world"), ..Story::default() },
    )
    .await;
    let index = text(&app, "/sitemap.xml").await;
    let loc =
        index.split("<loc>").nth(1).and_then(|s| s.split("</loc>").next()).unwrap().replace("&amp;", "&");
    let page = text(&app, &loc.replace("https://news.example", "")).await;
    assert!(page.contains("<loc>https://news.example/world/today</loc>"), "{page}");
    assert!(!page.contains("<loc>https://news.example/</loc>"), "{page}");
    let news = text(&app, "/sitemap-news.xml").await;
    assert!(news.contains("<news:title>Today</news:title>") && news.matches("<url>").count() == 1, "{news}");
}

/// GET /graphql as the page sends `ArticlePage`: its name, variables and hash.
fn page_request(addr: &str, vars: &Value, ext: &Value) -> url::Url {
    let mut u = url::Url::parse(&format!("{addr}/graphql")).unwrap();
    u.query_pairs_mut()
        .append_pair("operationName", "ArticlePage")
        .append_pair("variables", &vars.to_string())
        .append_pair("extensions", &ext.to_string());
    u
}

/// The SHA-256 of the example page's operation named `name`.
fn example_operation(name: &str) -> String {
    let ops = api::domain::persisted::manifest::parse(api::http::example::operations()).unwrap();
    let op = ops.iter().find(|o| o.name.as_deref() == Some(name)).unwrap();
    api::domain::token::sha256_hex(&[op.document.as_bytes()])
}

#[actix_web::test]
async fn the_example_page_is_served_and_its_operations_run_by_hash_even_when_only_trusted_ones_may() {
    let app = TestApp::spawn_configured(|c| c.graphql.graphql_trusted_documents_only = true).await;
    fixtures_demo(&app).await;
    let page = app.get("/example/").await;
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["content-type"], "text/html; charset=utf-8");
    let csp = page.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(csp.contains("script-src 'self';") && csp.contains("img-src 'self' data: https:"), "{csp}");
    let etag = page.headers()["etag"].to_str().unwrap().to_owned();
    let html = page.text().await.unwrap();
    assert!(html.contains("<script type=\"module\" src=\"js/main.js\"></script>"), "{html}");
    let again =
        app.client.get(format!("{}/example/", app.addr)).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(again.status(), 304);
    let script = app.get("/example/js/main.js").await;
    assert_eq!(script.headers()["content-type"], "text/javascript; charset=utf-8");
    assert!(script.text().await.unwrap().contains("ArticlePageDocument"));
    assert_eq!(app.get("/example/js/nothing.js").await.status(), 404);
    let redirect = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{}/example", app.addr))
        .send()
        .await
        .unwrap();
    assert_eq!(
        (redirect.status().as_u16(), redirect.headers()["location"].to_str().unwrap()),
        (308, "/example/")
    );

    // The page's first request, as the browser sends it: by hash, by GET.
    let vars =
        json!({ "slug": "harris-amlo-migration-talks", "comments": 10, "replies": 3, "order": "NEWEST" });
    let ext = json!({ "persistedQuery": { "version": 1, "sha256Hash": example_operation("ArticlePage") } });
    let r = app.client.get(page_request(&app.addr, &vars, &ext)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["cache-control"].to_str().unwrap().starts_with("public"), "{:?}", r.headers());
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["data"]["article"]["dateline"], "MEXICO CITY, MEXICO", "{body}");
    assert!(body["data"]["article"]["related"].as_array().unwrap().len() >= 5, "{body}");
    // Anything else is refused to a caller without a key.
    let r = app.gql("{ article(slug: \"harris-amlo-migration-talks\") { headline } }", json!({})).await;
    assert_eq!(crate::common::error_code(&r), "PERSISTED_QUERY_NOT_IN_LIST", "{r}");

    let off = TestApp::spawn_configured(|c| c.server.example_page = false).await;
    assert_eq!(off.get("/example/").await.status(), 404);
    let ext = json!({ "persistedQuery": { "version": 1, "sha256Hash": example_operation("ArticlePage") } });
    let r = off.client.get(page_request(&off.addr, &vars, &ext)).send().await.unwrap();
    let body: Value = r.json().await.unwrap();
    assert_eq!(crate::common::error_code(&body), "PERSISTED_QUERY_NOT_FOUND", "{body}");
}

async fn fixtures_demo(app: &TestApp) {
    api::fixtures::demo::load_if_empty(&app.state.db, app.state.clock.now()).await.unwrap();
}
