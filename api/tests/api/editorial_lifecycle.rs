//! A story's life as an editor drives it: draft, publish, schedule,
//! unpublish, archive, delete; what readers and previews see at each step,
//! and the change feed it leaves.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{TestApp, error_code, t0};
use chrono::TimeDelta;
use serde_json::json;

const CREATE: &str = r#"mutation($input: ArticleInput!) { createArticle(input: $input) { article { id uuid slug status version } } }"#;
const PUBLIC: &str = r#"query($slug: String) { article(slug: $slug) { status } articles { totalCount } }"#;
const PREVIEW: &str = r#"query($slug: String) { article(slug: $slug, preview: true) { status scheduledAt } articles(preview: true) { totalCount } }"#;

#[actix_web::test]
async fn draft_publish_schedule_unpublish_archive_delete() {
    let app = TestApp::spawn().await;
    let writer = app.key(&["content:write", "content:read-drafts"]).await;
    let editor = app.key(&["content:read-drafts"]).await;
    let w = Some(writer.as_str());
    let slug = json!({ "slug": "budget-vote" });

    let r = app
        .gql_as(w, CREATE, json!({ "input": { "slug": "budget-vote", "headline": "Budget vote", "bodyMarkdown": "The council *votes* tonight." } }))
        .await;
    let created = &r["data"]["createArticle"]["article"];
    assert_eq!(created["status"], "DRAFT", "{r}");
    assert_eq!(created["version"], 1);
    let id = created["id"].as_str().unwrap().to_owned();
    let uuid = created["uuid"].as_str().unwrap().to_owned();

    // A draft: invisible to readers, visible to a preview.
    let r = app.gql(PUBLIC, slug.clone()).await;
    assert!(r["data"]["article"].is_null());
    assert_eq!(r["data"]["articles"]["totalCount"], 0);
    assert_eq!(app.get(&format!("/v1/articles/{uuid}")).await.status().as_u16(), 404);
    let r = app.gql_as(Some(&editor), PREVIEW, slug.clone()).await;
    assert_eq!(r["data"]["article"]["status"], "DRAFT", "{r}");
    assert_eq!(r["data"]["articles"]["totalCount"], 1);
    let (status, _, draft) =
        app.call("GET", &format!("/v1/articles/{uuid}?preview=true"), Some(&editor), None, &[]).await;
    assert_eq!((status, draft["status"].as_str()), (200, Some("DRAFT")));
    // Previews need the scope; asking without it is refused, not ignored.
    assert_eq!(error_code(&app.gql(PREVIEW, slug.clone()).await), "UNAUTHENTICATED");
    let write_only = app.key(&["content:write"]).await;
    assert_eq!(error_code(&app.gql_as(Some(&write_only), PREVIEW, slug.clone()).await), "FORBIDDEN");

    // Published now: visible.
    let publish = r#"mutation($id: ID!, $at: DateTime) { publishArticle(id: $id, at: $at) { article { status publishedAt version } } }"#;
    let r = app.gql_as(w, publish, json!({ "id": id })).await;
    assert_eq!(r["data"]["publishArticle"]["article"]["status"], "PUBLISHED", "{r}");
    assert_eq!(app.gql(PUBLIC, slug.clone()).await["data"]["article"]["status"], "PUBLISHED");
    let (status, _, a) = app.call("GET", &format!("/v1/articles/{uuid}"), None, None, &[]).await;
    assert_eq!(status, 200);
    assert_eq!(a["body"]["html"], "<p>The council <em>votes</em> tonight.</p>");

    // Unpublished: gone for readers.
    let r = app
        .gql_as(
            w,
            r#"mutation($id: ID!) { unpublishArticle(id: $id) { article { status } } }"#,
            json!({ "id": id }),
        )
        .await;
    assert_eq!(r["data"]["unpublishArticle"]["article"]["status"], "DRAFT", "{r}");
    assert!(app.gql(PUBLIC, slug.clone()).await["data"]["article"].is_null());

    // Scheduled: invisible until its time, then visible with no job run.
    let at = (t0() + TimeDelta::hours(1)).to_rfc3339();
    let r = app.gql_as(w, publish, json!({ "id": id, "at": at })).await;
    assert_eq!(r["data"]["publishArticle"]["article"]["status"], "SCHEDULED", "{r}");
    assert!(app.gql(PUBLIC, slug.clone()).await["data"]["article"].is_null());
    let r = app.gql_as(Some(&editor), PREVIEW, slug.clone()).await;
    assert_eq!(r["data"]["article"]["status"], "SCHEDULED");
    assert!(!r["data"]["article"]["scheduledAt"].is_null());
    app.state.clock.advance(TimeDelta::minutes(61));
    let r = app.gql(PUBLIC, slug.clone()).await;
    assert_eq!(r["data"]["article"]["status"], "PUBLISHED", "{r}");
    assert_eq!(r["data"]["articles"]["totalCount"], 1);

    // A time in the past is refused, and changes nothing.
    let past = (app.state.clock.now() - TimeDelta::minutes(5)).to_rfc3339();
    let before = app.fingerprint().await;
    let r = app.gql_as(w, publish, json!({ "id": id, "at": past })).await;
    assert_eq!(error_code(&r), "BAD_USER_INPUT");
    assert_eq!(r["errors"][0]["extensions"]["fields"][0]["path"], "at");
    assert_eq!(app.fingerprint().await, before);

    // Archived: out of public view, still in previews.
    let r = app
        .gql_as(
            w,
            r#"mutation($id: ID!) { archiveArticle(id: $id) { article { status } } }"#,
            json!({ "id": id }),
        )
        .await;
    assert_eq!(r["data"]["archiveArticle"]["article"]["status"], "ARCHIVED", "{r}");
    assert!(app.gql(PUBLIC, slug.clone()).await["data"]["article"].is_null());
    assert_eq!(
        app.gql_as(Some(&editor), PREVIEW, slug.clone()).await["data"]["article"]["status"],
        "ARCHIVED"
    );

    // Deleted: gone for everyone.
    let r = app
        .gql_as(w, r#"mutation($id: ID!) { deleteArticle(id: $id) { deletedId } }"#, json!({ "id": id }))
        .await;
    assert_eq!(r["data"]["deleteArticle"]["deletedId"], id.as_str(), "{r}");
    assert!(app.gql_as(Some(&editor), PREVIEW, slug.clone()).await["data"]["article"].is_null());
    let r = app
        .gql_as(
            w,
            r#"mutation($id: ID!) { publishArticle(id: $id) { article { id } } }"#,
            json!({ "id": id }),
        )
        .await;
    assert_eq!(error_code(&r), "NOT_FOUND");

    // The change feed tells the same story, in order; the refused write left nothing.
    assert_eq!(
        app.feed().await,
        [
            "article created budget-vote",
            "article published budget-vote",
            "article unpublished budget-vote",
            "article scheduled budget-vote",
            "article archived budget-vote",
            "article deleted budget-vote",
        ]
    );
}

#[actix_web::test]
async fn an_integrator_drives_a_story_over_rest() {
    let app = TestApp::spawn().await;
    let key = app.key(&["content:write", "content:read-drafts"]).await;
    let k = Some(key.as_str());
    let (status, _, sec) =
        app.call("POST", "/v1/sections", k, Some(json!({ "slug": "world", "name": "World" })), &[]).await;
    assert_eq!(status, 201, "{sec}");
    let (_, _, tag) =
        app.call("POST", "/v1/tags", k, Some(json!({ "slug": "chile", "name": "Chile" })), &[]).await;
    let (_, _, au) =
        app.call("POST", "/v1/authors", k, Some(json!({ "slug": "ana", "name": "Ana" })), &[]).await;
    let (_, _, img) = app
        .call(
            "POST",
            "/v1/media",
            k,
            Some(json!({ "url": "https://img.example.com/santiago.jpg", "caption": "Santiago", "credit": { "photographer": "Ana", "agency": "Wire" } })),
            &[],
        )
        .await;
    assert_eq!(img["credit"]["text"], "Photo: Ana/Wire");

    let body = json!({
        "slug": "chile-pensions", "headline": "Chile's pension fight", "dek": "A wealth tax returns.",
        "dateline": "SANTIAGO, CHILE", "bodyMarkdown": "First paragraph.\n\nSecond paragraph.",
        "sectionId": sec["id"], "tagIds": [tag["id"]], "authorIds": [au["id"]], "heroImageId": img["id"],
        "audio": { "url": "https://media.example.com/a.mp3", "durationSeconds": 90, "mimeType": "audio/mpeg" }
    });
    let (status, headers, a) = app.call("POST", "/v1/articles", k, Some(body), &[]).await;
    assert_eq!(status, 201, "{a}");
    assert!(headers.get("idempotent-replayed").is_none());
    let id = a["id"].as_str().unwrap().to_owned();
    assert_eq!(a["status"], "DRAFT");
    assert_eq!(a["heroImage"]["credit"]["agency"], "Wire");
    assert_eq!(a["wordCount"], 4);

    let at = (t0() + TimeDelta::hours(2)).to_rfc3339();
    let (status, _, a) =
        app.call("POST", &format!("/v1/articles/{id}/publish"), k, Some(json!({ "at": at })), &[]).await;
    assert_eq!((status, a["status"].as_str()), (200, Some("SCHEDULED")), "{a}");
    assert_eq!(app.get("/v1/articles/chile-pensions").await.status().as_u16(), 404);
    app.state.clock.advance(TimeDelta::hours(3));
    let (status, _, live) = app.call("GET", "/v1/articles/chile-pensions", None, None, &[]).await;
    assert_eq!((status, live["status"].as_str()), (200, Some("PUBLISHED")));

    // PATCH with the ETag from GET as If-Match.
    let etag = app.get("/v1/articles/chile-pensions").await.headers()["etag"].to_str().unwrap().to_owned();
    let (status, _, a) = app
        .call("PATCH", &format!("/v1/articles/{id}"), k, Some(json!({ "dek": null })), &[("If-Match", &etag)])
        .await;
    assert_eq!(status, 200, "{a}");
    assert!(a["dek"].is_null());
    assert_eq!(a["headline"], "Chile's pension fight", "PATCH leaves other fields alone");

    let (status, _, _) = app.call("DELETE", &format!("/v1/articles/{id}"), k, None, &[]).await;
    assert_eq!(status, 204);
    assert_eq!(app.get("/v1/articles/chile-pensions").await.status().as_u16(), 404);
    assert_eq!(
        app.feed().await,
        [
            "section created world",
            "tag created chile",
            "author created ana",
            "media created ",
            "article created chile-pensions",
            "article scheduled chile-pensions",
            "article updated chile-pensions",
            "article deleted chile-pensions",
        ]
    );
}
