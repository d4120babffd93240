//! Every write, GraphQL and REST, tried as anonymous, with a revoked key,
//! with a key lacking the scope, and with the right key. Only the last
//! succeeds, and the refused ones change nothing in the database.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::TestApp;
use serde_json::{Value, json};

enum Op {
    Gql { field: &'static str, query: String },
    Rest { method: &'static str, path: String, body: Option<Value> },
}

async fn attempt(app: &TestApp, op: &Op, token: Option<&str>) -> Result<(), String> {
    match op {
        Op::Gql { field, query } => {
            let r = app.gql_as(token, query, json!({})).await;
            if r["errors"].is_null() && !r["data"][field].is_null() {
                Ok(())
            } else {
                Err(r["errors"][0]["extensions"]["code"].as_str().unwrap_or("<no code>").to_owned())
            }
        }
        Op::Rest { method, path, body } => {
            let (status, headers, problem) = app.call(method, path, token, body.clone(), &[]).await;
            if (200..300).contains(&status) {
                return Ok(());
            }
            assert_eq!(headers["content-type"], "application/problem+json", "{method} {path}");
            Err(format!("{status} {}", problem["code"].as_str().unwrap_or_default()))
        }
    }
}

fn expected(op: &Op, code: &str) -> String {
    match (op, code) {
        (Op::Gql { .. }, c) => c.to_owned(),
        (Op::Rest { .. }, "UNAUTHENTICATED") => "401 UNAUTHENTICATED".into(),
        (Op::Rest { .. }, _) => "403 FORBIDDEN".into(),
    }
}

#[actix_web::test]
async fn only_a_key_with_content_write_may_write() {
    let app = TestApp::with_demo().await;
    let writer = app.key(&["content:write"]).await;
    let previewer =
        app.key(&["content:read-drafts", "comments:moderate", "sync:read", "webhooks:manage"]).await;
    let revoked = app.revoked_key().await;

    let id_of = async |slug: &str| {
        let (_, a) = app.get_json(&format!("/v1/articles/{slug}")).await;
        a["id"].as_str().unwrap().to_owned()
    };
    let lead = id_of("harris-amlo-migration-talks").await;
    let other = id_of("chile-tax-reform").await;
    let gone_gql = id_of("gun-control-in-florida").await;
    let gone_rest = id_of("waive-the-jones-act").await;
    let (_, a) = app.get_json(&format!("/v1/articles/{lead}")).await;
    let section = a["section"]["id"].as_str().unwrap().to_owned();
    let tag = a["tags"][0]["id"].as_str().unwrap().to_owned();
    let author = a["authors"][0]["id"].as_str().unwrap().to_owned();
    let media = a["heroImage"]["id"].as_str().unwrap().to_owned();

    let gql = |field: &'static str, query: String| Op::Gql { field, query };
    let rest = |method: &'static str, path: String, body: Option<Value>| Op::Rest { method, path, body };
    let ops = vec![
        gql(
            "createArticle",
            r#"mutation { createArticle(input: { slug: "m-new", headline: "New" }) { article { id } } }"#
                .into(),
        ),
        gql(
            "updateArticle",
            format!(
                r#"mutation {{ updateArticle(id: "{lead}", expectedVersion: 1, input: {{ headline: "Changed" }}) {{ article {{ id }} }} }}"#
            ),
        ),
        gql(
            "publishArticle",
            format!(r#"mutation {{ publishArticle(id: "{other}") {{ article {{ id }} }} }}"#),
        ),
        gql(
            "unpublishArticle",
            format!(r#"mutation {{ unpublishArticle(id: "{other}") {{ article {{ id }} }} }}"#),
        ),
        gql(
            "archiveArticle",
            format!(r#"mutation {{ archiveArticle(id: "{other}") {{ article {{ id }} }} }}"#),
        ),
        gql(
            "setRelatedArticles",
            format!(
                r#"mutation {{ setRelatedArticles(id: "{lead}", relatedIds: ["{other}"]) {{ article {{ id }} }} }}"#
            ),
        ),
        gql(
            "createSection",
            r#"mutation { createSection(input: { slug: "m-sec", name: "S" }) { section { id } } }"#.into(),
        ),
        gql(
            "updateSection",
            format!(
                r#"mutation {{ updateSection(id: "{section}", input: {{ name: "P" }}) {{ section {{ id }} }} }}"#
            ),
        ),
        gql(
            "createTag",
            r#"mutation { createTag(input: { slug: "m-tag", name: "T" }) { tag { id } } }"#.into(),
        ),
        gql(
            "updateTag",
            format!(r#"mutation {{ updateTag(id: "{tag}", input: {{ name: "T2" }}) {{ tag {{ id }} }} }}"#),
        ),
        gql(
            "createAuthor",
            r#"mutation { createAuthor(input: { slug: "m-au", name: "A" }) { author { id } } }"#.into(),
        ),
        gql(
            "updateAuthor",
            format!(
                r#"mutation {{ updateAuthor(id: "{author}", input: {{ bio: "B" }}) {{ author {{ id }} }} }}"#
            ),
        ),
        gql(
            "createMedia",
            r#"mutation { createMedia(input: { url: "https://img.example.com/a.jpg" }) { media { id } } }"#
                .into(),
        ),
        gql(
            "updateMedia",
            format!(
                r#"mutation {{ updateMedia(id: "{media}", input: {{ caption: "C" }}) {{ media {{ id }} }} }}"#
            ),
        ),
        gql("deleteArticle", format!(r#"mutation {{ deleteArticle(id: "{gone_gql}") {{ deletedId }} }}"#)),
        rest("POST", "/v1/articles".into(), Some(json!({ "slug": "r-new", "headline": "New" }))),
        rest(
            "PUT",
            format!("/v1/articles/{other}"),
            Some(json!({ "slug": "chile-tax-reform", "headline": "Replaced" })),
        ),
        rest("PATCH", format!("/v1/articles/{other}"), Some(json!({ "dek": "Patched" }))),
        rest(
            "PUT",
            "/v1/articles/by-external-id/wire-1".into(),
            Some(json!({ "slug": "wire-1", "headline": "Wire" })),
        ),
        rest("POST", format!("/v1/articles/{other}/publish"), None),
        rest("POST", format!("/v1/articles/{other}/unpublish"), None),
        rest("POST", format!("/v1/articles/{other}/archive"), None),
        rest("PUT", format!("/v1/articles/{lead}/related"), Some(json!({ "relatedIds": [other] }))),
        rest("POST", "/v1/sections".into(), Some(json!({ "slug": "r-sec", "name": "S" }))),
        rest("PATCH", format!("/v1/sections/{section}"), Some(json!({ "name": "Politics!" }))),
        rest("POST", "/v1/tags".into(), Some(json!({ "slug": "r-tag", "name": "T" }))),
        rest("PATCH", format!("/v1/tags/{tag}"), Some(json!({ "name": "T3" }))),
        rest("POST", "/v1/authors".into(), Some(json!({ "slug": "r-au", "name": "A" }))),
        rest("PATCH", format!("/v1/authors/{author}"), Some(json!({ "bio": null }))),
        rest("POST", "/v1/media".into(), Some(json!({ "url": "https://img.example.com/b.jpg" }))),
        rest("PATCH", format!("/v1/media/{media}"), Some(json!({ "credit": { "license": "CC BY 4.0" } }))),
        rest("DELETE", format!("/v1/articles/{gone_rest}"), None),
    ];

    for op in &ops {
        let name = match op {
            Op::Gql { field, .. } => (*field).to_owned(),
            Op::Rest { method, path, .. } => format!("{method} {path}"),
        };
        for (who, token, code) in [
            ("anonymous", None, "UNAUTHENTICATED"),
            ("revoked key", Some(revoked.as_str()), "UNAUTHENTICATED"),
            ("key without content:write", Some(previewer.as_str()), "FORBIDDEN"),
        ] {
            let before = app.fingerprint().await;
            let got = attempt(&app, op, token).await;
            assert_eq!(got, Err(expected(op, code)), "{name} as {who}");
            assert_eq!(app.fingerprint().await, before, "{name} as {who} changed the database");
        }
        let before = app.fingerprint().await;
        attempt(&app, op, Some(&writer)).await.unwrap_or_else(|e| panic!("{name} with the right key: {e}"));
        assert_ne!(app.fingerprint().await, before, "{name} with the right key changed nothing");
    }

    // A malformed Authorization header is refused too, not treated as anonymous.
    let (status, _, p) = app.call("GET", "/v1/articles", None, None, &[("Authorization", "Basic abc")]).await;
    assert_eq!((status, p["code"].as_str()), (401, Some("UNAUTHENTICATED")));
}
