//! Webhooks against a real receiver on a port: endpoints managed through
//! both APIs, Standard Webhooks signatures checked with the standard's own
//! library, retries until a receiver that was down comes back, the outbox
//! surviving a restart, one sender per delivery across instances, failing
//! endpoints disabled, and private targets refused.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::receiver::{Received, Receiver};
use crate::common::{TestApp, error_code};
use api::workers::webhooks::Dispatcher;
use chrono::TimeDelta;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;

fn body_of(r: &Received) -> Value {
    serde_json::from_str(&r.body).unwrap()
}

/// Checks a delivery with the Standard Webhooks library.
fn verify(secret: &str, r: &Received) -> Result<(), String> {
    let wh = standardwebhooks::Webhook::new(secret).map_err(|e| e.to_string())?;
    let mut headers = http::HeaderMap::new();
    headers.insert("webhook-id", r.id.parse().unwrap());
    headers.insert("webhook-timestamp", r.timestamp.parse().unwrap());
    headers.insert("webhook-signature", r.signature.parse().unwrap());
    wh.verify(r.body.as_bytes(), &headers).map_err(|e| e.to_string())
}

const ALL_EVENTS: [&str; 7] = [
    "article.published",
    "article.updated",
    "article.corrected",
    "article.unpublished",
    "article.deleted",
    "comment.created",
    "comment.moderated",
];

/// An app whose deliveries the test sends itself, with [`deliver`].
async fn delivering_app() -> TestApp {
    TestApp::spawn_configured(|c| c.webhooks.webhooks_allow_private = true).await
}

/// Runs the dispatcher's step until nothing is due; the attempts made.
async fn deliver(app: &TestApp) -> usize {
    app.deliver_webhooks().await
}

async fn register(app: &TestApp, key: &str, url: &str, events: &[&str]) -> (String, String) {
    let (status, _, v) =
        app.call("POST", "/v1/webhooks", Some(key), Some(json!({ "url": url, "events": events })), &[]).await;
    assert_eq!(status, 201, "{v}");
    (v["id"].as_str().unwrap().to_owned(), v["secret"].as_str().unwrap().to_owned())
}

/// Creates a story and publishes it; its id.
async fn publish(app: &TestApp, key: &str, slug: &str) -> String {
    let id = write(
        app,
        key,
        "POST",
        "/v1/articles",
        Some(json!({ "slug": slug, "headline": "Story", "bodyMarkdown": "x" })),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    write(app, key, "POST", &format!("/v1/articles/{id}/publish"), None).await;
    id
}

async fn write(app: &TestApp, key: &str, method: &str, path: &str, body: Option<Value>) -> Value {
    let (status, _, v) = app.call(method, path, Some(key), body, &[]).await;
    assert!(status < 300, "{method} {path}: {status} {v}");
    v
}

#[actix_web::test]
async fn every_event_arrives_signed_with_its_feed_cursor() {
    let app = delivering_app().await;
    let receiver = Receiver::start();
    let admin = app.key(&["webhooks:manage", "content:write", "sync:read", "comments:moderate"]).await;
    let (endpoint, secret) = register(&app, &admin, &receiver.url, &ALL_EVENTS).await;
    assert!(secret.starts_with("whsec_"));

    let id = write(
        &app,
        &admin,
        "POST",
        "/v1/articles",
        Some(json!({ "slug": "city-budget", "headline": "City budget", "bodyMarkdown": "Text." })),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    write(&app, &admin, "POST", &format!("/v1/articles/{id}/publish"), None).await;
    write(
        &app,
        &admin,
        "PATCH",
        &format!("/v1/articles/{id}"),
        Some(json!({ "headline": "City budget passes" })),
    )
    .await;
    write(
        &app,
        &admin,
        "POST",
        &format!("/v1/articles/{id}/corrections"),
        Some(json!({ "text": "The vote was 7-2." })),
    )
    .await;
    let (reader, _) = app.person("Ada Reader", "READER").await;
    let (status, _, comment) = app
        .call(
            "POST",
            &format!("/v1/articles/{id}/comments"),
            Some(&reader),
            Some(json!({ "body": "Good news" })),
            &[],
        )
        .await;
    assert_eq!(status, 201, "{comment}");
    let cid = comment["id"].as_str().unwrap();
    write(
        &app,
        &admin,
        "POST",
        &format!("/v1/comments/{cid}/moderation"),
        Some(json!({ "status": "REJECTED" })),
    )
    .await;
    write(&app, &admin, "POST", &format!("/v1/articles/{id}/unpublish"), None).await;
    write(&app, &admin, "POST", &format!("/v1/articles/{id}/publish"), None).await;
    write(&app, &admin, "DELETE", &format!("/v1/articles/{id}"), None).await;
    let (status, _, _) =
        app.call("POST", &format!("/v1/webhooks/{endpoint}/ping"), Some(&admin), None, &[]).await;
    assert_eq!(status, 202);

    assert_eq!(deliver(&app).await, 9);
    let got = receiver.received();
    let mut types: Vec<String> =
        got.iter().map(|r| body_of(r)["type"].as_str().unwrap().to_owned()).collect();
    types.sort();
    let mut expected = vec![
        "article.published",
        "article.updated",
        "article.corrected",
        "comment.created",
        "comment.moderated",
        "article.unpublished",
        "article.published",
        "article.deleted",
        "webhook.ping",
    ];
    expected.sort();
    assert_eq!(types, expected);
    for r in &got {
        verify(&secret, r).unwrap_or_else(|e| panic!("{} does not verify: {e}", r.id));
        assert!(r.id.starts_with("msg_"));
        let mut tampered = r.clone();
        tampered.body = tampered.body.replace("city-budget", "city-budgets");
        if tampered.body != r.body {
            assert!(verify(&secret, &tampered).is_err(), "a changed body must not verify");
        }
        assert!(
            verify("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", r).is_err(),
            "another secret must not verify"
        );
    }

    // Each article event carries the cursor of its feed entry: reading the
    // feed from just before it gives that very entry.
    let published = got.iter().map(body_of).find(|b| b["type"] == "article.corrected").unwrap();
    assert_eq!(published["data"]["id"], id.as_str());
    assert_eq!(published["data"]["event"], "CORRECTED");
    let cursor = published["data"]["cursor"].as_str().unwrap();
    let seq = api::domain::journal::cursor::decode(cursor, "cursor").unwrap();
    let before = api::domain::journal::cursor::encode(seq - 1);
    let (_, _, next) =
        app.call("GET", &format!("/v1/sync?limit=1&cursor={before}"), Some(&admin), None, &[]).await;
    assert_eq!(next["nextCursor"], cursor, "{next}");

    // The deliveries are listed with how they went.
    let (status, _, list) = app
        .call("GET", &format!("/v1/webhooks/{endpoint}/deliveries?limit=100"), Some(&admin), None, &[])
        .await;
    assert_eq!(status, 200);
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 9);
    assert!(
        items.iter().all(|d| d["status"] == "DELIVERED" && d["attempts"] == 1 && d["lastStatusCode"] == 204),
        "{list}"
    );
}

#[actix_web::test]
async fn a_receiver_that_was_down_gets_every_event_when_it_comes_back() {
    let app = delivering_app().await;
    let receiver = Receiver::start();
    receiver.status.store(503, Ordering::SeqCst);
    let admin = app.key(&["webhooks:manage", "content:write"]).await;
    let (endpoint, secret) = register(&app, &admin, &receiver.url, &["article.published"]).await;
    for i in 0..3 {
        publish(&app, &admin, &format!("outage-{i}")).await;
    }
    // Every first attempt fails and is scheduled again.
    assert_eq!(deliver(&app).await, 3);
    let list =
        app.call("GET", &format!("/v1/webhooks/{endpoint}/deliveries"), Some(&admin), None, &[]).await.2;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    for d in items {
        assert_eq!((d["status"].as_str(), d["lastStatusCode"].as_i64()), (Some("PENDING"), Some(503)), "{d}");
        assert!(d["nextAttemptAt"].as_str().is_some());
    }
    let (_, _, ep) = app.call("GET", &format!("/v1/webhooks/{endpoint}"), Some(&admin), None, &[]).await;
    assert!(ep["failingSince"].is_string(), "{ep}");
    assert!(receiver.received().is_empty());

    // The receiver comes back; the retries fall due.
    receiver.status.store(200, Ordering::SeqCst);
    assert_eq!(deliver(&app).await, 0, "the retries are not due yet");
    app.state.clock.advance(TimeDelta::seconds(10));
    assert_eq!(deliver(&app).await, 3);
    let got = receiver.received();
    assert_eq!(got.len(), 3);
    for r in &got {
        verify(&secret, r).unwrap();
    }
    let mut ids: Vec<_> = got.iter().map(|r| r.id.clone()).collect();
    ids.dedup();
    assert_eq!(ids.len(), 3);
    let (_, _, list) = app
        .call("GET", &format!("/v1/webhooks/{endpoint}/deliveries?status=DELIVERED"), Some(&admin), None, &[])
        .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 3, "{list}");
    assert!(list["items"].as_array().unwrap().iter().all(|d| d["attempts"] == 2));
    let (_, _, ep) = app.call("GET", &format!("/v1/webhooks/{endpoint}"), Some(&admin), None, &[]).await;
    assert!(ep["failingSince"].is_null(), "a success clears the failure: {ep}");
}

#[actix_web::test]
async fn a_change_made_before_a_crash_is_sent_after_the_restart() {
    let (url, dir) = crate::common::fresh_database().await;
    let receiver = Receiver::start();
    // The first instance sends nothing: it stops between change and delivery.
    let first = TestApp::spawn_with(url.clone(), dir, |c| {
        c.webhooks.webhooks_allow_private = true;
        c.webhooks.webhooks_poll_ms = 0;
    })
    .await;
    let admin = first.key(&["webhooks:manage", "content:write"]).await;
    let (endpoint, secret) = register(&first, &admin, &receiver.url, &["article.published"]).await;
    let id = write(
        &first,
        &admin,
        "POST",
        "/v1/articles",
        Some(json!({ "slug": "before-crash", "headline": "Before", "bodyMarkdown": "x" })),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    write(&first, &admin, "POST", &format!("/v1/articles/{id}/publish"), None).await;
    assert!(receiver.received().is_empty());

    // A delivery an instance had claimed when it died waits for its lease.
    use sea_orm::{ActiveModelTrait, EntityTrait, Set};
    let pending = entity::webhook_delivery::Entity::find().all(&first.state.db).await.unwrap();
    assert_eq!(pending.len(), 1);
    let mut leased: entity::webhook_delivery::ActiveModel = pending[0].clone().into();
    leased.lease_until = Set(Some(first.state.clock.now() + TimeDelta::seconds(60)));
    leased.update(&first.state.db).await.unwrap();

    let second = TestApp::spawn_with(url, None, |c| c.webhooks.webhooks_allow_private = true).await;
    assert_eq!(deliver(&second).await, 0);
    assert!(receiver.received().is_empty(), "not while another instance's lease runs");
    second.state.clock.advance(TimeDelta::seconds(61));
    assert_eq!(deliver(&second).await, 1);
    let got = receiver.received();
    assert_eq!(got.len(), 1);
    verify(&secret, &got[0]).unwrap();
    assert_eq!(body_of(&got[0])["data"]["id"], id.as_str());
    let _ = endpoint;
}

#[actix_web::test]
async fn several_instances_send_each_delivery_once() {
    let app = TestApp::spawn_configured(|c| c.webhooks.webhooks_allow_private = true).await;
    let receiver = Receiver::start();
    receiver.delay_ms.store(30, Ordering::SeqCst);
    let admin = app.key(&["webhooks:manage", "content:write"]).await;
    register(&app, &admin, &receiver.url, &["article.published"]).await;
    register(&app, &admin, &receiver.url, &["article.published"]).await;
    for i in 0..10 {
        let id = write(
            &app,
            &admin,
            "POST",
            "/v1/articles",
            Some(json!({ "slug": format!("burst-{i}"), "headline": "Burst", "bodyMarkdown": "x" })),
        )
        .await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        write(&app, &admin, "POST", &format!("/v1/articles/{id}/publish"), None).await;
    }
    // Four workers (as four instances would) tick at once, again and again.
    let settings = (*app.state.webhooks).clone();
    let workers: Vec<Arc<Dispatcher>> = (0..4)
        .map(|_| {
            Arc::new(
                Dispatcher::new(app.state.db.clone(), app.state.clock.clone(), settings.clone()).unwrap(),
            )
        })
        .collect();
    for _ in 0..5 {
        let rounds: Vec<_> = workers
            .iter()
            .map(|w| {
                let w = w.clone();
                tokio::spawn(async move { w.step().await.unwrap() })
            })
            .collect();
        for r in rounds {
            r.await.unwrap();
        }
    }
    let got = receiver.received();
    assert_eq!(got.len(), 20, "10 stories × 2 endpoints");
    let mut counts: HashMap<String, usize> = HashMap::new();
    for r in &got {
        *counts.entry(r.id.clone()).or_default() += 1;
    }
    assert!(counts.values().all(|n| *n == 1), "each delivery sent once: {counts:?}");
}

#[actix_web::test]
async fn an_endpoint_failing_for_days_is_disabled_and_says_why() {
    let app = TestApp::spawn_configured(|c| {
        c.webhooks.webhooks_allow_private = true;
        c.webhooks.webhooks_disable_after_hours = 24;
    })
    .await;
    let receiver = Receiver::start();
    receiver.status.store(500, Ordering::SeqCst);
    let admin = app.key(&["webhooks:manage", "content:write"]).await;
    let (endpoint, _) = register(&app, &admin, &receiver.url, &["article.published"]).await;
    let worker =
        Dispatcher::new(app.state.db.clone(), app.state.clock.clone(), (*app.state.webhooks).clone())
            .unwrap();
    for i in 0..2 {
        let id = write(
            &app,
            &admin,
            "POST",
            "/v1/articles",
            Some(json!({ "slug": format!("down-{i}"), "headline": "Down", "bodyMarkdown": "x" })),
        )
        .await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        write(&app, &admin, "POST", &format!("/v1/articles/{id}/publish"), None).await;
    }
    // Attempt after attempt over three days, each after its wait.
    let mut attempts = 0;
    for _ in 0..40 {
        attempts += worker.step().await.unwrap();
        app.state.clock.advance(TimeDelta::hours(3));
    }
    assert!(attempts >= 4, "{attempts}");
    let (_, _, ep) = app.call("GET", &format!("/v1/webhooks/{endpoint}"), Some(&admin), None, &[]).await;
    assert_eq!(ep["enabled"], false, "{ep}");
    assert!(ep["disabledReason"].as_str().unwrap().contains("every delivery failed since"), "{ep}");
    // A disabled endpoint gets nothing more; enabling it again resumes.
    receiver.status.store(200, Ordering::SeqCst);
    assert_eq!(worker.step().await.unwrap(), 0);
    let (status, _, ep) = app
        .call(
            "PATCH",
            &format!("/v1/webhooks/{endpoint}"),
            Some(&admin),
            Some(json!({ "enabled": true })),
            &[],
        )
        .await;
    assert_eq!(
        (status, ep["enabled"].as_bool(), ep["disabledReason"].is_null()),
        (200, Some(true), true),
        "{ep}"
    );
    let (_, _, list) =
        app.call("GET", &format!("/v1/webhooks/{endpoint}/deliveries"), Some(&admin), None, &[]).await;
    let d = list["items"][0]["id"].as_str().unwrap();
    let (status, _, retried) = app
        .call("POST", &format!("/v1/webhooks/{endpoint}/deliveries/{d}/retry"), Some(&admin), None, &[])
        .await;
    assert_eq!((status, retried["status"].as_str()), (202, Some("PENDING")), "{retried}");
    worker.step().await.unwrap();
    assert!(!receiver.received().is_empty());
}

#[actix_web::test]
async fn private_targets_are_refused_when_saved_and_when_sent() {
    let app = TestApp::spawn().await;
    let admin = app.key(&["webhooks:manage"]).await;
    for url in [
        "http://127.0.0.1:9/hook",
        "http://localhost/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/x",
        "http://10.0.0.7/x",
        "http://2130706433/x",
        // IPv4 loopback and metadata carried in IPv6 forms.
        "http://[::ffff:0:127.0.0.1]/x",
        "http://[2002:7f00:1::1]/x",
        "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/x",
        "http://[64:ff9b:1::a9fe:a9fe]/x",
    ] {
        let (status, headers, v) = app
            .call(
                "POST",
                "/v1/webhooks",
                Some(&admin),
                Some(json!({ "url": url, "events": ["article.published"] })),
                &[],
            )
            .await;
        assert_eq!(status, 422, "{url}: {v}");
        assert_eq!(headers["content-type"], "application/problem+json");
        assert_eq!(v["errors"][0]["path"], "url", "{v}");
    }
    // Saved while private targets were allowed (an operator's choice),
    // then refused at delivery once they are not.
    let receiver = Receiver::start();
    let lenient =
        TestApp::spawn_with(app_url(&app), None, |c| c.webhooks.webhooks_allow_private = true).await;
    let writer = lenient.key(&["content:write"]).await;
    register(&lenient, &admin, &receiver.url, &["article.published"]).await;
    let id = write(
        &lenient,
        &writer,
        "POST",
        "/v1/articles",
        Some(json!({ "slug": "inside", "headline": "Inside", "bodyMarkdown": "x" })),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    write(&lenient, &writer, "POST", &format!("/v1/articles/{id}/publish"), None).await;
    let strict =
        Dispatcher::new(app.state.db.clone(), app.state.clock.clone(), (*app.state.webhooks).clone())
            .unwrap();
    assert_eq!(strict.step().await.unwrap(), 1);
    assert!(receiver.received().is_empty(), "the attempt was refused before any request");
    let d = entity_deliveries(&app).await;
    assert!(d[0].last_error.as_deref().unwrap_or("").contains("loopback"), "{:?}", d[0].last_error);
}

fn app_url(app: &TestApp) -> String {
    app.state.config.db.database_url.clone()
}

async fn entity_deliveries(app: &TestApp) -> Vec<entity::webhook_delivery::Model> {
    use sea_orm::EntityTrait;
    entity::webhook_delivery::Entity::find().all(&app.state.db).await.unwrap()
}

#[actix_web::test]
async fn endpoints_are_managed_through_both_apis_and_only_with_the_scope() {
    let app = TestApp::spawn_configured(|c| c.webhooks.webhooks_allow_private = true).await;
    let admin = app.key(&["webhooks:manage"]).await;
    let writer = app.key(&["content:write", "sync:read", "comments:moderate", "content:read-drafts"]).await;
    let (reader, _) = app.person("Rita Reader", "READER").await;
    let (editor, _) = app.person("Ed Editor", "EDITOR").await;
    let (owner, _) = app.person("Ann Admin", "ADMIN").await;
    let revoked = app.revoked_key().await;

    // Who may do what, over REST: only `webhooks:manage`.
    let (ep, _) = register(&app, &admin, "http://127.0.0.1:9/a", &["article.published"]).await;
    let calls: Vec<(&str, String, Option<Value>)> = vec![
        (
            "POST",
            "/v1/webhooks".into(),
            Some(json!({ "url": "http://127.0.0.1:9/b", "events": ["article.updated"] })),
        ),
        ("GET", "/v1/webhooks".into(), None),
        ("GET", format!("/v1/webhooks/{ep}"), None),
        ("PATCH", format!("/v1/webhooks/{ep}"), Some(json!({ "events": ["article.deleted"] }))),
        ("POST", format!("/v1/webhooks/{ep}/rotate-secret"), None),
        ("POST", format!("/v1/webhooks/{ep}/ping"), None),
        ("GET", format!("/v1/webhooks/{ep}/deliveries"), None),
        ("DELETE", format!("/v1/webhooks/{ep}"), None),
    ];
    for (who, token, expected) in [
        ("anonymous", None, 401),
        ("revoked key", Some(revoked.as_str()), 401),
        ("writer key", Some(writer.as_str()), 403),
        ("reader", Some(reader.as_str()), 403),
        ("editor", Some(editor.as_str()), 403),
    ] {
        for (method, path, body) in &calls {
            let (status, _, v) = app.call(method, path, token, body.clone(), &[]).await;
            assert_eq!(status, expected, "{who}: {method} {path}: {v}");
        }
    }
    let (_, _, list) = app.call("GET", "/v1/webhooks", Some(&admin), None, &[]).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "refused calls changed nothing");
    // The ADMIN role carries every scope, this one included.
    let (status, _, _) = app.call("GET", "/v1/webhooks", Some(&owner), None, &[]).await;
    assert_eq!(status, 200);
    assert!(list["items"][0].get("secret").is_none(), "secrets are shown once");

    // Bad input is named.
    for (body, path) in [
        (json!({ "url": "ftp://x.example/", "events": ["article.published"] }), "url"),
        (json!({ "url": "http://127.0.0.1:9/", "events": [] }), "events"),
        (json!({ "url": "http://127.0.0.1:9/", "events": ["article.exploded"] }), "events[0]"),
        (
            json!({ "url": "http://127.0.0.1:9/", "events": ["article.published"], "description": "a\u{0}b" }),
            "description",
        ),
        (json!({ "events": ["article.published"] }), "body"),
        (
            json!({ "url": "http://127.0.0.1:9/", "events": ["article.published"], "secret": "mine" }),
            "secret",
        ),
        (json!({ "url": "http://127.0.0.1:9/", "events": "article.published" }), "events"),
    ] {
        let (status, _, v) = app.call("POST", "/v1/webhooks", Some(&admin), Some(body.clone()), &[]).await;
        assert_eq!(status, 400, "{body}: {v}");
        assert!(v["errors"].as_array().unwrap().iter().any(|e| e["path"] == path), "{body}: {v}");
    }

    // An address with credentials is well formed but refused; an event
    // named twice is named once.
    let (status, _, v) = app
        .call(
            "POST",
            "/v1/webhooks",
            Some(&admin),
            Some(json!({ "url": "http://u:p@127.0.0.1:9/", "events": ["article.published"] })),
            &[],
        )
        .await;
    assert_eq!((status, v["errors"][0]["path"].as_str()), (422, Some("url")), "{v}");
    let (status, _, v) = app
        .call("POST", "/v1/webhooks", Some(&admin), Some(json!({ "url": "http://127.0.0.1:9/t", "events": ["article.published", "article.published"] })), &[])
        .await;
    assert_eq!((status, &v["events"]), (201, &json!(["article.published"])), "{v}");
    app.call("DELETE", &format!("/v1/webhooks/{}", v["id"].as_str().unwrap()), Some(&admin), None, &[]).await;

    // Update, rotate (the old secret keeps signing for a while), delete.
    let (status, _, v) = app
        .call(
            "PATCH",
            &format!("/v1/webhooks/{ep}"),
            Some(&admin),
            Some(json!({ "events": ["article.deleted", "comment.created"], "description": "Search index" })),
            &[],
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["events"], json!(["article.deleted", "comment.created"]));
    assert_eq!(v["description"], "Search index");
    let (_, _, r1) =
        app.call("POST", &format!("/v1/webhooks/{ep}/rotate-secret"), Some(&admin), None, &[]).await;
    let (_, _, r2) =
        app.call("POST", &format!("/v1/webhooks/{ep}/rotate-secret"), Some(&admin), None, &[]).await;
    assert!(r1["secret"].as_str().unwrap().starts_with("whsec_"));
    assert_ne!(r1["secret"], r2["secret"]);

    // GraphQL: the same endpoints, the same rules.
    let q = r#"{ webhookEndpoints { id url events enabled deliveries(first: 5) { nodes { eventType status } pageInfo { endCursor hasNextPage } } } }"#;
    let r = app.gql_as(Some(&writer), q, json!({})).await;
    assert_eq!(error_code(&r), "FORBIDDEN", "{r}");
    let r = app.gql_as(Some(&admin), q, json!({})).await;
    assert_eq!(
        r["data"]["webhookEndpoints"][0]["events"],
        json!(["ARTICLE_DELETED", "COMMENT_CREATED"]),
        "{r}"
    );
    let gid = r["data"]["webhookEndpoints"][0]["id"].as_str().unwrap().to_owned();
    let create = r#"mutation($i: WebhookEndpointInput!) { createWebhookEndpoint(input: $i) { secret endpoint { id url events } } }"#;
    let r = app
        .gql_as(
            Some(&admin),
            create,
            json!({ "i": { "url": "http://127.0.0.1:9/g", "events": ["COMMENT_MODERATED"] } }),
        )
        .await;
    assert!(r["data"]["createWebhookEndpoint"]["secret"].as_str().unwrap().starts_with("whsec_"), "{r}");
    assert_eq!(r["data"]["createWebhookEndpoint"]["endpoint"]["events"], json!(["COMMENT_MODERATED"]));
    // Event types are an enum: REST's dotted names are not GraphQL values.
    let r = app
        .gql_as(
            Some(&admin),
            create,
            json!({ "i": { "url": "http://127.0.0.1:9/g", "events": ["comment.moderated"] } }),
        )
        .await;
    assert!(
        r["data"].is_null() && r["errors"][0]["message"].as_str().unwrap().contains("WebhookEventType"),
        "{r}"
    );
    let r = app
        .gql_as(Some(&admin), create, json!({ "i": { "url": "nope", "events": ["COMMENT_MODERATED"] } }))
        .await;
    assert_eq!(error_code(&r), "BAD_USER_INPUT", "{r}");
    assert_eq!(r["errors"][0]["extensions"]["fields"][0]["path"], "input.url", "{r}");
    for (token, code) in [
        (None, "UNAUTHENTICATED"),
        (Some(writer.as_str()), "FORBIDDEN"),
        (Some(reader.as_str()), "FORBIDDEN"),
    ] {
        let r = app
            .gql_as(
                token,
                create,
                json!({ "i": { "url": "http://127.0.0.1:9/h", "events": ["COMMENT_MODERATED"] } }),
            )
            .await;
        assert_eq!(error_code(&r), code, "{r}");
        for m in [
            format!(r#"mutation {{ rotateWebhookSecret(id: "{gid}") {{ secret }} }}"#),
            format!(r#"mutation {{ pingWebhookEndpoint(id: "{gid}") {{ delivery {{ id }} }} }}"#),
            format!(
                r#"mutation {{ updateWebhookEndpoint(id: "{gid}", input: {{ enabled: false }}) {{ endpoint {{ enabled }} }} }}"#
            ),
            format!(r#"mutation {{ deleteWebhookEndpoint(id: "{gid}") {{ deletedId }} }}"#),
        ] {
            let r = app.gql_as(token, &m, json!({})).await;
            assert_eq!(error_code(&r), code, "{m}: {r}");
        }
    }
    let r = app.gql_as(Some(&admin), &format!(r#"mutation {{ pingWebhookEndpoint(id: "{gid}") {{ delivery {{ id eventType status messageId }} }} }}"#), json!({})).await;
    assert_eq!(r["data"]["pingWebhookEndpoint"]["delivery"]["eventType"], "WEBHOOK_PING", "{r}");
    let r = app
        .gql_as(
            Some(&admin),
            &format!(r#"mutation {{ deleteWebhookEndpoint(id: "{gid}") {{ deletedId }} }}"#),
            json!({}),
        )
        .await;
    assert_eq!(r["data"]["deleteWebhookEndpoint"]["deletedId"], gid.as_str(), "{r}");
    let (status, _, _) = app.call("GET", &format!("/v1/webhooks/{ep}"), Some(&admin), None, &[]).await;
    assert_eq!(status, 404);
}

#[actix_web::test]
async fn an_import_fires_each_public_story_with_its_own_cursor() {
    let app = delivering_app().await;
    let receiver = Receiver::start();
    let admin = app.key(&["webhooks:manage", "content:write", "content:read-drafts", "sync:read"]).await;
    let (_, secret) = register(&app, &admin, &receiver.url, &["article.published"]).await;
    let line = |n: usize, status: &str| json!({ "externalId": format!("wire-{n}"), "slug": format!("wire-{n}"), "headline": format!("Wire {n}"), "status": status, "publishedAt": "2019-03-04T05:06:07Z", "bodyBlocks": [] });
    let body: String = [line(1, "PUBLISHED"), line(2, "DRAFT"), line(3, "PUBLISHED"), line(4, "PUBLISHED")]
        .iter()
        .map(|l| format!("{l}\n"))
        .collect();
    let r = app
        .client
        .post(format!("{}/v1/import", app.addr))
        .bearer_auth(&admin)
        .header("content-type", "application/x-ndjson")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    // Three public stories, three deliveries; the draft stays quiet.
    assert_eq!(deliver(&app).await, 3);
    let got = receiver.received();
    assert_eq!(got.len(), 3);
    let (_, _, feed) = app.call("GET", "/v1/sync?limit=100", Some(&admin), None, &[]).await;
    let cursors: HashMap<String, String> = feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["id"].as_str().unwrap().to_owned(), i["cursor"].as_str().unwrap().to_owned()))
        .collect();
    let mut slugs = Vec::new();
    for r in &got {
        verify(&secret, r).unwrap();
        let b = body_of(r);
        assert_eq!(b["type"], "article.published");
        assert_eq!(cursors[b["data"]["id"].as_str().unwrap()], b["data"]["cursor"], "{b}");
        slugs.push(b["data"]["slug"].as_str().unwrap().to_owned());
    }
    slugs.sort();
    assert_eq!(slugs, ["wire-1", "wire-3", "wire-4"]);
}

#[actix_web::test]
async fn graphql_pages_deliveries_as_a_relay_connection() {
    let app = delivering_app().await;
    let admin = app.key(&["webhooks:manage", "content:write"]).await;
    register(&app, &admin, "http://127.0.0.1:9/hook", &["article.published"]).await;
    for i in 0..3 {
        publish(&app, &admin, &format!("paged-{i}")).await;
    }
    let q = r#"query($after: String) { webhookEndpoints { deliveries(first: 2, after: $after) {
        edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage endCursor } } } }"#;
    let page = |after: Value| {
        let app = &app;
        let admin = &admin;
        async move {
            let r = app.gql_as(Some(admin), q, json!({ "after": after })).await;
            r["data"]["webhookEndpoints"][0]["deliveries"].clone()
        }
    };
    let first = page(Value::Null).await;
    assert_eq!(first["edges"].as_array().unwrap().len(), 2, "{first}");
    assert_eq!(first["pageInfo"]["hasNextPage"], true);
    assert_eq!(first["pageInfo"]["endCursor"], first["edges"][1]["cursor"]);
    let second = page(first["pageInfo"]["endCursor"].clone()).await;
    assert_eq!(second["edges"].as_array().unwrap().len(), 1, "{second}");
    assert_eq!(
        second["pageInfo"],
        json!({ "hasNextPage": false, "hasPreviousPage": true, "endCursor": second["edges"][0]["cursor"] })
    );
    let mut ids: Vec<&Value> = first["edges"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second["edges"].as_array().unwrap())
        .map(|e| &e["node"]["id"])
        .collect();
    ids.dedup();
    assert_eq!(ids.len(), 3, "no delivery twice, none left out");
}
