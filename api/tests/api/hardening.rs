//! Hardening of the write path and the HTTP surface: unconditional writes
//! apply under concurrency, identical upserts race safely, write answers
//! respect scopes, bodies must be JSON, and the HTTP headers, metrics and
//! client addresses behave as documented.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{TestApp, error_code};
use serde_json::json;

#[actix_web::test]
async fn concurrent_unconditional_patches_all_apply() {
    let app = TestApp::spawn().await;
    let key = app.key(&["content:write", "content:read-drafts"]).await;
    let (status, _, a) = app
        .call("POST", "/v1/articles", Some(&key), Some(json!({ "slug": "busy", "headline": "H0" })), &[])
        .await;
    assert_eq!(status, 201, "{a}");
    let id = a["id"].as_str().unwrap().to_owned();
    let n = 40;
    let mut tasks = Vec::new();
    for i in 0..n {
        let (client, url, key) = (app.client.clone(), format!("{}/v1/articles/{id}", app.addr), key.clone());
        tasks.push(tokio::spawn(async move {
            let r = client
                .patch(url)
                .bearer_auth(key)
                .json(&json!({ "headline": format!("H{}", i + 1) }))
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            (status, r.text().await.unwrap())
        }));
    }
    for t in tasks {
        let (status, body) = t.await.unwrap();
        assert_eq!(status, 200, "{body}");
    }
    let (_, _, a) = app.call("GET", &format!("/v1/articles/{id}?preview=true"), Some(&key), None, &[]).await;
    assert_eq!(a["version"], n + 1, "{a}");
}

#[actix_web::test]
async fn concurrent_identical_upserts_create_one_article() {
    // Thirty upserts of one story take turns on its row, each holding one
    // of the test's four connections meanwhile: under a loaded machine the
    // last may wait longer than the default 2 s for a connection, which
    // is not what this test is about.
    let app = TestApp::spawn_configured(|c| c.db.db_acquire_timeout_ms = 15_000).await;
    let key = app.key(&["content:write", "content:read-drafts"]).await;
    let mut tasks = Vec::new();
    for _ in 0..30 {
        let (client, url, key) =
            (app.client.clone(), format!("{}/v1/articles/by-external-id/wire-77", app.addr), key.clone());
        tasks.push(tokio::spawn(async move {
            let r = client
                .put(url)
                .bearer_auth(key)
                .json(&json!({ "slug": "wire-story", "headline": "From the wire" }))
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            (status, r.text().await.unwrap())
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        let (status, body) = t.await.unwrap();
        assert!(status == 200 || status == 201, "{status} {body}");
        statuses.push(status);
    }
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    use sea_orm::{EntityTrait, PaginatorTrait};
    assert_eq!(entity::article::Entity::find().count(&app.state.db).await.unwrap(), 1);
}

#[actix_web::test]
async fn a_write_only_key_gets_a_receipt_not_the_draft() {
    let app = TestApp::spawn().await;
    let writer = app.key(&["content:write"]).await;
    let (status, _, a) = app
        .call(
            "POST",
            "/v1/articles",
            Some(&writer),
            Some(json!({ "slug": "secret", "headline": "Embargoed", "bodyMarkdown": "Not yet." })),
            &[],
        )
        .await;
    assert_eq!(status, 201, "{a}");
    let keys: Vec<&String> = a.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["id", "slug", "status", "version"], "{a}");
    let id = a["id"].as_str().unwrap();
    let (status, _, a) =
        app.call("PATCH", &format!("/v1/articles/{id}"), Some(&writer), Some(json!({})), &[]).await;
    assert_eq!(status, 200);
    assert!(a.get("headline").is_none() && a.get("body").is_none(), "{a}");

    let q = "mutation($id: ID!) { updateArticle(id: $id, expectedVersion: 1, input: {}) { id version status article { headline } } }";
    let gid = app.gql_as(Some(&writer), "mutation { createArticle(input: { slug: \"two\", headline: \"Two\" }) { id article { headline } } }", json!({})).await;
    assert!(gid["data"]["createArticle"]["article"].is_null(), "{gid}");
    let gid = gid["data"]["createArticle"]["id"].as_str().unwrap().to_owned();
    let r = app.gql_as(Some(&writer), q, json!({ "id": gid })).await;
    assert_eq!(r["data"]["updateArticle"]["status"], "DRAFT", "{r}");
    assert!(r["data"]["updateArticle"]["article"].is_null(), "{r}");

    // Published stories are public, so the writer sees them whole.
    let (status, _, a) =
        app.call("POST", &format!("/v1/articles/{id}/publish"), Some(&writer), None, &[]).await;
    assert_eq!((status, a["headline"].as_str()), (200, Some("Embargoed")), "{a}");
}

#[actix_web::test]
async fn rest_write_bodies_must_be_json_and_nothing_else() {
    let app = TestApp::spawn().await;
    let key = app.key(&["content:write", "content:read-drafts"]).await;
    let before = app.fingerprint().await;
    let body = r#"{"slug":"x","headline":"X"}"#;
    for ct in [None, Some("text/plain"), Some("application/x-www-form-urlencoded")] {
        let mut r = app.client.post(format!("{}/v1/articles", app.addr)).bearer_auth(&key).body(body);
        if let Some(ct) = ct {
            r = r.header("Content-Type", ct);
        }
        let r = r.send().await.unwrap();
        assert_eq!(r.status().as_u16(), 415, "{ct:?}");
        let p: serde_json::Value = r.json().await.unwrap();
        assert_eq!(p["code"], "UNSUPPORTED_MEDIA_TYPE");
    }
    let r = app
        .client
        .post(format!("{}/v1/articles", app.addr))
        .bearer_auth(&key)
        .header("Content-Type", "application/json")
        .body(format!("{body} trailing"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert_eq!(app.fingerprint().await, before);
    // GraphQL refuses trailing data and batches too.
    for raw in [r#"{"query":"{ __typename }"} x"#, r#"[{"query":"{ __typename }"}]"#] {
        let r = app
            .client
            .post(format!("{}/graphql", app.addr))
            .header("Content-Type", "application/json")
            .body(raw)
            .send()
            .await
            .unwrap();
        let v: serde_json::Value = r.json().await.unwrap();
        assert_eq!(error_code(&v), "BAD_USER_INPUT", "{v}");
    }
    // Links that browsers would resolve off-site are dropped.
    let md = "[a](/\\evil.example) [b](</\t/evil.example>) [c](/fine)";
    let (status, _, a) = app
        .call(
            "POST",
            "/v1/articles",
            Some(&key),
            Some(json!({ "slug": "links", "headline": "L", "bodyMarkdown": md })),
            &[],
        )
        .await;
    assert_eq!(status, 201, "{a}");
    let html = a["body"]["html"].as_str().unwrap();
    assert!(!html.contains("evil.example\""), "{html}");
    assert!(html.contains("href=\"/fine\""), "{html}");
}

#[actix_web::test]
async fn security_headers_are_set() {
    let app = TestApp::spawn().await;
    let r = app.get("/v1/articles").await;
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert!(r.headers().get("content-security-policy").is_none());
    for page in ["/graphql", "/docs"] {
        let r =
            app.client.get(format!("{}{page}", app.addr)).header("accept", "text/html").send().await.unwrap();
        assert_eq!(r.status().as_u16(), 200, "{page}");
        let h = r.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{page}");
        assert!(h["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"), "{page}");
        assert_eq!(h["x-frame-options"], "DENY", "{page}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{page}");
    }
}

#[actix_web::test]
async fn metrics_can_live_on_a_separate_address() {
    // A port picked in advance may be taken by another test's connection
    // before the app binds it; then another is picked.
    let mut attempt = 0;
    let (app, port) = loop {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        match TestApp::try_spawn_configured(|c| c.server.metrics_bind = Some(format!("127.0.0.1:{port}")))
            .await
        {
            Ok(app) => break (app, port),
            Err(e) if attempt < 5 => {
                attempt += 1;
                eprintln!("{e}; picking another port");
            }
            Err(e) => panic!("{e}"),
        }
    };
    app.get("/v1/articles").await;
    assert_eq!(app.get("/metrics").await.status().as_u16(), 404);
    let mut text = String::new();
    for _ in 0..50 {
        if let Ok(r) = reqwest::get(format!("http://127.0.0.1:{port}/metrics")).await {
            text = r.text().await.unwrap();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(text.contains("dateline_http_requests_total"), "{text}");
    assert!(text.contains("/v1/articles"), "{text}");
}

#[actix_web::test]
async fn the_client_behind_trusted_proxies_is_the_address_they_appended() {
    let app = TestApp::spawn_configured(|c| {
        c.http.rate_limit_per_second = 1;
        c.http.rate_limit_burst = 3;
        c.http.trusted_proxies = 1;
    })
    .await;
    // A client forging the leftmost entry still lands in its own bucket.
    let mut statuses = Vec::new();
    for i in 0..6 {
        let r = app
            .client
            .get(format!("{}/v1/articles", app.addr))
            .header("X-Forwarded-For", format!("10.9.9.{i}, 203.0.113.7"))
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
    }
    assert_eq!(statuses, [200, 200, 200, 429, 429, 429]);
    // Another client (another appended address) is not affected.
    let r = app
        .client
        .get(format!("{}/v1/articles", app.addr))
        .header("X-Forwarded-For", "203.0.113.8")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
}

/// The database drops every connection of this app (a failover, a restart,
/// an administrator): the next requests are answered 503 at worst, never
/// 500, and the pool recovers by itself.
#[actix_web::test]
async fn connections_the_database_drops_are_503_then_recovered() {
    use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
    let app = TestApp::spawn().await;
    // SQLite has no server to drop a connection.
    if app.backend() == DatabaseBackend::Sqlite {
        return;
    }
    // Every pooled connection is warm, then the server drops them all.
    let warm = (0..8).map(|_| app.get_json("/v1/articles"));
    assert!(futures_util::future::join_all(warm).await.iter().all(|(s, _)| *s == 200));
    let url = app.state.config.db.database_url.clone();
    let admin = sea_orm::Database::connect(url.as_str()).await.unwrap();
    if app.backend() == DatabaseBackend::Postgres {
        let kill = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                    WHERE datname = current_database() AND pid <> pg_backend_pid()";
        admin.execute_raw(Statement::from_string(app.backend(), kill)).await.unwrap();
    } else {
        let ids = admin
            .query_all_raw(Statement::from_string(
                app.backend(),
                "SELECT id FROM information_schema.processlist WHERE db = DATABASE() AND id <> CONNECTION_ID()",
            ))
            .await
            .unwrap();
        for row in ids {
            let id: i64 = row.try_get("", "id").unwrap();
            admin.execute_raw(Statement::from_string(app.backend(), format!("KILL {id}"))).await.unwrap();
        }
    }
    admin.close().await.unwrap();
    let mut statuses = Vec::new();
    for _ in 0..8 {
        let (status, body) = app.get_json("/v1/articles").await;
        assert!(status == 200 || status == 503, "{status}: {body}");
        if status == 503 {
            assert_eq!(body["code"], "SERVICE_UNAVAILABLE", "{body}");
        }
        statuses.push(status);
    }
    assert_eq!(statuses.last(), Some(&200), "the pool reconnects: {statuses:?}");
}
