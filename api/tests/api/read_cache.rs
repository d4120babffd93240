//! Public GraphQL answers kept in memory: a repeated read costs no
//! statement, a write replaces exactly what it changed before its answer
//! returns, the clock's own changes (a scheduled story's time) show on
//! time, and nothing read with credentials is ever kept.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{Story, TestApp, t0};
use chrono::TimeDelta;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

const PAGE: &str = "query($slug: String!) { article(slug: $slug) { headline commentCount \
    comments(first: 5) { nodes { body { text } reactionCount viewerHasReacted replies(first: 2) { nodes { body { text } } } } } \
    related(first: 3) { article { headline } } } }";

const LIST: &str = "{ articles(first: 10) { nodes { slug headline } } }";

async fn page(app: &TestApp, slug: &str) -> (Value, usize) {
    let (r, sql) = app.statements_of(app.gql(PAGE, json!({ "slug": slug }))).await;
    assert!(r.get("errors").is_none(), "{r}");
    (r["data"]["article"].clone(), sql.len())
}

fn texts(article: &Value) -> Vec<String> {
    article["comments"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["body"]["text"].as_str().unwrap().to_owned())
        .collect()
}

async fn version(app: &TestApp, id: uuid::Uuid) -> i64 {
    let (status, body) = app.get_json(&format!("/v1/articles/{id}")).await;
    assert_eq!(status, 200, "{body}");
    body["version"].as_i64().unwrap_or_else(|| panic!("{body}"))
}

async fn metric(app: &TestApp, name: &str) -> f64 {
    let text = app.get("/metrics").await.text().await.unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(name).and_then(|v| v.trim().parse().ok()))
        .unwrap_or_else(|| panic!("{name} is not in /metrics"))
}

#[actix_web::test]
async fn a_repeated_public_read_costs_nothing_until_a_write_changes_it() {
    let app = TestApp::spawn().await;
    let a = app.story("a", "Story A", Some(t0() - TimeDelta::hours(2)), Story::default()).await;
    let b = app.story("b", "Story B", Some(t0() - TimeDelta::hours(1)), Story::default()).await;
    let (reader, _) = app.person("Reader", "reader").await;
    let first = app.comment(&reader, a, None, "First on A").await;

    let (cold, n) = page(&app, "a").await;
    assert!(n > 0);
    let (warm, n) = page(&app, "a").await;
    assert_eq!(n, 0, "served from memory");
    assert_eq!(warm, cold);
    let hits = metric(&app, "dateline_read_cache_hits_total").await;
    assert!(hits >= 1.0, "{hits}");

    // A comment on another story leaves A's answer kept.
    app.comment(&reader, b, None, "First on B").await;
    assert_eq!(page(&app, "a").await.1, 0);

    // A reply on A: the very next read shows it, and its count.
    app.comment(&reader, a, Some(&first), "A reply").await;
    let (after, n) = page(&app, "a").await;
    assert!(n > 0);
    assert_eq!(after["commentCount"], 2);
    assert_eq!(after["comments"]["nodes"][0]["replies"]["nodes"][0]["body"]["text"], "A reply");

    // A reaction changes the count shown.
    let r = app
        .gql_as(
            Some(&reader),
            "mutation($id: ID!) { reactToComment(id: $id) { comment { reactionCount } } }",
            json!({ "id": first }),
        )
        .await;
    assert!(r.get("errors").is_none(), "{r}");
    let (after, _) = page(&app, "a").await;
    assert_eq!(after["comments"]["nodes"][0]["reactionCount"], 1);
    assert_eq!(after["comments"]["nodes"][0]["viewerHasReacted"], false, "the anonymous answer");

    // An edit of the story, through REST.
    let key = app.key(&["content:write"]).await;
    let (status, _, body) = app
        .call(
            "PATCH",
            &format!("/v1/articles/{a}"),
            Some(&key),
            Some(json!({ "headline": "Story A, updated" })),
            &[],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(page(&app, "a").await.0["headline"], "Story A, updated");

    // B's headline shows in lists kept before B changed.
    let list = app.gql(LIST, json!({})).await;
    assert_eq!(list["data"]["articles"]["nodes"][0]["headline"], "Story B");
    let r = app
        .gql_as(
            Some(&key),
            "mutation($id: ID!, $v: Int!) { updateArticle(id: $id, expectedVersion: $v, input: { headline: \"Story B, updated\" }) { article { headline } } }",
            json!({ "id": b.to_string(), "v": version(&app, b).await }),
        )
        .await;
    assert!(r.get("errors").is_none(), "{r}");
    let list = app.gql(LIST, json!({})).await;
    assert_eq!(list["data"]["articles"]["nodes"][0]["headline"], "Story B, updated");
}

#[actix_web::test]
async fn moderation_and_unpublishing_take_answers_out_of_memory() {
    let app = TestApp::spawn().await;
    let a = app.story("a", "Story A", Some(t0() - TimeDelta::hours(2)), Story::default()).await;
    let (reader, _) = app.person("Reader", "reader").await;
    let (moderator, _) = app.person("Mod", "moderator").await;
    let spam = app.comment(&reader, a, None, "Buy things").await;
    app.comment(&reader, a, None, "A fair point").await;
    assert_eq!(texts(&page(&app, "a").await.0), ["A fair point", "Buy things"]);
    assert_eq!(page(&app, "a").await.1, 0);

    let r = app
        .gql_as(
            Some(&moderator),
            "mutation($id: ID!) { moderateComment(id: $id, status: REJECTED) { comment { status } } }",
            json!({ "id": spam }),
        )
        .await;
    assert!(r.get("errors").is_none(), "{r}");
    let (after, _) = page(&app, "a").await;
    assert_eq!(texts(&after), ["A fair point"]);
    assert_eq!(after["commentCount"], 1);

    let key = app.key(&["content:write"]).await;
    let (status, _, body) =
        app.call("POST", &format!("/v1/articles/{a}/unpublish"), Some(&key), None, &[]).await;
    assert!(status < 300, "{status} {body}");
    let r = app.gql(PAGE, json!({ "slug": "a" })).await;
    assert_eq!(r["data"]["article"], Value::Null, "{r}");
}

#[actix_web::test]
async fn a_scheduled_story_shows_when_its_time_comes_with_no_write() {
    let app = TestApp::spawn().await;
    app.story("now", "Out now", Some(t0() - TimeDelta::hours(1)), Story::default()).await;
    app.story("later", "Out at one", Some(t0() + TimeDelta::hours(1)), Story::default()).await;
    let slugs = |r: &Value| {
        r["data"]["articles"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["slug"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(slugs(&app.gql(LIST, json!({})).await), ["now"]);
    let (r, sql) = app.statements_of(app.gql(LIST, json!({}))).await;
    assert_eq!((slugs(&r), sql.len()), (vec!["now".to_owned()], 0));

    app.state.clock.advance(TimeDelta::hours(1));
    assert_eq!(slugs(&app.gql(LIST, json!({})).await), ["later", "now"]);

    // A clock set back is never answered with what was read "later".
    app.state.clock.set(t0());
    assert_eq!(slugs(&app.gql(LIST, json!({})).await), ["now"]);
}

#[actix_web::test]
async fn answers_read_with_credentials_are_never_kept() {
    let app = TestApp::spawn().await;
    let a = app.story("a", "Story A", Some(t0() - TimeDelta::hours(2)), Story::default()).await;
    let (reader, _) = app.person("Reader", "reader").await;
    let first = app.comment(&reader, a, None, "First").await;
    let key = app.key(&["content:read-drafts"]).await;
    for token in [&reader, &key] {
        for _ in 0..2 {
            let (r, sql) = app.statements_of(app.gql_as(Some(token), PAGE, json!({ "slug": "a" }))).await;
            assert!(r.get("errors").is_none(), "{r}");
            assert!(!sql.is_empty(), "read again for every caller with credentials");
        }
    }
    app.gql_as(
        Some(&reader),
        "mutation($id: ID!) { reactToComment(id: $id) { comment { reactionCount } } }",
        json!({ "id": first }),
    )
    .await;
    let mine = app.gql_as(Some(&reader), PAGE, json!({ "slug": "a" })).await;
    assert_eq!(mine["data"]["article"]["comments"]["nodes"][0]["viewerHasReacted"], true);
    let anonymous = app.gql(PAGE, json!({ "slug": "a" })).await;
    assert_eq!(anonymous["data"]["article"]["comments"]["nodes"][0]["viewerHasReacted"], false);

    // Over GET too, and a document with an error is read every time.
    let bad = "{ article(slug: \"a\") { headline } moderationQueue { nodes { id } } }";
    for _ in 0..2 {
        let (resp, sql) = app
            .statements_of(async {
                let url = format!(
                    "{}/graphql?query={}",
                    app.addr,
                    url::form_urlencoded::byte_serialize(bad.as_bytes()).collect::<String>()
                );
                app.client.get(url).send().await.unwrap().json::<Value>().await.unwrap()
            })
            .await;
        assert!(resp.get("errors").is_some(), "{resp}");
        assert!(!sql.is_empty());
    }
}

#[actix_web::test]
async fn the_cache_can_be_turned_off() {
    let app = TestApp::spawn_configured(|c| c.read_cache.read_cache_mb = 0).await;
    app.story("a", "Story A", Some(t0() - TimeDelta::hours(2)), Story::default()).await;
    page(&app, "a").await;
    assert!(page(&app, "a").await.1 > 0);
    let text = app.get("/metrics").await.text().await.unwrap();
    assert!(!text.contains("dateline_read_cache_hits_total"));
}

/// Readers race a writer: once a comment's answer has returned, no read
/// that starts afterwards shows the thread without it, whatever the
/// readers were keeping while it was written.
#[actix_web::test]
async fn no_read_after_a_write_returns_shows_what_it_replaced() {
    let app = TestApp::spawn_configured(|c| c.db.db_max_connections = 8).await;
    let a = app.story("a", "Story A", Some(t0() - TimeDelta::hours(2)), Story::default()).await;
    let (reader, _) = app.person("Reader", "reader").await;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut readers = Vec::new();
    for _ in 0..6 {
        let (client, addr, stop) = (app.client.clone(), app.addr.clone(), stop.clone());
        readers.push(actix_web::rt::spawn(async move {
            let mut reads = 0;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let r: Value = client
                    .post(format!("{addr}/graphql"))
                    .json(&json!({ "query": PAGE, "variables": { "slug": "a" } }))
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                assert!(r.get("errors").is_none(), "{r}");
                reads += 1;
            }
            reads
        }));
    }
    for i in 1..=15 {
        app.comment(&reader, a, None, &format!("Comment {i}")).await;
        let (now, _) = page(&app, "a").await;
        assert_eq!(now["commentCount"], i, "after comment {i}: {now}");
        assert_eq!(texts(&now)[0], format!("Comment {i}"));
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let mut reads = 0;
    for r in readers {
        reads += r.await.unwrap();
    }
    assert!(reads > 0);
}

#[actix_web::test]
async fn rest_reads_are_kept_with_their_tags_and_replaced_by_writes() {
    let app = TestApp::spawn().await;
    let a = app.story("a", "Story A", Some(t0() - TimeDelta::hours(2)), Story::default()).await;
    let (reader, _) = app.person("Reader", "reader").await;
    app.comment(&reader, a, None, "First").await;

    let read = |path: &'static str| {
        let app = &app;
        async move {
            let (resp, sql) = app.statements_of(app.get(path)).await;
            let etag = resp.headers().get("etag").map(|v| v.to_str().unwrap().to_owned());
            let status = resp.status().as_u16();
            let body: Value = resp.json().await.unwrap();
            (status, body, etag, sql.len())
        }
    };
    let (status, cold, etag, n) = read("/v1/articles/a").await;
    assert_eq!((status, n > 0), (200, true), "{cold}");
    let (_, warm, warm_etag, n) = read("/v1/articles/a").await;
    assert_eq!((warm, warm_etag.clone(), n), (cold.clone(), etag.clone(), 0));

    // Revalidation from memory, with the tag as a compressing proxy sends it.
    let etag = etag.unwrap();
    let (resp, sql) = app
        .statements_of(
            app.client
                .get(format!("{}/v1/articles/a", app.addr))
                .header("If-None-Match", format!("W/{etag}"))
                .send(),
        )
        .await;
    let resp = resp.unwrap();
    assert_eq!((resp.status().as_u16(), sql.len()), (304, 0));
    assert_eq!(resp.headers()["etag"].to_str().unwrap(), etag);

    let (_, comments, _, _) = read("/v1/articles/a/comments").await;
    assert_eq!(comments["items"].as_array().unwrap().len(), 1, "{comments}");
    assert_eq!(read("/v1/articles/a/comments").await.3, 0);

    app.comment(&reader, a, None, "Second").await;
    let (_, comments, _, n) = read("/v1/articles/a/comments").await;
    assert!(n > 0);
    assert_eq!(comments["items"][0]["body"]["text"], "Second", "{comments}");
    let (_, article, new_etag, _) = read("/v1/articles/a").await;
    assert_eq!(article["commentCount"], 2);
    assert_ne!(new_etag.unwrap(), etag);

    // Credentials are never answered from memory.
    for _ in 0..2 {
        let (resp, sql) = app
            .statements_of(
                app.client.get(format!("{}/v1/articles/a/comments", app.addr)).bearer_auth(&reader).send(),
            )
            .await;
        assert_eq!(resp.unwrap().status().as_u16(), 200);
        assert!(!sql.is_empty());
    }
}

/// Readers arriving together for an answer nobody holds cost one read:
/// the first reads, the others wait for what it keeps.
#[actix_web::test]
async fn readers_arriving_together_cost_one_read() {
    let app = TestApp::spawn_configured(|c| c.db.db_max_connections = 8).await;
    let (reader, _) = app.person("Reader", "reader").await;
    for slug in ["a", "b", "c"] {
        let id = app
            .story(slug, &format!("Story {slug}"), Some(t0() - TimeDelta::hours(2)), Story::default())
            .await;
        app.comment(&reader, id, None, &format!("On {slug}")).await;
    }
    // One story read alone (after the first keep has read the clock's horizon).
    page(&app, "a").await;
    let (_, alone) = page(&app, "b").await;
    assert!(alone > 0);

    let (answers, sql) = app
        .statements_of(futures_util::future::join_all((0..12).map(|_| app.gql(PAGE, json!({ "slug": "c" })))))
        .await;
    for r in &answers {
        assert_eq!(r["data"]["article"]["headline"], "Story c", "{r}");
    }
    assert_eq!(sql.len(), alone, "twelve readers, one read: {sql:#?}");
}

/// Writers on different stories of one section race readers of both pages
/// and of the section's list, which shows both counts: after each round
/// every answer read shows every comment written.
#[actix_web::test]
async fn writers_on_stories_of_one_section_never_leave_a_count_behind() {
    let app = TestApp::spawn_configured(|c| c.db.db_max_connections = 8).await;
    let city = Story { section: Some("city"), ..Story::default() };
    let a = app.story("a", "Story A", Some(t0() - TimeDelta::hours(2)), city).await;
    let b = app.story("b", "Story B", Some(t0() - TimeDelta::hours(1)), city).await;
    let (one, _) = app.person("One", "reader").await;
    let (two, _) = app.person("Two", "reader").await;
    const SECTION: &str =
        "{ articles(first: 10, filter: { section: \"city\" }) { nodes { slug commentCount } } }";
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut readers = Vec::new();
    for n in 0..6 {
        let (client, addr, stop) = (app.client.clone(), app.addr.clone(), stop.clone());
        readers.push(actix_web::rt::spawn(async move {
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let body = match n % 3 {
                    0 => json!({ "query": SECTION }),
                    1 => json!({ "query": PAGE, "variables": { "slug": "a" } }),
                    _ => json!({ "query": PAGE, "variables": { "slug": "b" } }),
                };
                let r: Value = client
                    .post(format!("{addr}/graphql"))
                    .json(&body)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                assert!(r.get("errors").is_none(), "{r}");
            }
        }));
    }
    for i in 1..=10 {
        let (on_a, on_b) = (format!("A {i}"), format!("B {i}"));
        let (x, y) =
            futures_util::join!(app.comment(&one, a, None, &on_a), app.comment(&two, b, None, &on_b));
        assert!(!x.is_empty() && !y.is_empty());
        assert_eq!(page(&app, "a").await.0["commentCount"], i);
        assert_eq!(page(&app, "b").await.0["commentCount"], i);
        let list = app.gql(SECTION, json!({})).await;
        let counts: Vec<_> = list["data"]["articles"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["commentCount"].clone())
            .collect();
        assert_eq!(counts, [json!(i), json!(i)], "round {i}: {list}");
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    for r in readers {
        r.await.unwrap();
    }
}

/// A GET with `accept-encoding` (none when empty): status, headers, the
/// body as sent.
async fn coded_get(
    app: &TestApp,
    path: &str,
    accept: &str,
    more: &[(&str, &str)],
) -> (u16, HeaderMap, Vec<u8>) {
    let mut r = app.client.get(format!("{}{path}", app.addr));
    if !accept.is_empty() {
        r = r.header("accept-encoding", accept);
    }
    for (k, v) in more {
        r = r.header(*k, *v);
    }
    let r = r.send().await.unwrap();
    let (status, headers) = (r.status().as_u16(), r.headers().clone());
    (status, headers, r.bytes().await.unwrap().to_vec())
}

fn decoded(coding: &str, body: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    match coding {
        "gzip" => flate2::read::GzDecoder::new(body).read_to_end(&mut out).map(|_| ()),
        "deflate" => flate2::read::ZlibDecoder::new(body).read_to_end(&mut out).map(|_| ()),
        "br" => brotli::Decompressor::new(body, 4096).read_to_end(&mut out).map(|_| ()),
        "zstd" => zstd::stream::read::Decoder::new(body).unwrap().read_to_end(&mut out).map(|_| ()),
        other => panic!("coding {other:?}"),
    }
    .unwrap();
    out
}

/// Every line of the header, as one list.
fn header_of(h: &HeaderMap, name: &str) -> String {
    h.get_all(name).iter().map(|v| v.to_str().unwrap()).collect::<Vec<_>>().join(", ")
}

#[actix_web::test]
async fn kept_answers_are_coded_once_per_coding_as_the_client_prefers() {
    let app = TestApp::spawn().await;
    app.story("a", "Story A", Some(t0() - TimeDelta::hours(1)), Story::default()).await;
    let gql = format!(
        "/graphql?{}",
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("query", PAGE)
            .append_pair("variables", &json!({ "slug": "a" }).to_string())
            .finish()
    );
    let mut made = metric(&app, "dateline_read_cache_codings_total").await;
    for path in [gql.as_str(), "/v1/articles/a"] {
        let (status, h, plain) = coded_get(&app, path, "", &[]).await;
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&plain));
        assert_eq!(header_of(&h, "content-encoding"), "");
        let etag = header_of(&h, "etag");
        assert!(etag.starts_with('"'), "{h:?}");

        // Revalidating needs no coding.
        let (status, _, _) = coded_get(&app, path, "gzip, br", &[("if-none-match", &etag)]).await;
        assert_eq!(status, 304);
        assert_eq!(metric(&app, "dateline_read_cache_codings_total").await, made);

        let weighed = metric(&app, "dateline_read_cache_bytes").await;
        for (accept, coding, new) in [
            ("gzip", "gzip", true),
            ("gzip, deflate, br, zstd", "br", true),
            ("br;q=0.5, gzip;q=0.9", "gzip", false),
            ("br;q=0, zstd", "zstd", true),
            ("gzip, deflate, br, zstd", "br", false),
            ("br", "br", false),
        ] {
            let ((status, h, body), sql) = app.statements_of(coded_get(&app, path, accept, &[])).await;
            assert_eq!(status, 200);
            assert!(sql.is_empty(), "a kept answer: {sql:?}");
            assert_eq!(header_of(&h, "content-encoding"), coding, "{accept}");
            assert_eq!(decoded(coding, &body), plain, "{accept}");
            assert!(body.len() < plain.len(), "{accept}: {} of {}", body.len(), plain.len());
            assert_eq!(header_of(&h, "etag"), format!("W/{etag}"), "another representation");
            assert!(header_of(&h, "vary").to_ascii_lowercase().contains("accept-encoding"));
            if new {
                made += 1.0;
            }
            assert_eq!(metric(&app, "dateline_read_cache_codings_total").await, made, "{accept}");
        }
        // The coded bytes count toward the cache's bound.
        assert!(metric(&app, "dateline_read_cache_bytes").await > weighed);

        // A coding not kept is made as for any answer, and identity stays identity.
        let (_, h, body) = coded_get(&app, path, "deflate", &[]).await;
        assert_eq!(header_of(&h, "content-encoding"), "deflate");
        assert_eq!(decoded("deflate", &body), plain);
        let (_, h, body) = coded_get(&app, path, "identity, gzip;q=0", &[]).await;
        assert_eq!(header_of(&h, "content-encoding"), "");
        assert_eq!(body, plain);
        assert_eq!(metric(&app, "dateline_read_cache_codings_total").await, made);
    }

    // A write replaces the kept answer: the next coded read is the new one.
    let id = app.get_json("/v1/articles/a").await.1["id"].as_str().unwrap().parse().unwrap();
    let key = app.key(&["content:write"]).await;
    app.retitle(id, &key, "Story A, retitled").await;
    let (_, h, body) = coded_get(&app, "/v1/articles/a", "br", &[]).await;
    assert_eq!(header_of(&h, "content-encoding"), "br");
    let fresh: Value = serde_json::from_slice(&decoded("br", &body)).unwrap();
    assert_eq!(fresh["headline"], "Story A, retitled");
}
