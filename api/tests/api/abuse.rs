//! The abuse suite: hostile requests against the real server on every
//! backend. Each must be refused with the right code, the process must stay
//! up, and a well-behaved client must still be answered during the attack.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::raw::{self, chunked};
use crate::common::{Story, TestApp, error_code};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A well-behaved reader's request, which must keep working.
async fn still_serving(app: &TestApp) {
    let r = app.gql("{ articles(first: 1) { edges { node { slug } } } }", json!({})).await;
    assert!(r["errors"].is_null(), "{r}");
    assert_eq!(app.get("/healthz").await.status().as_u16(), 200);
}

async fn post_query(app: &TestApp, query: &str, variables: Value) -> (u16, Value, Duration) {
    post_raw(app, json!({ "query": query, "variables": variables }).to_string()).await
}

async fn post_raw(app: &TestApp, body: impl Into<reqwest::Body>) -> (u16, Value, Duration) {
    let started = Instant::now();
    let resp = app
        .client
        .post(format!("{}/graphql", app.addr))
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let body = resp.json().await.unwrap_or(Value::Null);
    (status, body, started.elapsed())
}

/// Every place a document can nest, `n` levels deep, as request bodies.
fn nestings(n: usize) -> Vec<(&'static str, String)> {
    let list = format!("{}1{}", "[".repeat(n), "]".repeat(n));
    let object = format!("{}1{}", "{a:".repeat(n), "}".repeat(n));
    let selection = format!(
        "{{ {}__typename{} }}",
        "articles { edges { node { ".repeat(n / 3 + 1),
        " } } }".repeat(n / 3 + 1)
    );
    let var_type = format!("query($v: {}Int{}) {{ __typename }}", "[".repeat(n), "]".repeat(n));
    // Built as text: a deeply nested JSON value would overflow the test's
    // own stack when serialised or dropped.
    let json_var = format!("{}1{}", "[".repeat(n), "]".repeat(n));
    let doc = |q: String| json!({ "query": q }).to_string();
    vec![
        ("list literal", doc(format!("{{ articles(first: 1, after: {list}) {{ totalCount }} }}"))),
        ("object literal", doc(format!("{{ articles(first: 1, filter: {object}) {{ totalCount }} }}"))),
        ("selection sets", doc(selection)),
        ("list type of a variable", doc(var_type)),
        (
            "JSON variables",
            format!(r#"{{"query":"query($v: [Int]) {{ __typename }}","variables":{{"v":{json_var}}}}}"#),
        ),
    ]
}

#[actix_web::test]
async fn nesting_bombs_are_refused_before_parsing_and_the_process_survives() {
    let app = TestApp::spawn().await;
    for n in [10, 1_000, 100_000] {
        for (place, request) in nestings(n) {
            let (status, body, took) = post_raw(&app, request).await;
            assert!(status < 500, "{place} at {n}: {status} {body}");
            assert!(took < Duration::from_secs(5), "{place} at {n} took {took:?}");
            if n >= 1_000 {
                let code = error_code(&body);
                let code = if code == "<none>" {
                    body["code"].as_str().unwrap_or("<none>").to_owned()
                } else {
                    code
                };
                assert!(
                    ["QUERY_TOO_COMPLEX", "BAD_USER_INPUT", "PAYLOAD_TOO_LARGE"].contains(&code.as_str()),
                    "{place} at {n}: {body}"
                );
            }
        }
        // The same over GET (the crash happened on GET too).
        let m = n.min(1_000);
        let query =
            format!("{{ articles(first: 1, after: {}1{}) {{ totalCount }} }}", "[".repeat(m), "]".repeat(m));
        let url = url::Url::parse_with_params(&format!("{}/graphql", app.addr), [("query", query)]).unwrap();
        let resp = app.client.get(url).send().await.unwrap();
        assert!(resp.status().as_u16() < 500);
        if n >= 1_000 {
            let body: Value = resp.json().await.unwrap();
            assert_eq!(error_code(&body), "QUERY_TOO_COMPLEX", "{body}");
        }
        still_serving(&app).await;
    }
}

fn fan_out(levels: usize) -> String {
    let mut doc = format!("query {{ ...F{levels} }}\nfragment F0 on Query {{ __typename }}\n");
    for i in 1..=levels {
        doc.push_str(&format!("fragment F{i} on Query {{ ...F{p} ...F{p} }}\n", p = i - 1));
    }
    doc
}

#[actix_web::test]
async fn fragment_fan_out_and_floods_are_refused_in_milliseconds() {
    let app = TestApp::spawn().await;
    let aliases: String = (0..31).map(|i| format!("a{i}: __typename ")).collect();
    let directives = "@include(if: true) ".repeat(6);
    let attacks = [
        ("fan-out 2^30", fan_out(30)),
        ("fan-out 2^23", fan_out(23)),
        ("aliases", format!("{{ {aliases} }}")),
        ("directives", format!("{{ __typename {directives} }}")),
        ("root fields", format!("{{ {} }}", "__typename ".repeat(21))),
        ("tokens", format!("{{ articles {{ totalCount {} }} }}", "totalCount ".repeat(10_000))),
        (
            "introspection lists",
            "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }".into(),
        ),
        (
            "aliased introspection",
            format!(
                "{{ {} }}",
                (0..31).map(|i| format!("s{i}: __schema {{ types {{ name }} }} ")).collect::<String>()
            ),
        ),
    ];
    for (what, query) in attacks {
        let (status, body, took) = post_query(&app, &query, json!({})).await;
        assert!(status < 500, "{what}: {body}");
        assert_eq!(error_code(&body), "QUERY_TOO_COMPLEX", "{what}: {body}");
        assert!(took < Duration::from_secs(2), "{what} took {took:?}");
    }
    // The standard shapes still pass.
    let ok = "{ __schema { types { name fields { name args { name type { name ofType { name } } } } } } }";
    let (_, body, _) = post_query(&app, ok, json!({})).await;
    assert!(body["errors"].is_null(), "{body}");
    still_serving(&app).await;
}

#[actix_web::test]
async fn attacks_in_parallel_leave_other_clients_served() {
    let app = TestApp::spawn().await;
    app.story("calm", "Calm", Some(crate::common::t0()), Story::default()).await;
    let bomb =
        format!("{{ articles(after: {}1{}) {{ totalCount }} }}", "[".repeat(50_000), "]".repeat(50_000));
    let fan = fan_out(30);
    let mut attackers = Vec::new();
    for i in 0..16 {
        let (client, url) = (app.client.clone(), format!("{}/graphql", app.addr));
        let q = if i % 2 == 0 { bomb.clone() } else { fan.clone() };
        attackers.push(tokio::spawn(async move {
            client.post(url).json(&json!({ "query": q })).send().await.map(|r| r.status().as_u16())
        }));
    }
    let r = app.gql("{ article(slug: \"calm\") { headline } }", json!({})).await;
    assert_eq!(r["data"]["article"]["headline"], "Calm", "{r}");
    for a in attackers {
        let status = a.await.unwrap().unwrap();
        assert!(status < 500, "{status}");
    }
    still_serving(&app).await;
}

#[actix_web::test]
async fn chunked_bodies_are_limited_on_the_bytes_read() {
    let app = TestApp::spawn().await;
    let writer = app.key(&["content:write"]).await;
    for (path, auth) in
        [("/graphql", String::new()), ("/v1/articles", format!("\r\nAuthorization: Bearer {writer}"))]
    {
        let head = format!(
            "POST {path} HTTP/1.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked{auth}"
        );
        let resp = raw::send(
            &app.addr,
            &head,
            &chunked(10 * 1024 * 1024, b' '),
            Duration::ZERO,
            Duration::from_secs(10),
        )
        .await;
        assert_eq!(resp.status, 413, "{path}: {}", resp.text);
        assert!(resp.text.contains("PAYLOAD_TOO_LARGE"), "{path}: {}", resp.text);
    }
    // A declared length over the limit is refused before anything is read.
    let head = "POST /graphql HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 20000000";
    let resp = raw::send(&app.addr, head, &[], Duration::ZERO, Duration::from_secs(5)).await;
    assert_eq!(resp.status, 413, "{}", resp.text);
    still_serving(&app).await;
}

#[actix_web::test]
async fn slow_bodies_time_out_and_so_do_slow_requests() {
    let app = TestApp::spawn_configured(|c| {
        c.http.body_timeout_secs = 1;
        c.http.request_timeout_secs = 30;
    })
    .await;
    let head = "POST /graphql HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 100";
    let started = Instant::now();
    let parts = vec![b"{\"query\":".to_vec()];
    let resp = raw::send(&app.addr, head, &parts, Duration::from_secs(3), Duration::from_secs(10)).await;
    assert_eq!(resp.status, 408, "{}", resp.text);
    assert!(resp.text.contains("REQUEST_TIMEOUT"), "{}", resp.text);
    assert!(started.elapsed() < Duration::from_secs(8));

    let app = TestApp::spawn_configured(|c| {
        c.http.body_timeout_secs = 20;
        c.http.request_timeout_secs = 1;
    })
    .await;
    let resp = raw::send(&app.addr, head, &parts, Duration::from_secs(3), Duration::from_secs(10)).await;
    assert_eq!(resp.status, 503, "{}", resp.text);
    assert!(resp.text.contains("TIMEOUT"), "{}", resp.text);
    // An abandoned request still carries its id, for the operator to find.
    assert!(resp.text.to_ascii_lowercase().contains("x-request-id: "), "{}", resp.text);
    still_serving(&app).await;
}

#[actix_web::test]
async fn oversized_headers_are_refused() {
    let app = TestApp::spawn().await;
    let head = format!("GET /v1/articles HTTP/1.1\r\nX-Padding: {}", "a".repeat(9 * 1024));
    let resp = raw::send(&app.addr, &head, &[], Duration::ZERO, Duration::from_secs(5)).await;
    assert_eq!(resp.status, 431, "{}", resp.text);
    still_serving(&app).await;
}

#[actix_web::test]
async fn nul_and_control_characters_get_the_same_answer_on_every_backend() {
    let app = TestApp::spawn().await;
    app.story("plain", "Plain", Some(crate::common::t0()), Story::default()).await;
    let writer = app.key(&["content:write", "content:read-drafts"]).await;
    // Reads: GraphQL arguments and variables, REST path and query.
    for (query, variables) in [
        ("{ article(slug: \"pl\\u0000ain\") { id } }", json!({})),
        ("query($s: String!) { article(slug: $s) { id } }", json!({ "s": "pl\u{0}ain" })),
        ("query($a: String) { articles(after: $a) { totalCount } }", json!({ "a": "\u{0}" })),
        ("query($q: String) { articles(filter: { search: $q }) { totalCount } }", json!({ "q": "a\u{0}b" })),
        ("query($q: String) { articles(filter: { section: $q }) { totalCount } }", json!({ "q": "a\u{1}b" })),
    ] {
        let (status, body, _) = post_query(&app, query, variables).await;
        assert_eq!(status, 200);
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{query}: {body}");
    }
    for path in [
        "/v1/articles/pl%00ain",
        "/v1/articles?after=%00",
        "/v1/articles?search=a%00",
        "/v1/articles/by%01x/related",
        // GET /graphql: documents and JSON may span lines, and hold nothing else.
        "/graphql?query=%7B%0A__typename%00%7D",
        "/graphql?query=%7B__typename%7D&variables=%7B%0A%1B%7D",
        "/graphql?query=%7B__typename%7D&extensions=%7B%7F%7D",
        "/graphql?query=%7B__typename%7D&operationName=Q%09",
        "/graphql?query=%7B__typename%7D&qu%00ery=x",
        // A newline is whitespace only where GraphQL reads it.
        "/v1/articles?section=a%0Ab",
    ] {
        let (status, body) = app.get_json(path).await;
        assert_eq!((status, body["code"].as_str()), (400, Some("BAD_USER_INPUT")), "{path}: {body}");
    }
    // Writes: every string field, GraphQL and REST, names the field.
    let before = app.fingerprint().await;
    for (field, value) in [
        ("headline", "Bad\u{0}"),
        ("dek", "tab\there"),
        ("slug", "a\u{0}"),
        ("externalId", "x\u{1b}"),
        ("seoTitle", "\u{7}"),
    ] {
        let mut input = json!({ "slug": "fresh", "headline": "Fresh" });
        input[field] = json!(value);
        let (status, _, p) = app.call("POST", "/v1/articles", Some(&writer), Some(input.clone()), &[]).await;
        assert_eq!((status, p["code"].as_str()), (400, Some("BAD_USER_INPUT")), "{field}: {p}");
        assert!(p["errors"].as_array().unwrap().iter().any(|e| e["path"] == field), "{field}: {p}");
        let r = app
            .gql_as(
                Some(&writer),
                "mutation($i: ArticleInput!) { createArticle(input: $i) { id } }",
                json!({ "i": input }),
            )
            .await;
        assert_eq!(error_code(&r), "BAD_USER_INPUT", "{field}: {r}");
        let paths = r["errors"][0]["extensions"]["fields"].to_string();
        assert!(paths.contains(field), "{field}: {r}");
    }
    let blocks = json!([{ "type": "paragraph", "spans": [{ "text": "nul \u{0} inside" }] }]);
    let (status, _, p) = app
        .call(
            "POST",
            "/v1/articles",
            Some(&writer),
            Some(json!({ "slug": "b", "headline": "B", "bodyBlocks": blocks })),
            &[],
        )
        .await;
    assert_eq!(status, 400, "{p}");
    for (path, body) in [
        ("/v1/sections", json!({ "slug": "s", "name": "S\u{0}" })),
        ("/v1/tags", json!({ "slug": "t", "name": "T\n" })),
    ] {
        let (status, _, p) = app.call("POST", path, Some(&writer), Some(body), &[]).await;
        assert_eq!((status, p["errors"][0]["path"].as_str()), (400, Some("name")), "{path}: {p}");
    }
    assert_eq!(app.fingerprint().await, before);
    // Bodies keep their tabs and newlines.
    let (status, _, a) = app
        .call(
            "POST",
            "/v1/articles",
            Some(&writer),
            Some(json!({ "slug": "md", "headline": "MD", "bodyMarkdown": "One\tline\n\nTwo" })),
            &[],
        )
        .await;
    assert_eq!(status, 201, "{a}");
    still_serving(&app).await;
}

#[actix_web::test]
async fn a_flood_of_invalid_tokens_is_refused_and_rate_limited_while_health_stays_up() {
    let app = TestApp::spawn_configured(|c| {
        c.http.rate_limit_per_second = 1;
        c.http.rate_limit_burst = 20;
    })
    .await;
    let mut statuses = Vec::new();
    for i in 0..60 {
        let token = if i % 2 == 0 { format!("dl_{i:0>40}") } else { "x".repeat(5_000) };
        let r = app.client.get(format!("{}/v1/articles", app.addr)).bearer_auth(token).send().await.unwrap();
        statuses.push(r.status().as_u16());
    }
    assert!(statuses.iter().all(|s| *s == 401 || *s == 429), "{statuses:?}");
    assert!(statuses.contains(&429), "{statuses:?}");
    for _ in 0..30 {
        assert_eq!(app.get("/healthz").await.status().as_u16(), 200);
        assert_eq!(app.get("/readyz").await.status().as_u16(), 200);
    }
}

#[actix_web::test]
async fn random_paths_do_not_grow_metrics() {
    let app = TestApp::spawn().await;
    let size = |t: &str| t.len();
    app.get("/v1/articles").await;
    let before = app.get("/metrics").await.text().await.unwrap();
    for i in 0..500 {
        app.get(&format!("/random-{i}/x{}", i * 7919)).await;
    }
    let after = app.get("/metrics").await.text().await.unwrap();
    assert!(size(&after) < size(&before) + 4_000, "{} -> {}", size(&before), size(&after));
    assert!(!after.contains("random-"), "unmatched paths leaked into labels");
    assert!(after.contains("UNMATCHED"));
}

/// Sizes read ahead of their fields (the story page reads `related` and
/// the first `replies` with the story and its thread): hostile values, as
/// literals or variables, and beside valid aliases, get the field's own
/// refusal and never spoil a valid field of the same page.
#[actix_web::test]
async fn hostile_sizes_read_ahead_get_the_fields_own_answer() {
    let app = TestApp::spawn().await;
    let opts = Story { tags: &["t"], ..Story::default() };
    let id = app.story("plain", "Plain", Some(crate::common::t0()), opts).await;
    app.story("other", "Other", Some(crate::common::t0() - chrono::TimeDelta::hours(1)), opts).await;
    app.refresh_related().await;
    let (person, _) = app.person("Reader One", "READER").await;
    let parent = app.comment(&person, id, None, "a comment").await;
    app.comment(&person, id, Some(&parent), "a reply").await;
    let q = "query($n: Int!, $m: Int) { article(slug: \"plain\") {
        ok: related(first: 1) { article { slug } } bad: related(first: $n) { score }
        comments(first: 5) { nodes { ok: replies(first: 1) { nodes { uuid } } bad: replies(first: $m) { nodes { uuid } } } } } }";
    for n in [-1, i64::from(i32::MIN), i64::from(i32::MAX), 21, 501] {
        for m in [json!(-1), json!(51), json!(i32::MAX), json!(null)] {
            let (status, body, _) = post_query(&app, q, json!({ "n": n, "m": m })).await;
            assert_eq!(status, 200, "{n} {m}: {body}");
            assert_eq!(error_code(&body), "BAD_USER_INPUT", "{n} {m}: {body}");
            let a = &body["data"]["article"];
            assert_eq!(a["ok"][0]["article"]["slug"], "other", "{n} {m}: {body}");
            assert_eq!(a["comments"]["nodes"][0]["ok"]["nodes"].as_array().map(Vec::len), Some(1), "{body}");
        }
    }
    for bad in [json!("5"), json!(1.5), json!(2_147_483_648_i64)] {
        let (_, body, _) = post_query(&app, q, json!({ "n": bad, "m": 1 })).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{bad}: {body}");
    }
    still_serving(&app).await;
}

/// Page sizes and slugs, in every place a client sends them: out-of-range,
/// overflowing and oddly written numbers are field errors; anything that is
/// not a slug names nothing and is not found. The process keeps serving.
#[actix_web::test]
async fn hostile_page_sizes_and_slugs_get_clear_answers() {
    let app = TestApp::spawn().await;
    app.story("plain", "Plain", Some(crate::common::t0()), Story { tags: &["t"], ..Story::default() }).await;
    for field in [
        "articles(first: N) { totalCount }",
        "articles(last: N) { totalCount }",
        "tags(first: N) { slug }",
        "authors(first: N) { slug }",
        "article(slug: \"plain\") { related(first: N) { score } }",
    ] {
        // In range for an Int, out of range for a page: the domain's rule.
        for n in ["-1", "-2147483648", "2147483647", "501"] {
            let q = format!("{{ {} }}", field.replace('N', n));
            let (status, body, _) = post_query(&app, &q, json!({})).await;
            assert_eq!(status, 200, "{q}");
            assert_eq!(error_code(&body), "BAD_USER_INPUT", "{q}: {body}");
            let path = body["errors"][0]["extensions"]["fields"][0]["path"].as_str().unwrap_or_default();
            assert!(["first", "last"].contains(&path), "{q}: {body}");
        }
        // Not an Int at all: the engine refuses the literal.
        for n in ["2147483648", "1e3", "1.5", "\"5\""] {
            let q = format!("{{ {} }}", field.replace('N', n));
            let (_, body, _) = post_query(&app, &q, json!({})).await;
            assert_eq!(error_code(&body), "BAD_USER_INPUT", "{q}: {body}");
        }
    }
    for path in ["/v1/articles", "/v1/tags", "/v1/authors", "/v1/articles/plain/related"] {
        for n in
            ["-1", "-0x1", "2147483648", "99999999999999999999", "1e3", "%205", "%EF%BC%95", "", "NaN", "501"]
        {
            let url = format!("{path}?limit={n}");
            let (status, body) = app.get_json(&url).await;
            assert_eq!((status, body["code"].as_str()), (400, Some("BAD_USER_INPUT")), "{url}: {body}");
            assert_eq!(body["errors"][0]["path"], "limit", "{url}: {body}");
        }
        // Zero is a legal, empty page everywhere.
        let (status, _) = app.get_json(&format!("{path}?limit=0")).await;
        assert_eq!(status, 200, "{path}?limit=0");
    }
    let long = "a".repeat(5_000);
    for slug in ["Plain", "pl--ain", "-plain", "%C3%A9t%C3%A9", "plain%2Fx", long.as_str(), "%F0%9F%98%80"] {
        for path in [format!("/v1/articles/{slug}"), format!("/v1/articles/{slug}/related")] {
            let (status, body) = app.get_json(&path).await;
            // No story can have such a slug: not found, like any unknown one.
            assert_eq!(status, 404, "{path}: {status} {body}");
            assert!(body["code"].is_string(), "{path}: {body}");
        }
        let q = "query($s: String!) { article(slug: $s) { id } section(slug: $s) { id } tag(slug: $s) { id } author(slug: $s) { id } }";
        let (status, body, _) = post_query(&app, q, json!({ "s": slug })).await;
        assert_eq!(status, 200);
        assert!(body["errors"].is_null() && body["data"]["article"].is_null(), "{slug}: {body}");
        assert!(body["data"]["tag"].is_null() && body["data"]["author"].is_null(), "{slug}: {body}");
    }
    still_serving(&app).await;
}

#[actix_web::test]
async fn hostile_bodies_and_headers_get_clear_refusals() {
    let app = TestApp::spawn_configured(|c| c.http.trusted_proxies = 1).await;
    // GraphQL bodies Dateline now parses itself.
    let long_name = format!(r#"{{"query":"{{ __typename }}","operationName":"{}"}}"#, "x".repeat(100_000));
    let bodies: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"\xff\xfe\x00garbage".to_vec(),
        b"null".to_vec(),
        br#"{"query": 5}"#.to_vec(),
        br#"{"query":"{ __typename }","variables":[1]}"#.to_vec(),
        br#"{"query":"{ __typename }","variables":{"v":"\u0000"}}"#.to_vec(),
        long_name.into_bytes(),
    ];
    for body in bodies {
        let shown = String::from_utf8_lossy(&body[..body.len().min(60)]).into_owned();
        let (status, v, _) = post_raw(&app, body).await;
        assert!(status < 500, "{shown}");
        assert!(v["data"].is_null(), "{shown}: {v}");
        assert_ne!(error_code(&v), "INTERNAL_SERVER_ERROR", "{shown}: {v}");
        assert_ne!(error_code(&v), "<none>", "{shown}: {v}");
    }
    // Content types: matched without regard to case or parameters, and
    // nothing else is read as JSON.
    let key = app.key(&["content:write", "content:read-drafts"]).await;
    let long_type = format!("application/{}", "j".repeat(7_000));
    for (i, (ct, want)) in [
        ("APPLICATION/JSON; charset=utf-8", 201),
        ("application/merge-patch+json", 201),
        ("application/jsonx", 415),
        ("json", 415),
        (long_type.as_str(), 415),
    ]
    .into_iter()
    .enumerate()
    {
        let body = json!({ "slug": format!("ct-{i}"), "headline": "CT" }).to_string();
        let r = app
            .client
            .post(format!("{}/v1/articles", app.addr))
            .bearer_auth(&key)
            .header("Content-Type", ct)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), want, "{}", &ct[..ct.len().min(40)]);
    }
    // Forwarded-for values a client may forge, and If-Match values.
    let commas = ",".repeat(5_000);
    for xff in ["garbage", " , , ", "999.1.1.1", "::1, fe80::1%eth0", commas.as_str()] {
        let r = app
            .client
            .get(format!("{}/v1/articles", app.addr))
            .header("X-Forwarded-For", xff)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200, "{xff:.40}");
    }
    let (_, _, a) = app
        .call("POST", "/v1/articles", Some(&key), Some(json!({ "slug": "im", "headline": "IM" })), &[])
        .await;
    let id = a["id"].as_str().unwrap();
    let huge = "9".repeat(4_000);
    for im in ["*", "\"\"", "W/", "\"-1\"", "\"99999999999999999999\"", huge.as_str()] {
        let (status, _, p) = app
            .call("PATCH", &format!("/v1/articles/{id}"), Some(&key), Some(json!({})), &[("If-Match", im)])
            .await;
        assert_eq!(status, 400, "not a version: {im:.40}: {p}");
    }
    still_serving(&app).await;
}

/// Persisted-operation parameters at hostile sizes and shapes, and a flood
/// of registrations racing each other past the bound: every answer is a
/// clear refusal or a result, and the store ends at its bound.
#[actix_web::test]
async fn hostile_persisted_operations_are_refused_and_registrations_stay_bounded() {
    use sea_orm::{EntityTrait, PaginatorTrait};
    let app = TestApp::spawn_configured(|c| c.graphql.graphql_persisted_max = 10).await;
    let huge = "f".repeat(100_000);
    let bodies = [
        json!({ "documentId": huge }),
        json!({ "doc_id": "a\u{0}b" }),
        json!({ "documentId": {} }),
        json!({ "documentId": "sha256:" }),
        json!({ "documentId": format!("sha256:{}", "é".repeat(32)) }),
        json!({ "extensions": { "persistedQuery": [] } }),
        json!({ "extensions": { "persistedQuery": { "version": "1", "sha256Hash": "0".repeat(64) } } }),
        json!({ "extensions": { "persistedQuery": { "version": 1, "sha256Hash": huge } } }),
        json!({ "extensions": { "persistedQuery": { "version": 1, "sha256Hash": 7 } } }),
        json!({ "query": "{ __typename }", "documentId": "x" }),
    ];
    for body in bodies {
        let shown = body.to_string().chars().take(80).collect::<String>();
        let (status, v, _) = post_raw(&app, body.to_string()).await;
        assert!(status < 500, "{shown}");
        assert!(v["data"].is_null(), "{shown}: {v}");
        let code = error_code(&v);
        assert!(["BAD_USER_INPUT", "PERSISTED_QUERY_NOT_FOUND"].contains(&code.as_str()), "{shown}: {v}");
    }
    // Sixty documents registered eight at a time by clients racing each
    // other's evictions: every one answered, none twice stored.
    let sha = |d: &str| api::domain::token::sha256_hex(&[d.as_bytes()]);
    for batch in 0..8 {
        let sends = (0..8).map(|i| {
            let doc = format!("query R{batch}x{i} {{ __typename }}");
            let body = json!({ "query": doc, "extensions": { "persistedQuery": { "version": 1, "sha256Hash": sha(&doc) } } });
            let app = &app;
            async move { post_raw(app, body.to_string()).await }
        });
        for (status, body, _) in futures_util::future::join_all(sends).await {
            assert_eq!((status, &body["data"]["__typename"]), (200, &json!("Query")), "{body}");
        }
    }
    // The bound may be passed by the registrations in flight together; the
    // next one alone brings the store back to it.
    let held = entity::persisted_operation::Entity::find().count(&app.state.db).await.unwrap();
    assert!((10..=18).contains(&held), "{held} held");
    let last = "query Last { __typename }";
    let body = json!({ "query": last, "extensions": { "persistedQuery": { "version": 1, "sha256Hash": sha(last) } } });
    assert_eq!(post_raw(&app, body.to_string()).await.0, 200);
    assert_eq!(entity::persisted_operation::Entity::find().count(&app.state.db).await.unwrap(), 10);
    still_serving(&app).await;
}

#[actix_web::test]
async fn a_flood_of_distinct_documents_only_churns_the_document_cache() {
    let app = TestApp::with_demo().await;
    // More distinct valid documents than the cache holds, eight at a time:
    // each is parsed and answered, none is refused, and nothing grows.
    for batch in 0..40 {
        let sends = (0..8).map(|i| {
            let q = format!("{{ articles(first: 1) {{ edges {{ node {{ slug }} }} }} }} # {batch}-{i}");
            let app = &app;
            async move { post_query(app, &q, json!({})).await }
        });
        for (status, body, _) in futures_util::future::join_all(sends).await {
            assert_eq!(status, 200, "{body}");
            assert!(body["errors"].is_null(), "{body}");
        }
        let held = api::graphql::limits::cached_documents();
        assert!(held <= api::graphql::limits::CACHED_DOCUMENTS, "batch {batch}: {held} documents held");
    }
    // 320 distinct documents went through a cache of 256: it started over
    // rather than growing.
    assert!(api::graphql::limits::cached_documents() < 320);
    still_serving(&app).await;
}

/// The inputs the HTTP conventions read: `Accept`, `X-Request-Id`,
/// `traceparent`, `Origin`, preflights, GET parameters and asset names, at
/// hostile sizes and encodings, many at once.
#[actix_web::test]
async fn hostile_negotiation_and_tracing_headers_get_clear_answers() {
    let app = TestApp::spawn().await;
    let ok = r#"{"query":"{ __typename }"}"#;
    let many_ranges = "application/x;q=0.5, ".repeat(350);
    let hostile_accepts = [
        many_ranges.as_str(),
        "application/graphql-response+json;q=NaN",
        "application/graphql-response+json;q=1e309, application/json;q=-1",
        ";;;,,,;q=,*/*;q",
        "\u{7f}",
    ];
    for accept in hostile_accepts {
        let Ok(value) = reqwest::header::HeaderValue::from_bytes(accept.as_bytes()) else { continue };
        let r = app
            .client
            .post(format!("{}/graphql", app.addr))
            .header("content-type", "application/json")
            .header("accept", value)
            .body(ok)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200, "{accept:.40}");
    }
    let long_id = "a".repeat(8_000);
    let raw_id = [b'x', 0xff, 0xfe, b'y'];
    let hostile_ids: [&[u8]; 3] = [long_id.as_bytes(), &raw_id, b"../../etc/passwd"];
    for id in hostile_ids {
        let value = reqwest::header::HeaderValue::from_bytes(id).unwrap();
        let r = app
            .client
            .get(format!("{}/v1/articles", app.addr))
            .header("x-request-id", value.clone())
            .header("traceparent", value)
            .header("origin", reqwest::header::HeaderValue::from_bytes(id).unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        // Never echoed as sent: a fresh id replaces anything not a sane token.
        assert!(uuid::Uuid::parse_str(r.headers()["x-request-id"].to_str().unwrap()).is_ok());
    }
    // Accept-Encoding on a kept answer: hostile lists and q-values get the
    // answer (or 406 when they refuse every coding offered), and however
    // many ask, the answer is coded at most once per coding kept.
    assert_eq!(app.get("/v1/articles").await.status().as_u16(), 200);
    let many_codings = "gzip;q=0.5, br;q=0.4, ".repeat(350);
    for coding in [
        many_codings.as_str(),
        "br;q=NaN, gzip;q=1e309, zstd;q=-1",
        ";;;,,,;q=,*;q",
        "identity;q=0, *;q=0",
        "x-unknown, \u{7f}",
        "gzip, br, zstd, deflate, compress, gzip, br",
    ] {
        let Ok(value) = reqwest::header::HeaderValue::from_bytes(coding.as_bytes()) else { continue };
        for _ in 0..3 {
            let r = app
                .client
                .get(format!("{}/v1/articles", app.addr))
                .header("accept-encoding", value.clone())
                .send()
                .await
                .unwrap();
            assert!(matches!(r.status().as_u16(), 200 | 406), "{coding:.40}: {}", r.status());
        }
    }
    let metrics = app.get("/metrics").await.text().await.unwrap();
    let codings: f64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("dateline_read_cache_codings_total")?.trim().parse().ok())
        .unwrap();
    assert!(codings <= 3.0, "{codings} codings of one kept answer");
    // GET parameters: variables nested past serde's limit, repeated keys, junk.
    let deep = format!("{}1{}", "[".repeat(5_000), "]".repeat(5_000));
    for qs in [
        format!(
            "query=%7B__typename%7D&variables={}",
            url::form_urlencoded::byte_serialize(deep.as_bytes()).collect::<String>()
        ),
        "query=%7B__typename%7D&".repeat(500),
        "query=%ff%fe&operationName=%00".to_owned(),
    ] {
        let (status, _, body) = app
            .call(
                "GET",
                &format!("/graphql?{qs}"),
                None,
                None,
                &[("accept", "application/graphql-response+json")],
            )
            .await;
        assert_eq!(status, 400, "{qs:.60}: {body}");
    }
    for name in ["..%2F..%2FCargo.toml", "graphiql.js", &"x".repeat(4_000)] {
        let (status, _, _) = app.call("GET", &format!("/graphql/assets/{name}"), None, None, &[]).await;
        assert_eq!(status, 404, "{name:.40}");
    }
    // Preflights and HEADs in a crowd.
    let mut crowd = Vec::new();
    for i in 0..64 {
        let (client, url) = (app.client.clone(), format!("{}/v1/articles", app.addr));
        crowd.push(tokio::spawn(async move {
            let req = if i % 2 == 0 {
                client
                    .request(reqwest::Method::OPTIONS, url)
                    .header("origin", format!("https://site{i}.example"))
                    .header("access-control-request-method", "POST")
            } else {
                client.head(url)
            };
            req.send().await.map(|r| r.status().as_u16())
        }));
    }
    for c in crowd {
        assert_eq!(c.await.unwrap().unwrap(), 200);
    }
    still_serving(&app).await;
}

#[actix_web::test]
async fn hostile_comments_sign_ins_and_live_streams_leave_the_process_serving() {
    let app = TestApp::spawn_configured(|c| {
        c.comments.rate_comments_per_minute = 5;
        c.accounts.rate_auth_per_minute = 5;
        c.live.live_max_per_client = 3;
        c.live.live_keepalive_secs = 1;
    })
    .await;
    let article = app
        .story("target", "Target", Some(crate::common::t0() - chrono::TimeDelta::hours(1)), Story::default())
        .await;
    let (token, _) = app.person("Hostile", "READER").await;
    let path = "/v1/articles/target/comments";
    // Sizes, encodings and shapes.
    let huge = "x".repeat(2 * 1024 * 1024);
    let (s, _, p) = app.call("POST", path, Some(&token), Some(json!({ "body": huge })), &[]).await;
    assert_eq!((s, p["code"].as_str()), (413, Some("PAYLOAD_TOO_LARGE")), "{p}");
    for body in [
        "{\"body\": \"a\\u0000b\"}".to_owned(),
        format!("{{\"body\": {}\"x\"{}}}", "[".repeat(5000), "]".repeat(5000)),
        "{\"body\": \"\\ud800\"}".to_owned(),
        "{\"body\": 42}".to_owned(),
        "{\"body\": \"ok\", \"parentId\": \"not-a-uuid\"}".to_owned(),
        "{\"body\": \"ok\", \"extra\": true}".to_owned(),
    ] {
        let resp = app
            .client
            .post(format!("{}{path}", app.addr))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 400, "{}", &body[..body.len().min(60)]);
    }
    let resp = app
        .client
        .post(format!("{}{path}", app.addr))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(vec![b'{', 0xff, 0xfe, b'}'])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    // A flood of posts from one reader: at most five attempts a minute pass
    // (the bodies refused above spent none: a NUL is refused with the other
    // malformed values before the allowance, in REST as in GraphQL), the
    // rest are RATE_LIMITED.
    let bodies: Vec<String> = (0..12).map(|i| format!("flood {i}")).collect();
    let posts = bodies.iter().map(|b| app.post_comment(&token, article, None, b));
    let answers = futures_util::future::join_all(posts).await;
    let limited = answers.iter().filter(|r| error_code(r) == "RATE_LIMITED").count();
    let posted = answers.iter().filter(|r| r["errors"].is_null()).count();
    // Each attempt takes one unit, even one that loses a race and runs again.
    assert_eq!(limited, 7, "{answers:?}");
    assert!(
        posted >= 1
            && answers
                .iter()
                .all(|r| r["errors"].is_null() || matches!(error_code(r).as_str(), "RATE_LIMITED" | "BUSY")),
        "{answers:?}"
    );
    // Sign-in guessing from one address.
    let guesses = (0..10).map(|i| {
        app.call(
            "POST",
            "/v1/auth/sign-in",
            None,
            Some(json!({ "email": "hostile@example.com", "password": format!("guess number {i}") })),
            &[],
        )
    });
    let statuses: Vec<u16> =
        futures_util::future::join_all(guesses).await.into_iter().map(|(s, _, _)| s).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 5, "{statuses:?}");
    let (s, _, _) = app
        .call(
            "POST",
            "/v1/auth/sign-in",
            None,
            Some(json!({ "email": "x@example.com", "password": "p".repeat(100_000) })),
            &[],
        )
        .await;
    assert!(s == 401 || s == 429, "a huge password costs no hashing: {s}");
    // Publisher tokens that are not tokens.
    for t in ["", "...", "a.b.c", &"e".repeat(9000), "eyJhbGciOiJub25lIn0.e30."] {
        let (s, _, _) = app.call("POST", "/v1/auth/sso", None, Some(json!({ "token": t })), &[]).await;
        assert!(matches!(s, 401 | 403 | 429), "{t:.20}: {s}");
    }
    // Live streams beyond the client's allowance are refused; the rest run.
    let mut open = Vec::new();
    for _ in 0..3 {
        let r =
            app.client.get(format!("{}/v1/articles/target/comments/stream", app.addr)).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 200);
        open.push(r);
    }
    let (s, h, _) = app.call("GET", "/v1/articles/target/comments/stream", None, None, &[]).await;
    assert_eq!(s, 429);
    assert!(h.contains_key("retry-after"));
    drop(open);
    // A closed stream is noticed at its next keep-alive.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let r =
            app.client.get(format!("{}/v1/articles/target/comments/stream", app.addr)).send().await.unwrap();
        if r.status().as_u16() == 200 {
            break;
        }
        assert_eq!(r.status().as_u16(), 429);
        assert!(std::time::Instant::now() < deadline, "closed streams give their slots back");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Hostile cursors and page sizes on threads.
    for q in ["cursor=%00", "cursor=AAAA", "limit=-1", "limit=99999999999", "replies=11", "sort=%F0%9F%92%A5"]
    {
        let (s, body) = app.get_json(&format!("{path}?{q}")).await;
        assert_eq!(s, 400, "{q}: {body}");
    }
    // A deep replies { replies { ... } } query is refused before it runs.
    let deep = format!(
        "{{ article(slug: \"target\") {{ comments {{ nodes {{ {}id{} }} }} }} }}",
        "replies { nodes { ".repeat(12),
        " } }".repeat(12)
    );
    let (status, r, _) = post_query(&app, &deep, json!({})).await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(error_code(&r), "QUERY_TOO_COMPLEX", "{r}");
    still_serving(&app).await;
}

#[actix_web::test]
async fn hostile_websocket_frames_and_moderation_inputs_are_refused_and_the_process_serves() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let app = TestApp::spawn().await;
    let article = app
        .story("target", "Target", Some(crate::common::t0() - chrono::TimeDelta::hours(1)), Story::default())
        .await;
    let (reader, _) = app.person("Reader", "READER").await;
    let (moderator, _) = app.person("Moderator", "MODERATOR").await;
    let id = app.comment(&reader, article, None, "a comment to moderate").await;
    let uuid = api::domain::token::decode(&id).unwrap().split_once(':').unwrap().1.to_owned();

    // WebSocket: an oversized frame, garbage, a huge connection_init, binary noise.
    let url = format!("{}/graphql/ws", app.addr.replace("http://", "ws://"));
    let hostile: Vec<Message> = vec![
        Message::text("x".repeat(200 * 1024)),
        Message::text("not json"),
        Message::text(json!({ "type": "connection_init", "payload": { "Authorization": "Bearer ".to_owned() + &"a".repeat(60_000) } }).to_string()),
        Message::binary(vec![0xff; 1024]),
        Message::text(json!({ "type": "subscribe", "id": "1", "payload": { "query": "subscription { x }" } }).to_string()),
    ];
    for msg in hostile {
        let mut req = url.clone().into_client_request().unwrap();
        req.headers_mut().insert("sec-websocket-protocol", "graphql-transport-ws".parse().unwrap());
        let (mut ws, _) = tokio_tungstenite::connect_async(req).await.unwrap();
        let _ = ws.send(msg).await;
        // The server closes or answers; it never hangs the connection open on garbage.
        let answer = tokio::time::timeout(Duration::from_secs(5), ws.next()).await;
        assert!(answer.is_ok(), "no answer to a hostile frame");
    }
    // Many connections at once that never send connection_init: one
    // address holds at most its allowance of 20, the rest are refused.
    let mut idle = Vec::new();
    let mut refused = 0;
    for _ in 0..30 {
        let mut req = url.clone().into_client_request().unwrap();
        req.headers_mut().insert("sec-websocket-protocol", "graphql-transport-ws".parse().unwrap());
        match tokio_tungstenite::connect_async(req).await {
            Ok((ws, _)) => idle.push(ws),
            Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => {
                assert_eq!(resp.status().as_u16(), 429);
                refused += 1;
            }
            Err(e) => panic!("{e}"),
        }
    }
    assert!(idle.len() <= 20 && refused >= 10, "{} held, {refused} refused", idle.len());
    still_serving(&app).await;
    drop(idle);

    // Moderation and account inputs: oversized and control-character reasons,
    // a time in the past, ids that are not ids.
    let moderate = "mutation($id: ID!, $r: String) { moderateComment(id: $id, status: REJECTED, reason: $r) { comment { id } } }";
    for reason in ["r".repeat(501), "a\u{0}b".to_owned(), "\u{1b}[31m".to_owned()] {
        let r = app.gql_as(Some(&moderator), moderate, json!({ "id": id, "r": reason })).await;
        assert_eq!(error_code(&r), "BAD_USER_INPUT", "{r}");
    }
    let flag = "mutation($id: ID!, $d: String) { flagComment(id: $id, reason: OTHER, details: $d) { comment { id } } }";
    let r = app.gql_as(Some(&moderator), flag, json!({ "id": id, "d": "d".repeat(501) })).await;
    assert_eq!(error_code(&r), "BAD_USER_INPUT", "{r}");
    let gid = |u: &str| json!(u);
    for bad in ["", "x", "Q29tbWVudDpub3BlCg", &"A".repeat(5000)] {
        let r = app.gql_as(Some(&moderator), moderate, json!({ "id": gid(bad), "r": null })).await;
        assert_eq!(error_code(&r), "BAD_USER_INPUT", "{bad:.20}: {r}");
    }
    let suspend = "mutation($u: ID!, $t: DateTime!) { suspendUser(id: $u, until: $t) { user { id } } }";
    for until in ["2000-01-01T00:00:00Z", "not a time", "+275760-09-13T00:00:00Z"] {
        let r = app.gql_as(Some(&moderator), suspend, json!({ "u": uuid, "t": until })).await;
        assert_eq!(error_code(&r), "BAD_USER_INPUT", "{until}: {r}");
    }
    let register = "mutation($i: RegisterInput!) { register(input: $i) { token } }";
    for (email, name) in [
        ("a@b.co", "n".repeat(51)),
        ("a@b.co", "\u{202e}\u{0}x".to_owned()),
        (&*"e".repeat(300), "Name".to_owned()),
    ] {
        let r = app.gql(register, json!({ "i": { "email": email, "password": "lantern maple gravel orbit", "displayName": name } })).await;
        assert_eq!(error_code(&r), "BAD_USER_INPUT", "{r}");
    }
    // REST paths and queries.
    for path in [
        "/v1/comments/not-a-uuid".to_owned(),
        format!("/v1/comments/{}", "9".repeat(4000)),
        "/v1/comments/%00/replies".to_owned(),
        format!("/v1/comments/{uuid}/replies?limit=-5"),
        "/v1/moderation/queue?status=DELETED".to_owned(),
        "/v1/moderation/queue?reported=maybe".to_owned(),
        "/v1/moderation/queue?limit=1000000".to_owned(),
    ] {
        let (s, h, _) = app.call("GET", &path, Some(&moderator), None, &[]).await;
        assert_eq!(s, 400, "{path:.60}");
        assert_eq!(h["content-type"], "application/problem+json", "{path:.60}");
    }
    still_serving(&app).await;
}

#[actix_web::test]
async fn hostile_integrator_inputs_are_refused_and_concurrent_imports_stay_consistent() {
    // The five imports below race one another, so all five may run at
    // once, on more connections than they take, leaving the feed reader one.
    let app = TestApp::spawn_configured(|c| {
        c.webhooks.webhooks_allow_private = false;
        c.db.db_max_connections = 8;
        c.http.import_max_running = 5;
    })
    .await;
    let key = app.key(&["sync:read", "webhooks:manage", "content:write", "content:read-drafts"]).await;
    let long = "A".repeat(10_000);
    // The change feed: hostile cursors and page sizes.
    for q in [
        format!("cursor={long}"),
        "cursor=%F0%9F%92%A9".into(),
        "cursor=czE6OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5".into(),
        "cursor=czE6".into(),
        "limit=99999999999999999999".into(),
        "limit=-1".into(),
        "limit=1e3".into(),
    ] {
        let (status, headers, body) = app.call("GET", &format!("/v1/sync?{q}"), Some(&key), None, &[]).await;
        assert_eq!(status, 400, "{q}: {body}");
        assert_eq!(headers["content-type"], "application/problem+json");
    }
    // Webhook endpoints: hostile URLs and lists.
    let big_events: Vec<String> = (0..10_000).map(|i| format!("article.{i}")).collect();
    for (body, status) in [
        (json!({ "url": format!("https://{long}.example/"), "events": ["article.published"] }), 400),
        (json!({ "url": "https://exämple.test\u{0}/", "events": ["article.published"] }), 400),
        (json!({ "url": "http://[::ffff:169.254.169.254]/", "events": ["article.published"] }), 422),
        (json!({ "url": "http://0177.0.0.1/", "events": ["article.published"] }), 422),
        (json!({ "url": "https://hooks.invalid/", "events": ["article.published"] }), 422),
        (json!({ "url": "https://93.184.215.14/", "events": big_events }), 400),
        (json!({ "url": "https://93.184.215.14/", "events": [["nested"]] }), 400),
        (
            json!({ "url": "https://93.184.215.14/", "events": ["article.published"], "description": "x".repeat(2_000_000) }),
            413,
        ),
    ] {
        let (got, headers, v) = app.call("POST", "/v1/webhooks", Some(&key), Some(body.clone()), &[]).await;
        assert_eq!(got, status, "{}: {v}", body.to_string().chars().take(120).collect::<String>());
        assert_eq!(headers["content-type"], "application/problem+json");
    }
    let zero = "/v1/webhooks/00000000-0000-0000-0000-000000000000/deliveries";
    let long_status = format!("{zero}?status={}", "P".repeat(5_000));
    for path in [
        "/v1/webhooks/not-a-uuid",
        &format!("{zero}?cursor=zzz"),
        // The delivery status is one of three names, exactly.
        &format!("{zero}?status=pending"),
        &format!("{zero}?status=DELIVERED%00"),
        &format!("{zero}?status=%F0%9F%92%A5"),
        &long_status,
    ] {
        let (status, _, p) = app.call("GET", path, Some(&key), None, &[]).await;
        assert_eq!(status, 400, "{path:.80}: {p}");
    }
    // GraphQL takes it as an enum: anything else is bad input.
    let r = app
        .gql_as(
            Some(&key),
            "{ webhookEndpoints { deliveries(status: pending) { nodes { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&r), "BAD_USER_INPUT", "{r}");
    // Page sizes of deliveries: REST `limit` and GraphQL `first`, 1 to 100.
    for l in ["0", "101", "-1", "1000000000000", "abc", "1.5", "%00"] {
        let (status, _, p) = app.call("GET", &format!("{zero}?limit={l}"), Some(&key), None, &[]).await;
        assert_eq!(status, 400, "limit={l}: {p}");
    }
    let made = app
        .gql_as(
            Some(&key),
            r#"mutation { createWebhookEndpoint(input: { url: "https://93.184.215.14/sized", events: [ARTICLE_PUBLISHED] }) { endpoint { id } } }"#,
            json!({}),
        )
        .await;
    assert!(made["errors"].is_null(), "{made}");
    for first in ["0", "-1", "101", "2147483647"] {
        let r = app
            .gql_as(
                Some(&key),
                &format!("{{ webhookEndpoints {{ deliveries(first: {first}) {{ nodes {{ id }} }} }} }}"),
                json!({}),
            )
            .await;
        assert_eq!(error_code(&r), "BAD_USER_INPUT", "first: {first}: {r}");
    }
    // Event types are an enum in GraphQL: REST's dotted names, unknown
    // names and an empty list are bad input.
    for events in [r#"["article.published"]"#, "[ARTICLE_EXPLODED]", "[]", "[article_published]"] {
        let r = app
            .gql_as(
                Some(&key),
                &format!(r#"mutation {{ createWebhookEndpoint(input: {{ url: "https://93.184.215.14/e", events: {events} }}) {{ endpoint {{ id }} }} }}"#),
                json!({}),
            )
            .await;
        assert_eq!(error_code(&r), "BAD_USER_INPUT", "events {events}: {r}");
    }
    // Feeds and sitemaps: hostile parameters.
    for path in [
        format!("/feeds/rss?section={long}"),
        "/feeds/json?tag=%00".into(),
        format!("/sitemap.xml?page={long}"),
        "/feeds/atom?author=%E2%80%AE".into(),
    ] {
        let r = app.get(&path).await;
        assert_eq!(r.status().as_u16(), 400, "{}", &path[..path.len().min(60)]);
    }
    // Five imports of the same archive at once, with a feed reader beside
    // them: each story exists once, and every import's report adds up; the
    // section, tag and author (with a picture) they all name exist once.
    let lines: Vec<String> = (0..60)
        .map(|i| json!({ "externalId": format!("race-{i}"), "slug": format!("race-{i}"), "headline": format!("Race {i}"), "status": "PUBLISHED", "publishedAt": "2020-01-01T00:00:00Z", "section": { "slug": "race-desk", "name": "Race desk" }, "tags": [{ "slug": format!("race-tag-{}", i % 7), "name": "Race tag" }], "authors": [{ "slug": "race-writer", "name": "Race Writer", "avatar": { "url": "https://img.example/race-writer.jpg" } }] }).to_string())
        .collect();
    let body = lines.join("\n");
    let imports: Vec<_> = (0..5)
        .map(|_| {
            let (addr, key, body) = (app.addr.clone(), key.clone(), body.clone());
            tokio::spawn(async move {
                let r = reqwest::Client::new()
                    .post(format!("{addr}/v1/import"))
                    .bearer_auth(key)
                    .header("content-type", "application/x-ndjson")
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                (r.status().as_u16(), r.json::<Value>().await.unwrap_or(Value::Null))
            })
        })
        .collect();
    let reader = {
        let (addr, key) = (app.addr.clone(), key.clone());
        tokio::spawn(async move {
            for _ in 0..20 {
                let r = reqwest::Client::new()
                    .get(format!("{addr}/v1/sync?limit=50"))
                    .bearer_auth(&key)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200);
            }
        })
    };
    let mut created = 0;
    for i in imports {
        let (status, report) = i.await.unwrap();
        assert_eq!(status, 200, "{report}");
        let t = &report["totals"];
        assert_eq!(
            t["created"].as_u64().unwrap()
                + t["updated"].as_u64().unwrap()
                + t["unchanged"].as_u64().unwrap()
                + t["rejected"].as_u64().unwrap(),
            60,
            "{report}"
        );
        created += t["created"].as_u64().unwrap();
        // Losing the race for a story is no fault of the line: the import
        // that finds it created meanwhile updates it or leaves it alone.
        assert_eq!(t["rejected"], 0, "{report}");
    }
    reader.await.unwrap();
    use sea_orm::{EntityTrait, PaginatorTrait};
    let stories = entity::article::Entity::find().count(&app.state.db).await.unwrap();
    assert_eq!(stories, 60);
    assert_eq!(created, 60, "each story created by exactly one import");
    for (table, n) in [
        ("author", entity::author::Entity::find().count(&app.state.db).await.unwrap()),
        ("section", entity::section::Entity::find().count(&app.state.db).await.unwrap()),
        ("tag", entity::tag::Entity::find().count(&app.state.db).await.unwrap()),
    ] {
        assert_eq!(n, if table == "tag" { 7 } else { 1 }, "{table}");
    }
    let pictures = entity::media::Entity::find().count(&app.state.db).await.unwrap();

    // Archived sections, tags and authors: hostile names and pictures are
    // each their line's rejection, also for a term an earlier line brought.
    let line = |slug: &str, terms: Value| {
        let mut l = json!({ "externalId": slug, "slug": slug, "headline": "x", "status": "DRAFT" });
        l.as_object_mut().unwrap().extend(terms.as_object().unwrap().clone());
        l.to_string()
    };
    let hostile = [
        line("ok-terms", json!({ "tags": [{ "slug": "known", "name": "Known" }] })),
        line("t-avatar", json!({ "section": { "slug": "s", "name": "S", "avatar": { "url": "https://img.example/a.jpg" } } })),
        line("js-avatar", json!({ "authors": [{ "slug": "a", "name": "A", "avatar": { "url": "javascript:alert(1)" } }] })),
        line("long-avatar", json!({ "authors": [{ "slug": "a", "name": "A", "avatar": { "url": "https://img.example/a.jpg", "caption": long } }] })),
        line("nul-avatar", json!({ "authors": [{ "slug": "a", "name": "A", "avatar": { "url": "https://img.example/a.jpg", "alt": "a\u{0}b" } }] })),
        line("typed-avatar", json!({ "authors": [{ "slug": "a", "name": "A", "avatar": [[["deep"]]] }] })),
        line("known-long", json!({ "tags": [{ "slug": "known", "name": long }] })),
        line("known-bidi", json!({ "tags": [{ "slug": "known", "name": "\u{202E}\u{0}" }] })),
    ]
    .join("\n");
    let r = app
        .client
        .post(format!("{}/v1/import", app.addr))
        .bearer_auth(&key)
        .header("content-type", "application/x-ndjson")
        .body(hostile)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let report: Value = r.json().await.unwrap();
    assert_eq!(report["totals"]["created"], 1, "{report}");
    assert_eq!(report["totals"]["rejected"], 7, "{report}");
    assert_eq!(entity::media::Entity::find().count(&app.state.db).await.unwrap(), pictures);
    assert_eq!(entity::author::Entity::find().count(&app.state.db).await.unwrap(), 1);

    still_serving(&app).await;
}

/// Invented methods share one metrics label, as unmatched paths do.
#[actix_web::test]
async fn invented_methods_do_not_grow_metrics() {
    let app = TestApp::spawn().await;
    app.get("/v1/articles").await;
    let before = app.get("/metrics").await.text().await.unwrap();
    for i in 0..300 {
        let method = reqwest::Method::from_bytes(format!("FOO{i}").as_bytes()).unwrap();
        let r = app.client.request(method, format!("{}/v1/articles", app.addr)).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 405);
    }
    let after = app.get("/metrics").await.text().await.unwrap();
    assert!(!after.contains("FOO"), "invented methods leaked into labels");
    assert!(after.len() < before.len() + 4_000, "{} -> {}", before.len(), after.len());
    still_serving(&app).await;
}

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A WebSocket upgrade from `client` (behind one trusted proxy): the socket,
/// or the HTTP status that refused it.
async fn socket_from(app: &TestApp, client: &str) -> Result<Socket, u16> {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let url = format!("{}/graphql/ws", app.addr.replace("http://", "ws://"));
    let mut req = url.into_client_request().unwrap();
    req.headers_mut().insert("sec-websocket-protocol", "graphql-transport-ws".parse().unwrap());
    req.headers_mut().insert("x-forwarded-for", client.parse().unwrap());
    match tokio_tungstenite::connect_async(req).await {
        Ok((ws, _)) => Ok(ws),
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => Err(resp.status().as_u16()),
        Err(e) => panic!("{e}"),
    }
}

/// Streams are capped per client and for the whole process, WebSocket
/// connections count whether or not they subscribe, and every operation
/// over a socket spends the caller's request budget.
#[actix_web::test]
async fn live_streams_and_sockets_are_bounded_and_socket_operations_are_rate_limited() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    let app = TestApp::spawn_configured(|c| {
        c.http.trusted_proxies = 1;
        c.live.live_max_per_client = 2;
        c.live.live_max_streams = 5;
        c.http.rate_limit_per_second = 1;
        c.http.rate_limit_burst = 10;
    })
    .await;
    // Per client: two sockets, the third refused.
    let mut held = vec![
        socket_from(&app, "203.0.113.1").await.unwrap(),
        socket_from(&app, "203.0.113.1").await.unwrap(),
    ];
    assert_eq!(socket_from(&app, "203.0.113.1").await.err(), Some(429));
    // For the process: five in all, from any number of clients.
    for i in 2..5 {
        held.push(socket_from(&app, &format!("203.0.113.{i}")).await.unwrap());
    }
    assert_eq!(socket_from(&app, "203.0.113.99").await.err(), Some(503));
    // An event stream is a live stream too.
    app.story("live", "Live", Some(crate::common::t0() - chrono::TimeDelta::hours(1)), Story::default())
        .await;
    let r = app
        .client
        .get(format!("{}/v1/articles/live/comments/stream", app.addr))
        .header("x-forwarded-for", "203.0.113.98")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 503);
    // A socket closed gives its slot back.
    let mut closing = held.pop().unwrap();
    closing.close(None).await.unwrap();
    while closing.next().await.is_some() {}
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut ws = loop {
        match socket_from(&app, "203.0.113.50").await {
            Ok(ws) => break ws,
            Err(status) => {
                assert!(Instant::now() < deadline, "the closed socket's slot was not freed: {status}")
            }
        }
        tokio::task::yield_now().await;
    };
    // Operations over the socket spend the budget of ten.
    ws.send(Message::text(json!({ "type": "connection_init", "payload": {} }).to_string())).await.unwrap();
    let mut limited = 0;
    let mut answered = 0;
    for i in 0..30 {
        let msg = json!({ "id": format!("q{i}"), "type": "subscribe", "payload": { "query": "{ articles(first: 1) { edges { cursor } } }" } });
        ws.send(Message::text(msg.to_string())).await.unwrap();
    }
    while answered + limited < 30 {
        let Some(Ok(Message::Text(t))) = ws.next().await else { panic!("the socket closed") };
        let v: Value = serde_json::from_str(&t).unwrap();
        match v["type"].as_str() {
            Some("next") if v["payload"]["errors"][0]["extensions"]["code"] == "RATE_LIMITED" => limited += 1,
            Some("next") => answered += 1,
            _ => {}
        }
    }
    assert!(answered <= 11, "{answered} answered");
    assert!(limited >= 19, "{limited} refused");
    drop(held);
}

/// One IPv6 /64 is one client: addresses within it share a budget.
#[actix_web::test]
async fn an_ipv6_network_shares_one_budget() {
    let app = TestApp::spawn_configured(|c| {
        c.http.trusted_proxies = 1;
        c.http.rate_limit_per_second = 1;
        c.http.rate_limit_burst = 5;
    })
    .await;
    let mut statuses = Vec::new();
    for i in 0..10 {
        let from = format!("2001:db8:7:1::{:x}", i + 1);
        let (status, _, _) = app.call("GET", "/v1/sections", None, None, &[("x-forwarded-for", &from)]).await;
        statuses.push(status);
    }
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 5, "{statuses:?}");
    // Another /64 has its own, however its address is written.
    let (status, _, _) =
        app.call("GET", "/v1/sections", None, None, &[("x-forwarded-for", "2001:DB8:7:2:0:0:0:1")]).await;
    assert_eq!(status, 200);
    // An IPv4 address written as IPv6 is that IPv4 client.
    for from in ["198.51.100.4", "::ffff:198.51.100.4", "198.51.100.4", "::ffff:198.51.100.4", "198.51.100.4"]
    {
        let (status, _, _) = app.call("GET", "/v1/sections", None, None, &[("x-forwarded-for", from)]).await;
        assert_eq!(status, 200, "{from}");
    }
    let (status, _, _) =
        app.call("GET", "/v1/sections", None, None, &[("x-forwarded-for", "::ffff:198.51.100.4")]).await;
    assert_eq!(status, 429, "the sixth request of one IPv4 client");
    // Entries that are not addresses (zones, brackets, ports, garbage)
    // count against the peer, never as a fresh client per spelling.
    let mut peer = Vec::new();
    for from in
        ["fe80::1%eth0", "[2001:db8::1]:443", "2001:db8::1/64", "not-an-address", "::ffff:999.1.1.1", "x"]
    {
        let (status, _, _) = app.call("GET", "/v1/sections", None, None, &[("x-forwarded-for", from)]).await;
        peer.push(status);
    }
    assert_eq!(peer, [200, 200, 200, 200, 200, 429], "one budget for every unparsable entry");
}

/// A noncharacter in a headline is refused in both APIs; one stored before
/// (an old import) never reaches a feed, which stays well-formed XML. A dek
/// with markup reaches RSS readers as text.
#[actix_web::test]
async fn noncharacters_are_refused_and_feeds_stay_well_formed() {
    let app = TestApp::spawn().await;
    let key = app.key(&["content:write"]).await;
    for bad in ["Storm\u{FFFF}", "Storm\u{FFFE}", "Storm\u{FDD0}", "Storm\u{1FFFF}"] {
        let (status, _, body) = app
            .call("POST", "/v1/articles", Some(&key), Some(json!({ "slug": "storm", "headline": bad })), &[])
            .await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(body["errors"][0]["path"], "headline", "{body}");
        let r = app
            .gql_as(
                Some(&key),
                "mutation($i: ArticleInput!) { createArticle(input: $i) { article { id } } }",
                json!({ "i": { "slug": "storm", "headline": bad } }),
            )
            .await;
        assert_eq!(error_code(&r), "BAD_USER_INPUT", "{r}");
    }
    let id = app
        .story("storm", "Storm", Some(crate::common::t0() - chrono::TimeDelta::hours(1)), Story::default())
        .await;
    use sea_orm::{ConnectionTrait, Statement};
    let db = &app.state.db;
    let p = if app.backend() == sea_orm::DatabaseBackend::Postgres { "$1" } else { "?" };
    db.execute_raw(Statement::from_sql_and_values(
        app.backend(),
        format!("UPDATE article SET headline = 'Storm \u{FFFF} \u{FFFE} warning', dek = '</title><script>alert(1)</script>' WHERE id = {p}"),
        [id.into()],
    ))
    .await
    .unwrap();
    for path in ["/feeds/rss", "/feeds/atom", "/sitemap-news.xml", "/sitemap.xml"] {
        let r = app.get(path).await;
        assert_eq!(r.status().as_u16(), 200, "{path}");
        let body = r.text().await.unwrap();
        assert!(!body.contains('\u{FFFF}') && !body.contains('\u{FFFE}'), "{path}");
        roxmltree::Document::parse(&body).unwrap_or_else(|e| panic!("{path} is not well-formed: {e}"));
    }
    let rss = app.get("/feeds/rss").await.text().await.unwrap();
    let doc = roxmltree::Document::parse(&rss).unwrap();
    let description = doc
        .descendants()
        .find(|n| n.has_tag_name("item"))
        .and_then(|i| i.children().find(|n| n.has_tag_name("description")))
        .and_then(|d| d.text())
        .unwrap();
    assert_eq!(description, "&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;", "{rss}");
}

/// Input that once reached the database and came back as a 500: a comment
/// whose HTML outgrows its column, NUL in a REST sign-in, comments that show
/// nothing, bodies declared in another charset.
#[actix_web::test]
async fn smaller_refusals_are_clear_answers_never_500() {
    let app = TestApp::spawn().await;
    let article = app
        .story("target", "Target", Some(crate::common::t0() - chrono::TimeDelta::hours(1)), Story::default())
        .await;
    let (token, _) = app.person("Reader", "READER").await;
    let path = "/v1/articles/target/comments";
    // 3,000 `>` nest 3,000 quotes: refused as 422 in both APIs, on every
    // backend alike, rather than failing to fit MariaDB's TEXT.
    let deep = ">".repeat(3_000);
    let (status, _, p) = app.call("POST", path, Some(&token), Some(json!({ "body": deep })), &[]).await;
    assert_eq!(status, 422, "{p}");
    assert_eq!(p["errors"][0]["path"], "body", "{p}");
    let r = app.post_comment(&token, article, None, &deep).await;
    assert_eq!(error_code(&r), "BAD_USER_INPUT", "{r}");
    assert_eq!(r["errors"][0]["extensions"]["fields"][0]["path"], "input.body", "{r}");
    // Nothing visible is blank.
    for blank in ["\u{200B}\u{200B}\u{200B}", " \u{FEFF} \u{2060} ", "\u{200C}\u{200D}\n\u{00AD}"] {
        let (status, _, p) = app.call("POST", path, Some(&token), Some(json!({ "body": blank })), &[]).await;
        assert_eq!(status, 400, "{blank:?}: {p}");
        assert_eq!(p["errors"][0]["path"], "body", "{p}");
    }
    // NUL and other control characters in credentials, which are checked
    // against what is stored rather than stored themselves, are 400 naming
    // the field, before any allowance is spent or row looked up.
    for (route, body, field) in [
        ("/v1/auth/sign-in", json!({ "email": "a\u{0}@example.com", "password": "whatever" }), "email"),
        ("/v1/auth/sign-in", json!({ "email": "a@example.com", "password": "pass\u{0}word" }), "password"),
        (
            "/v1/auth/register",
            json!({ "email": "b\u{0}@example.com", "password": "a long enough pass", "displayName": "B" }),
            "email",
        ),
        ("/v1/auth/sso", json!({ "token": "eyJ\u{1}" }), "token"),
    ] {
        let (status, _, p) = app.call("POST", route, None, Some(body), &[]).await;
        assert_eq!(status, 400, "{route}: {p}");
        assert_eq!(p["errors"][0]["path"], field, "{route}: {p}");
    }
    let (status, _, p) = app
        .call("POST", path, Some(&token), Some(json!({ "body": "fine", "parentId": null, "x\u{0}": 1 })), &[])
        .await;
    assert_eq!(status, 400, "{p}");
    // JSON is UTF-8: another declared charset is 415; UTF-8 spelled any way is fine.
    for (content_type, expected) in [
        ("application/json; charset=latin1", 415),
        ("application/json; charset=\"ISO-8859-1\"", 415),
        ("application/json;charset=UTF-16", 415),
        ("application/json; charset=utf-8", 201),
        ("application/json; charset=\"UTF-8\"", 201),
    ] {
        let resp = app
            .client
            .post(format!("{}{path}", app.addr))
            .bearer_auth(&token)
            .header("content-type", content_type)
            .body(json!({ "body": format!("declared as {content_type}") }).to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), expected, "{content_type}");
    }
    still_serving(&app).await;
}

/// Cursors of every kind in their stated form, at the extremes of what
/// the form holds (every byte zero, every byte 0xFF: instants beyond the
/// calendar, counts below zero, threads nobody has): each is answered, as
/// a page or as a refusal naming the cursor, never a 500.
#[actix_web::test]
async fn well_formed_cursors_at_their_extremes_get_clear_answers() {
    use api::domain::cursor::{self, Writer};
    let app = TestApp::with_demo().await;
    let key = app.key(&["sync:read", "webhooks:manage", "comments:moderate"]).await;
    let (_, list) = app.get_json("/v1/articles?limit=1").await;
    let slug = list["items"][0]["slug"].as_str().unwrap().to_owned();
    let (_, _, hook) = app
        .call(
            "POST",
            "/v1/webhooks",
            Some(&key),
            Some(json!({ "url": "https://93.184.215.14/hook", "events": ["cache.purge"] })),
            &[],
        )
        .await;
    let hook = hook["id"].as_str().unwrap_or("00000000-0000-0000-0000-000000000000").to_owned();
    let extremes = |kind: cursor::Kind| {
        let zeros = Writer::new(kind).seal();
        let ones = format!("{}{}", &zeros[..4], "_".repeat(zeros.len() - 4));
        [zeros, ones]
    };
    let mut asked = Vec::new();
    for c in extremes(cursor::STORIES) {
        asked.push(format!("/v1/articles?cursor={c}"));
        asked.push(format!("/graphql?query=%7Barticles(after%3A%22{c}%22)%7BtotalCount%7D%7D"));
    }
    for c in extremes(cursor::COMMENTS) {
        asked.push(format!("/v1/articles/{slug}/comments?cursor={c}"));
        asked.push(format!("/v1/moderation/queue?cursor={c}"));
    }
    for c in extremes(cursor::FEED) {
        asked.push(format!("/v1/sync?cursor={c}"));
    }
    for c in extremes(cursor::DELIVERIES) {
        asked.push(format!("/v1/webhooks/{hook}/deliveries?cursor={c}"));
    }
    for c in extremes(cursor::SITEMAP) {
        asked.push(format!("/sitemap.xml?page={c}"));
    }
    for path in asked {
        let (status, _, body) = app.call("GET", &path, Some(&key), None, &[]).await;
        assert!([200, 422].contains(&status), "{path}: {status} {body}");
    }
    still_serving(&app).await;
}

/// `Dateline-Read-After`, the WAL position a read must see: hostile values
/// are read as no position at all (never a failure), on every backend, and
/// with a read replica on PostgreSQL, where the router parses them.
#[actix_web::test]
async fn hostile_read_after_positions_are_ignored() {
    let (url, dir) = crate::common::fresh_database().await;
    let replica = url.starts_with("postgres").then(|| crate::common::replica_of(&url));
    let app = TestApp::spawn_with(url, dir, move |c| {
        crate::common::uncached(c);
        c.db.database_replica_urls = replica.into_iter().collect();
    })
    .await;
    app.story("s", "A story", Some(crate::common::t0() - chrono::TimeDelta::hours(1)), Story::default())
        .await;
    let long = "F".repeat(8_000);
    let hostile: [&[u8]; 9] = [
        long.as_bytes(),
        b"FFFFFFFF/FFFFFFFF",
        b"FFFFFFFFFFFFFFFFFFFF/0",
        b"-1/-1",
        b"0/0/0",
        b"/",
        b"\xff\xfe/1",
        b"1/ 2",
        b"",
    ];
    for value in hostile {
        let value = reqwest::header::HeaderValue::from_bytes(value).unwrap();
        for path in
            ["/v1/articles/s", "/graphql?query=%7B%20article(slug%3A%20%22s%22)%20%7B%20headline%20%7D%20%7D"]
        {
            let r = app
                .client
                .get(format!("{}{path}", app.addr))
                .header("dateline-read-after", value.clone())
                .send()
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), 200, "{path} {value:?}");
            assert!(r.text().await.unwrap().contains("A story"), "{path} {value:?}");
        }
    }
    still_serving(&app).await;
}

/// The example page's path segment: only the files compiled in are ever
/// answered, whatever a caller puts there (traversal, encodings, NUL,
/// length); everything else is a 404 problem, never a file from disk.
#[actix_web::test]
async fn the_example_page_answers_its_own_files_and_nothing_else() {
    let app = TestApp::spawn().await;
    let long = format!("/example/{}", "a/".repeat(4000));
    for path in [
        "/example/../Cargo.toml",
        "/example/..%2F..%2FCargo.toml",
        "/example/%2e%2e/%2e%2e/README.md",
        "/example/js/../../api/src/main.rs",
        "/example/js%00main.js",
        "/example/%ff%fe",
        "/example//etc/passwd",
        "/example/index.html%20",
        "/example/JS/MAIN.JS",
        long.as_str(),
    ] {
        let r = app.client.get(format!("{}{path}", app.addr)).send().await.unwrap();
        let status = r.status().as_u16();
        let body = r.text().await.unwrap();
        assert!(matches!(status, 400 | 404 | 414 | 431), "{path}: {status} {body}");
        assert!(!body.contains("[workspace]") && !body.contains("fn main"), "{path} leaked a file: {body}");
    }
    // The real ones still are served.
    assert_eq!(app.get("/example/js/main.js").await.status(), 200);
    still_serving(&app).await;
}

/// Validators from the caller: `If-Modified-Since` that is no date, out of
/// range, far ahead or long, and `If-None-Match` over many lines, are read
/// as not held (200 with the story) or held (304), never a failure; a date
/// after the story's change is a 304, as a cache sends it.
#[actix_web::test]
async fn hostile_validators_get_the_story_or_a_304() {
    let app = TestApp::spawn().await;
    app.story("s", "A story", Some(crate::common::t0() - chrono::TimeDelta::hours(1)), Story::default())
        .await;
    let long = "Sun, 06 Dec 2026 ".repeat(200);
    let not_held: [&[u8]; 9] = [
        long.as_bytes(),
        b"Thu, 01 Jan 1970 00:00:00 GMT",
        b"Fri, 31 Dec 1600 23:59:59 GMT",
        b"Sun, 06 Dec 2026 25:61:61 GMT",
        b"0",
        b"-1",
        b"\xff\xfe",
        b"",
        b"Sun, 06 Dec 2026 17:00:00 GMT, Sun, 06 Dec 2026 17:00:00 GMT",
    ];
    for value in not_held {
        let value = reqwest::header::HeaderValue::from_bytes(value).unwrap();
        let r =
            app.client.get(format!("{}/v1/articles/s", app.addr)).header("if-modified-since", value.clone());
        let r = r.send().await.unwrap();
        let shown = String::from_utf8_lossy(value.as_bytes()).chars().take(40).collect::<String>();
        assert_eq!(r.status().as_u16(), 200, "{shown}");
        assert!(r.text().await.unwrap().contains("A story"), "{shown}");
    }
    for held in ["Fri, 31 Dec 9999 23:59:59 GMT", "Fri Dec 31 23:59:59 9999"] {
        let r = app.client.get(format!("{}/v1/articles/s", app.addr)).header("if-modified-since", held);
        assert_eq!(r.send().await.unwrap().status().as_u16(), 304, "{held}");
    }
    // Many If-None-Match lines (within the header count the server reads):
    // compared, never a failure.
    let mut r = app.client.get(format!("{}/v1/articles/s", app.addr));
    for i in 0..60 {
        r = r.header("if-none-match", format!("\"{i}\", W/\"{i}\", *x"));
    }
    assert_eq!(r.send().await.unwrap().status().as_u16(), 200);
    still_serving(&app).await;
}

#[actix_web::test]
async fn imports_past_the_cap_are_refused_at_once_and_leave_readers_their_connections() {
    // A pool of 4: one import at a time (a quarter of it).
    let app = TestApp::spawn().await;
    let writer = app.key(&["content:write", "sync:read"]).await;
    let reader = app.key(&["sync:read"]).await;
    let line = |i: usize| {
        json!({ "externalId": format!("held-{i}"), "slug": format!("held-{i}"), "headline": format!("Held {i}"), "status": "DRAFT" })
            .to_string()
    };
    // An import whose body has begun and not ended holds its slot.
    let host = app.addr.trim_start_matches("http://").to_owned();
    let mut held = tokio::net::TcpStream::connect(&host).await.unwrap();
    let first = format!("{}\n", line(0));
    let head = format!(
        "POST /v1/import HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {writer}\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{:x}\r\n{first}\r\n",
        first.len()
    );
    held.write_all(head.as_bytes()).await.unwrap();
    let import = |key: String, body: String| {
        let app = &app;
        async move {
            let r = app.import(&key, body).await;
            let retry = r.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned());
            let ct = r.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned());
            (r.status().as_u16(), retry, ct, r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    // Once the held import's handler has its slot (the metric says so),
    // another is refused.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let metrics = app.get("/metrics").await.text().await.unwrap();
        if metrics.lines().any(|l| l == "dateline_imports_running 1") {
            assert!(metrics.lines().any(|l| l == "dateline_imports_max_running 1"), "{metrics}");
            break;
        }
        assert!(Instant::now() < deadline, "the held import never took its slot");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (status, retry, ct, problem) = import(writer.clone(), line(1)).await;
    assert_eq!(status, 503, "{problem}");
    assert_eq!(retry.as_deref(), Some("5"));
    assert_eq!(ct.as_deref(), Some("application/problem+json"));
    assert_eq!(problem["code"], "SERVICE_UNAVAILABLE", "{problem}");
    assert!(problem["detail"].as_str().unwrap().contains("imports"), "{problem}");
    // Credentials are judged before capacity: a key that may not import
    // learns that, not that imports are busy.
    let (status, _, _, problem) = import(reader.clone(), line(2)).await;
    assert_eq!(status, 403, "{problem}");
    // Readers and writers of single stories keep their connections.
    for _ in 0..10 {
        let (s, _, v) = app.call("GET", "/v1/sync?limit=50", Some(&reader), None, &[]).await;
        assert_eq!(s, 200, "{v}");
    }
    let (s, _, made) = app
        .call(
            "POST",
            "/v1/articles",
            Some(&writer),
            Some(json!({ "slug": "beside", "headline": "Beside" })),
            &[],
        )
        .await;
    assert_eq!(s, 201, "{made}");
    // The held import ends with its second line, and answers for both.
    let second = format!("{}\n", line(3));
    held.write_all(format!("{:x}\r\n{second}\r\n0\r\n\r\n", second.len()).as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    held.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains(r#""created":2"#), "{answer}");
    // Its slot is free again.
    let (status, _, _, report) = import(writer.clone(), line(4)).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["totals"]["created"], 1, "{report}");
    still_serving(&app).await;
}

/// Imports of different stories racing for fewer slots than there are
/// imports, all naming one section, tag and author: each is answered in
/// full or refused having written nothing, and the stored stories and
/// terms are what the answered ones report.
#[actix_web::test]
async fn imports_racing_for_the_slots_write_all_or_nothing() {
    let app = TestApp::spawn_configured(|c| {
        c.db.db_max_connections = 8;
        c.http.import_max_running = 2;
    })
    .await;
    let key = app.key(&["content:write"]).await;
    let archive = |n: usize| {
        (0..40)
            .map(|i| json!({ "externalId": format!("slot-{n}-{i}"), "slug": format!("slot-{n}-{i}"), "headline": format!("Slot {n} {i}"), "status": "PUBLISHED", "publishedAt": "2020-01-01T00:00:00Z", "section": { "slug": "slot-desk", "name": "Slot desk" }, "tags": [{ "slug": "slot-tag", "name": "Slot tag" }], "authors": [{ "slug": "slot-writer", "name": "Slot Writer" }] }).to_string())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let racers: Vec<_> = (0..6)
        .map(|n| {
            let (app, key, body) = (&app, key.clone(), archive(n));
            async move {
                let r = app.import(&key, body).await;
                (r.status().as_u16(), r.json::<Value>().await.unwrap_or(Value::Null))
            }
        })
        .collect();
    let (mut answered, mut created) = (0, 0);
    for (status, report) in futures_util::future::join_all(racers).await {
        match status {
            200 => {
                answered += 1;
                assert_eq!(report["totals"]["rejected"], 0, "{report}");
                created += report["totals"]["created"].as_u64().unwrap();
            }
            503 => assert_eq!(report["code"], "SERVICE_UNAVAILABLE", "{report}"),
            _ => panic!("{status}: {report}"),
        }
    }
    assert!(answered >= 1);
    assert_eq!(created, answered * 40, "an answered import creates all its stories");
    use sea_orm::{EntityTrait, PaginatorTrait};
    let db = &app.state.db;
    assert_eq!(
        entity::article::Entity::find().count(db).await.unwrap(),
        created,
        "a refused one creates none"
    );
    for n in [
        entity::section::Entity::find().count(db).await.unwrap(),
        entity::tag::Entity::find().count(db).await.unwrap(),
        entity::author::Entity::find().count(db).await.unwrap(),
    ] {
        assert_eq!(n, 1, "one section, tag and author whoever created it");
    }
    let (_, listed) = app.get_json("/v1/articles?section=slot-desk&limit=100").await;
    let listed = listed["items"].as_array().unwrap().len() as u64;
    assert_eq!(listed, created.min(100));
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(metrics.lines().any(|l| l == "dateline_imports_running 0"), "every slot freed");
}
