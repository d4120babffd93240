//! The JSON REST API, as a mobile app uses it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{Story, TestApp, t0};
use chrono::TimeDelta;

#[actix_web::test]
async fn lists_and_fetches_articles_by_id_and_slug() {
    let app = TestApp::with_demo().await;
    let (status, list) = app.get_json("/v1/articles?limit=3").await;
    assert_eq!(status, 200);
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert!(items[0].get("body").is_none(), "lists leave the body out");
    let mut seen: Vec<String> = items.iter().map(|i| i["slug"].as_str().unwrap().to_owned()).collect();
    let cursor = list["nextCursor"].as_str().unwrap();
    let (_, next) = app.get_json(&format!("/v1/articles?limit=10&cursor={cursor}")).await;
    seen.extend(next["items"].as_array().unwrap().iter().map(|i| i["slug"].as_str().unwrap().to_owned()));
    // Every published demo story, each once.
    let total = app.gql("{ articles { totalCount } }", serde_json::json!({})).await;
    assert_eq!(serde_json::json!(seen.len()), total["data"]["articles"]["totalCount"], "{total}");
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), seen.len());
    assert!(next["nextCursor"].is_null());
    assert!(!seen.contains(&"draft-border-budget".to_owned()));

    let (status, a) = app.get_json("/v1/articles/harris-amlo-migration-talks").await;
    assert_eq!(status, 200);
    assert_eq!(a["dateline"], "MEXICO CITY, MEXICO");
    assert_eq!(a["heroImage"]["credit"]["text"], "Photo: Hector Vivas/Getty Images");
    assert_eq!(a["authors"][0]["name"], "Ana Ruiz");
    assert_eq!(a["audio"]["durationSeconds"], 412);
    assert_eq!(a["body"]["blocks"][0]["type"], "paragraph");
    assert!(a["body"]["html"].as_str().unwrap().starts_with("<p>"));
    let id = a["id"].as_str().unwrap();
    let (status, by_id) = app.get_json(&format!("/v1/articles/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(by_id["slug"], "harris-amlo-migration-talks");

    let (_, filtered) = app.get_json("/v1/articles?section=politics&tag=migration").await;
    let slugs: Vec<&str> =
        filtered["items"].as_array().unwrap().iter().map(|i| i["slug"].as_str().unwrap()).collect();
    assert_eq!(slugs, ["migrants-sue-desantis", "harris-amlo-migration-talks"]);
    let (_, found) = app.get_json("/v1/articles?search=aftershocks").await;
    assert_eq!(found["items"][0]["slug"], "aftershocks-in-mexico");
    let (_, sections) = app.get_json("/v1/sections").await;
    use sea_orm::{EntityTrait, PaginatorTrait};
    let stored = entity::section::Entity::find().count(&app.state.db).await.unwrap();
    assert_eq!(sections.as_array().unwrap().len() as u64, stored);
    assert!(stored > 0);
}

#[actix_web::test]
async fn missing_and_hidden_articles_are_404_problems() {
    let app = TestApp::with_demo().await;
    for path in [
        "/v1/articles/no-such-story",
        "/v1/articles/draft-border-budget",
        "/v1/articles/01890a5d-ac96-774b-bcce-b302099a8057",
        // Neither an id nor a slug: no story can have it.
        "/v1/articles/Not%20A%20Slug",
        "/v1/articles/Not%20A%20Slug/related",
    ] {
        let r = app.get(path).await;
        assert_eq!(r.status().as_u16(), 404, "{path}");
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        let p: serde_json::Value = r.json().await.unwrap();
        assert_eq!(p["code"], "NOT_FOUND");
        assert_eq!(p["status"], 404);
    }
    // A scheduled story is a 404 until its time, then served.
    app.story("embargoed", "Embargoed", Some(t0() + TimeDelta::minutes(30)), Story::default()).await;
    assert_eq!(app.get("/v1/articles/embargoed").await.status().as_u16(), 404);
    app.state.clock.advance(TimeDelta::minutes(31));
    assert_eq!(app.get("/v1/articles/embargoed").await.status().as_u16(), 200);
}

#[actix_web::test]
async fn bad_parameters_are_400_problems_naming_the_parameter() {
    let app = TestApp::with_demo().await;
    let cases = [
        ("/v1/articles?limit=101", "limit"),
        ("/v1/articles?limit=-1", "limit"),
        ("/v1/articles?limit=ten", "limit"),
        ("/v1/articles?cursor=garbage", "cursor"),
        ("/v1/articles?publishedAfter=yesterday", "publishedAfter"),
        ("/v1/articles?section=Not%20A%20Slug", "section"),
        ("/v1/articles?search=%21%21", "search"),
        // No-break and zero-width spaces are not something to look for.
        ("/v1/articles?search=%C2%A0%E2%80%8B", "search"),
        ("/v1/articles?order=sideways", "order"),
        ("/v1/tags?limit=100000", "limit"),
    ];
    for (path, param) in cases {
        let r = app.get(path).await;
        assert_eq!(r.status().as_u16(), 400, "{path}");
        assert_eq!(r.headers()["content-type"], "application/problem+json", "{path}");
        let p: serde_json::Value = r.json().await.unwrap();
        assert_eq!(p["code"], "BAD_USER_INPUT", "{path}");
        assert_eq!(p["errors"][0]["path"], param, "{path}: {p}");
    }
}

/// What the document's pattern calls a search, Dateline searches: a lone
/// letter beyond ASCII, or symbols beyond ASCII that match nothing.
#[actix_web::test]
async fn searches_the_schema_allows_are_answered() {
    let app = TestApp::with_demo().await;
    for q in ["%C3%83", "%C2%AB%C2%BB", "%E2%80%94", "%F0%9F%98%80"] {
        let (status, found) = app.get_json(&format!("/v1/articles?search={q}")).await;
        assert_eq!(status, 200, "{q}: {found}");
        assert_eq!(found["items"], serde_json::json!([]), "{q}");
    }
    // Words among hostile characters beyond ASCII reach each backend's
    // index as plain words: a right-to-left override, typographic quotes
    // around index syntax, an emoji joined to a word.
    for q in [
        "%E2%80%AEaftershocks",
        "%E2%80%9Eaftershocks%E2%80%9C%20OR%20%2A%5E",
        "aftershocks%F0%9F%98%80%C2%AB%C2%BB",
    ] {
        let (status, found) = app.get_json(&format!("/v1/articles?search={q}")).await;
        assert_eq!(status, 200, "{q}: {found}");
        assert_eq!(found["items"][0]["slug"], "aftershocks-in-mexico", "{q}: {found}");
    }
}

#[actix_web::test]
async fn unchanged_articles_revalidate_with_304() {
    let app = TestApp::with_demo().await;
    let r = app.get("/v1/articles/harris-amlo-migration-talks").await;
    let etag = r.headers()["etag"].to_str().unwrap().to_owned();
    assert!(r.headers()["cache-control"].to_str().unwrap().contains("public"));
    let again = app
        .client
        .get(format!("{}/v1/articles/harris-amlo-migration-talks", app.addr))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status().as_u16(), 304);
    assert!(again.bytes().await.unwrap().is_empty());
    let other = app
        .client
        .get(format!("{}/v1/articles/harris-amlo-migration-talks", app.addr))
        .header("If-None-Match", "\"stale\"")
        .send()
        .await
        .unwrap();
    assert_eq!(other.status().as_u16(), 200);
}

#[actix_web::test]
async fn openapi_health_and_readiness() {
    let app = TestApp::spawn().await;
    let (status, doc) = app.get_json("/openapi.json").await;
    assert_eq!(status, 200);
    assert_eq!(doc["info"]["title"], "Dateline");
    for path in ["/v1/articles", "/v1/articles/{idOrSlug}", "/healthz", "/readyz"] {
        assert!(doc["paths"].get(path).is_some(), "{path} missing from OpenAPI");
    }
    assert!(doc["components"]["schemas"].get("ArticleView").is_some());
    let docs = app.get("/docs").await;
    assert_eq!(docs.status().as_u16(), 200);
    assert!(docs.text().await.unwrap().contains("swagger-ui"));
    let (status, health) = app.get_json("/healthz").await;
    assert_eq!((status, health["status"].as_str()), (200, Some("ok")));
    let (status, ready) = app.get_json("/readyz").await;
    assert_eq!((status, ready["database"].as_str()), (200, Some("ok")));
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(metrics.contains("dateline_sql_statements_total"), "{metrics}");
    assert!(metrics.contains("dateline_http_requests_total"), "{metrics}");
    let (status, _, _) = app.call("GET", "/graphql", None, None, &[("accept", "text/html")]).await;
    assert_eq!(status, 200);
    // Queries may come over GET (cacheable); mutations may not.
    let (status, body) = app.get_json("/graphql?query=%7Barticles%7BtotalCount%7D%7D").await;
    assert_eq!((status, body["data"]["articles"]["totalCount"].as_i64()), (200, Some(0)));
    let r = app.get("/graphql?query=mutation%7Bx%7D").await;
    assert_eq!(r.status().as_u16(), 405);
}
