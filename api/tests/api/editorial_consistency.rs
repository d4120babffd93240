//! Optimistic concurrency and idempotent retries: stale writes change
//! nothing, concurrent writers cannot both win, and a retried create never
//! creates twice.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{TestApp, error_code};
use serde_json::json;

const UPDATE: &str = r#"mutation($id: ID!, $v: Int!, $h: String) {
  updateArticle(id: $id, expectedVersion: $v, input: { headline: $h }) { article { headline version } } }"#;

async fn draft(app: &TestApp, key: &str, slug: &str) -> (String, String) {
    let (status, _, a) = app
        .call("POST", "/v1/articles", Some(key), Some(json!({ "slug": slug, "headline": "First" })), &[])
        .await;
    assert_eq!(status, 201, "{a}");
    (a["id"].as_str().unwrap().to_owned(), a["slug"].as_str().unwrap().to_owned())
}

#[actix_web::test]
async fn a_stale_version_is_a_conflict_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let key = app.key(&["content:write", "content:read-drafts"]).await;
    let (id, _) = draft(&app, &key, "s1").await;
    let r = app.gql_as(Some(&key), UPDATE, json!({ "id": id, "v": 1, "h": "Second" })).await;
    assert_eq!(r["data"]["updateArticle"]["article"]["version"], 2, "{r}");

    let before = app.fingerprint().await;
    let r = app.gql_as(Some(&key), UPDATE, json!({ "id": id, "v": 1, "h": "Lost update" })).await;
    assert_eq!(error_code(&r), "CONFLICT", "{r}");
    let (status, _, p) = app
        .call(
            "PATCH",
            &format!("/v1/articles/{id}"),
            Some(&key),
            Some(json!({ "headline": "Lost" })),
            &[("If-Match", "\"1\"")],
        )
        .await;
    assert_eq!((status, p["code"].as_str()), (412, Some("CONFLICT")));
    let (status, _, _) =
        app.call("DELETE", &format!("/v1/articles/{id}"), Some(&key), None, &[("If-Match", "\"1\"")]).await;
    assert_eq!(status, 412);
    // Authorization comes first: an anonymous conditional delete learns nothing.
    let (status, _, _) =
        app.call("DELETE", &format!("/v1/articles/{id}"), None, None, &[("If-Match", "\"1\"")]).await;
    assert_eq!(status, 401);
    assert_eq!(app.fingerprint().await, before);

    // The current version goes through; writing the same content again is a no-op.
    let (status, _, a) = app
        .call(
            "PATCH",
            &format!("/v1/articles/{id}"),
            Some(&key),
            Some(json!({ "headline": "Third" })),
            &[("If-Match", "\"2\"")],
        )
        .await;
    assert_eq!((status, a["version"].as_i64()), (200, Some(3)), "{a}");
    let (_, _, a) = app
        .call("PATCH", &format!("/v1/articles/{id}"), Some(&key), Some(json!({ "headline": "Third" })), &[])
        .await;
    assert_eq!(a["version"], 3, "an unchanged write does not bump the version");
}

#[actix_web::test]
async fn of_two_concurrent_updates_at_one_version_exactly_one_wins() {
    let app = TestApp::spawn().await;
    let key = app.key(&["content:write", "content:read-drafts"]).await;
    for round in 0..5 {
        let (id, _) = draft(&app, &key, &format!("race-{round}")).await;
        let a = app.gql_as(Some(&key), UPDATE, json!({ "id": id, "v": 1, "h": "From A" }));
        let b = app.gql_as(Some(&key), UPDATE, json!({ "id": id, "v": 1, "h": "From B" }));
        let (a, b) = futures_util::join!(a, b);
        let wins: Vec<&serde_json::Value> = [&a, &b].into_iter().filter(|r| r["errors"].is_null()).collect();
        let conflicts = [&a, &b].into_iter().filter(|r| error_code(r) == "CONFLICT").count();
        assert_eq!((wins.len(), conflicts), (1, 1), "{a} {b}");
        let winner = wins[0]["data"]["updateArticle"]["article"]["headline"].as_str().unwrap().to_owned();
        let (_, _, now) = app
            .call(
                "GET",
                &format!("/v1/articles/{id}?preview=true"),
                Some(&app.key(&["content:read-drafts"]).await),
                None,
                &[],
            )
            .await;
        assert_eq!(now["headline"].as_str(), Some(winner.as_str()));
        assert_eq!(now["version"], 2);
    }
}

#[actix_web::test]
async fn a_retried_post_returns_the_first_answer_and_creates_nothing_twice() {
    let app = TestApp::spawn().await;
    let key = app.key(&["content:write", "content:read-drafts"]).await;
    let body = json!({ "slug": "once", "headline": "Once" });
    let idem = [("Idempotency-Key", "create-once-1")];
    let (s1, h1, a1) = app.call("POST", "/v1/articles", Some(&key), Some(body.clone()), &idem).await;
    let (s2, h2, a2) = app.call("POST", "/v1/articles", Some(&key), Some(body.clone()), &idem).await;
    assert_eq!((s1, s2), (201, 201));
    assert_eq!(a1, a2);
    assert!(h1.get("idempotent-replayed").is_none());
    assert_eq!(h2["idempotent-replayed"], "true");
    assert_eq!(app.feed().await, ["article created once"]);

    // The same key with another body is a client error, and creates nothing.
    let before = app.fingerprint().await;
    let (status, _, p) = app
        .call("POST", "/v1/articles", Some(&key), Some(json!({ "slug": "twice", "headline": "x" })), &idem)
        .await;
    assert_eq!((status, p["code"].as_str()), (409, Some("CONFLICT")));
    assert_eq!(app.fingerprint().await, before);

    // Concurrent retries of one request: one article, one answer.
    let body = json!({ "slug": "raced", "headline": "Raced" });
    let idem = [("Idempotency-Key", "raced-1")];
    let calls = (0..4).map(|_| app.call("POST", "/v1/articles", Some(&key), Some(body.clone()), &idem));
    let answers = futures_util::future::join_all(calls).await;
    for (status, _, a) in &answers {
        assert_eq!(*status, 201, "{a}");
        assert_eq!(a["id"], answers[0].2["id"]);
    }
    assert_eq!(app.feed().await.iter().filter(|l| l.ends_with("raced")).count(), 1);
}

#[actix_web::test]
async fn put_by_external_id_is_create_or_replace_and_idempotent() {
    let app = TestApp::spawn().await;
    let key = app.key(&["content:write", "content:read-drafts"]).await;
    let body = json!({ "slug": "wire-story", "headline": "From the wire", "dek": "Dek" });
    let (s1, _, a1) =
        app.call("PUT", "/v1/articles/by-external-id/AP-123", Some(&key), Some(body.clone()), &[]).await;
    let (s2, _, a2) =
        app.call("PUT", "/v1/articles/by-external-id/AP-123", Some(&key), Some(body.clone()), &[]).await;
    assert_eq!((s1, s2), (201, 200), "{a1} {a2}");
    assert_eq!(a1["id"], a2["id"]);
    assert_eq!(a2["externalId"], "AP-123");
    assert_eq!(a2["version"], 1, "an identical replay changes nothing");
    // A replacement clears what it leaves out.
    let (_, _, a3) = app
        .call(
            "PUT",
            "/v1/articles/by-external-id/AP-123",
            Some(&key),
            Some(json!({ "slug": "wire-story", "headline": "Updated" })),
            &[],
        )
        .await;
    assert_eq!((a3["version"].as_i64(), a3["dek"].is_null()), (Some(2), true), "{a3}");
    assert_eq!(app.feed().await, ["article created wire-story", "article updated wire-story"]);
}
