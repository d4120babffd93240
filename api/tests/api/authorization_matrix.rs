//! Every write, GraphQL and REST, tried as anonymous, with a revoked key,
//! with a key lacking the scope, and with the right key. Only the last
//! succeeds, and the refused ones change nothing in the database.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::TestApp;
use serde_json::{Value, json};

enum Op {
    Gql { field: &'static str, query: String },
    Rest { method: &'static str, path: String, body: Option<Value> },
}

async fn attempt(app: &TestApp, op: &Op, token: Option<&str>) -> Result<Value, String> {
    match op {
        Op::Gql { field, query } => {
            let r = app.gql_as(token, query, json!({})).await;
            if r["errors"].is_null() && !r["data"][field].is_null() {
                Ok(r)
            } else {
                Err(r["errors"][0]["extensions"]["code"].as_str().unwrap_or("<no code>").to_owned())
            }
        }
        Op::Rest { method, path, body } => {
            let (status, headers, problem) = app.call(method, path, token, body.clone(), &[]).await;
            if (200..300).contains(&status) {
                return Ok(problem);
            }
            assert_eq!(headers["content-type"], "application/problem+json", "{method} {path}");
            Err(format!("{status} {}", problem["code"].as_str().unwrap_or_default()))
        }
    }
}

/// What the right key's write is meant to change, read back afterwards by a
/// key that may see drafts.
enum Effect {
    /// `want` at `pointer` in `GET path`.
    Rest { path: String, pointer: &'static str, want: Value },
    /// `want` at `pointer` in the answer to a GraphQL query.
    Gql { query: String, pointer: &'static str, want: Value },
    /// The media whose global id is at `id_at` in the write's own answer
    /// now has `url`.
    NewMedia { id_at: &'static str, url: &'static str },
    /// `GET path` is 404.
    Gone { path: String },
}

async fn check(app: &TestApp, effect: &Effect, answer: &Value, reader: &str) -> Result<(), String> {
    let (got, want) = match effect {
        Effect::Rest { path, pointer, want } => {
            let (_, _, body) = app.call("GET", path, Some(reader), None, &[]).await;
            (body.pointer(pointer).cloned().unwrap_or_default(), want.clone())
        }
        Effect::Gql { query, pointer, want } => {
            let r = app.gql_as(Some(reader), query, json!({})).await;
            (r.pointer(pointer).cloned().unwrap_or_default(), want.clone())
        }
        Effect::NewMedia { id_at, url } => {
            let raw = answer.pointer(id_at).and_then(Value::as_str).unwrap_or_default();
            // REST answers with the UUID, GraphQL with the global id.
            let id = match uuid::Uuid::parse_str(raw) {
                Ok(u) => api::graphql::ids::encode(api::graphql::ids::Kind::Media, u).0,
                Err(_) => raw.to_owned(),
            };
            let q = format!(r#"{{ node(id: "{id}") {{ ... on Media {{ url }} }} }}"#);
            let r = app.gql_as(Some(reader), &q, json!({})).await;
            (r["data"]["node"]["url"].clone(), json!(url))
        }
        Effect::Gone { path } => {
            let (status, _, _) = app.call("GET", path, Some(reader), None, &[]).await;
            (json!(status), json!(404))
        }
    };
    if got == want { Ok(()) } else { Err(format!("found {got}, wanted {want}")) }
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
    let version = a["version"].as_i64().unwrap();
    let section = a["section"]["id"].as_str().unwrap().to_owned();
    let tag = a["tags"][0]["id"].as_str().unwrap().to_owned();
    let author = a["authors"][0]["id"].as_str().unwrap().to_owned();
    let media = a["heroImage"]["id"].as_str().unwrap().to_owned();

    let third = id_of("aftershocks-in-mexico").await;
    let fourth = id_of("migrants-sue-desantis").await;

    let gql = |field: &'static str, query: String| Op::Gql { field, query };
    let rest = |method: &'static str, path: String, body: Option<Value>| Op::Rest { method, path, body };
    let read = |path: String, pointer: &'static str, want: Value| Effect::Rest { path, pointer, want };
    let story = |id: &str| format!("/v1/articles/{id}?preview=true");
    let ask =
        |query: &str, pointer: &'static str, want: Value| Effect::Gql { query: query.into(), pointer, want };
    let ops: Vec<(Op, Effect)> = vec![
        (
            gql(
                "createArticle",
                r#"mutation { createArticle(input: { slug: "m-new", headline: "New" }) { article { id } } }"#
                    .into(),
            ),
            read(story("m-new"), "/headline", json!("New")),
        ),
        (
            gql(
                "updateArticle",
                format!(
                    r#"mutation {{ updateArticle(id: "{lead}", expectedVersion: {version}, input: {{ headline: "Changed" }}) {{ article {{ id }} }} }}"#
                ),
            ),
            read(story(&lead), "/headline", json!("Changed")),
        ),
        (
            gql(
                "unpublishArticle",
                format!(r#"mutation {{ unpublishArticle(id: "{other}") {{ article {{ id }} }} }}"#),
            ),
            read(story(&other), "/status", json!("DRAFT")),
        ),
        (
            gql("publishArticle", format!(r#"mutation {{ publishArticle(id: "{other}") {{ article {{ id }} }} }}"#)),
            read(story(&other), "/status", json!("PUBLISHED")),
        ),
        (
            gql("archiveArticle", format!(r#"mutation {{ archiveArticle(id: "{other}") {{ article {{ id }} }} }}"#)),
            read(story(&other), "/status", json!("ARCHIVED")),
        ),
        (
            gql(
                "setRelatedArticles",
                format!(
                    r#"mutation {{ setRelatedArticles(id: "{lead}", relatedIds: ["{third}"]) {{ article {{ id }} }} }}"#
                ),
            ),
            read(format!("/v1/articles/{lead}/related?limit=1"), "/items/0/article/id", json!(third)),
        ),
        (
            gql(
                "createSection",
                r#"mutation { createSection(input: { slug: "m-sec", name: "S" }) { section { id } } }"#.into(),
            ),
            ask(r#"{ section(slug: "m-sec") { name } }"#, "/data/section/name", json!("S")),
        ),
        (
            gql(
                "updateSection",
                format!(r#"mutation {{ updateSection(id: "{section}", input: {{ name: "P" }}) {{ section {{ id }} }} }}"#),
            ),
            read(story(&lead), "/section/name", json!("P")),
        ),
        (
            gql("createTag", r#"mutation { createTag(input: { slug: "m-tag", name: "T" }) { tag { id } } }"#.into()),
            ask(r#"{ tag(slug: "m-tag") { name } }"#, "/data/tag/name", json!("T")),
        ),
        (
            gql("updateTag", format!(r#"mutation {{ updateTag(id: "{tag}", input: {{ name: "T2" }}) {{ tag {{ id }} }} }}"#)),
            read(story(&lead), "/tags/0/name", json!("T2")),
        ),
        (
            gql(
                "createAuthor",
                r#"mutation { createAuthor(input: { slug: "m-au", name: "A" }) { author { id } } }"#.into(),
            ),
            ask(r#"{ author(slug: "m-au") { name } }"#, "/data/author/name", json!("A")),
        ),
        (
            gql(
                "updateAuthor",
                format!(r#"mutation {{ updateAuthor(id: "{author}", input: {{ bio: "B" }}) {{ author {{ id }} }} }}"#),
            ),
            read(story(&lead), "/authors/0/bio", json!("B")),
        ),
        (
            gql(
                "createMedia",
                r#"mutation { createMedia(input: { url: "https://img.example.com/a.jpg" }) { media { id } } }"#
                    .into(),
            ),
            Effect::NewMedia { id_at: "/data/createMedia/media/id", url: "https://img.example.com/a.jpg" },
        ),
        (
            gql(
                "updateMedia",
                format!(r#"mutation {{ updateMedia(id: "{media}", input: {{ caption: "C" }}) {{ media {{ id }} }} }}"#),
            ),
            read(story(&lead), "/heroImage/caption", json!("C")),
        ),
        (
            gql("deleteArticle", format!(r#"mutation {{ deleteArticle(id: "{gone_gql}") {{ deletedId }} }}"#)),
            Effect::Gone { path: story(&gone_gql) },
        ),
        (
            rest("POST", "/v1/articles".into(), Some(json!({ "slug": "r-new", "headline": "New" }))),
            read(story("r-new"), "/headline", json!("New")),
        ),
        (
            rest(
                "PUT",
                format!("/v1/articles/{other}"),
                Some(json!({ "slug": "chile-tax-reform", "headline": "Replaced" })),
            ),
            read(story(&other), "/headline", json!("Replaced")),
        ),
        (
            rest("PATCH", format!("/v1/articles/{other}"), Some(json!({ "dek": "Patched" }))),
            read(story(&other), "/dek", json!("Patched")),
        ),
        (
            rest(
                "PUT",
                "/v1/articles/by-external-id/wire-1".into(),
                Some(json!({ "slug": "wire-1", "headline": "Wire" })),
            ),
            read(story("wire-1"), "/externalId", json!("wire-1")),
        ),
        (rest("POST", format!("/v1/articles/{other}/unpublish"), None), read(story(&other), "/status", json!("DRAFT"))),
        (rest("POST", format!("/v1/articles/{other}/publish"), None), read(story(&other), "/status", json!("PUBLISHED"))),
        (rest("POST", format!("/v1/articles/{other}/archive"), None), read(story(&other), "/status", json!("ARCHIVED"))),
        (
            rest("PUT", format!("/v1/articles/{lead}/related"), Some(json!({ "relatedIds": [fourth] }))),
            read(format!("/v1/articles/{lead}/related?limit=1"), "/items/0/article/id", json!(fourth)),
        ),
        (
            rest("POST", "/v1/sections".into(), Some(json!({ "slug": "r-sec", "name": "S" }))),
            ask(r#"{ section(slug: "r-sec") { name } }"#, "/data/section/name", json!("S")),
        ),
        (
            rest("PATCH", format!("/v1/sections/{section}"), Some(json!({ "name": "Politics!" }))),
            read(story(&lead), "/section/name", json!("Politics!")),
        ),
        (
            rest("POST", "/v1/tags".into(), Some(json!({ "slug": "r-tag", "name": "T" }))),
            ask(r#"{ tag(slug: "r-tag") { name } }"#, "/data/tag/name", json!("T")),
        ),
        (
            rest("PATCH", format!("/v1/tags/{tag}"), Some(json!({ "name": "T3" }))),
            read(story(&lead), "/tags/0/name", json!("T3")),
        ),
        (
            rest("POST", "/v1/authors".into(), Some(json!({ "slug": "r-au", "name": "A" }))),
            ask(r#"{ author(slug: "r-au") { name } }"#, "/data/author/name", json!("A")),
        ),
        (
            rest("PATCH", format!("/v1/authors/{author}"), Some(json!({ "bio": null }))),
            read(story(&lead), "/authors/0/bio", Value::Null),
        ),
        (
            rest("POST", "/v1/media".into(), Some(json!({ "url": "https://img.example.com/b.jpg" }))),
            Effect::NewMedia { id_at: "/id", url: "https://img.example.com/b.jpg" },
        ),
        (
            rest("PATCH", format!("/v1/media/{media}"), Some(json!({ "credit": { "license": "CC BY 4.0" } }))),
            read(story(&lead), "/heroImage/credit/license", json!("CC BY 4.0")),
        ),
        (rest("DELETE", format!("/v1/articles/{gone_rest}"), None), Effect::Gone { path: story(&gone_rest) }),
    ];

    for (op, effect) in &ops {
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
            let got = attempt(&app, op, token).await.map(|_| ());
            assert_eq!(got, Err(expected(op, code)), "{name} as {who}");
            assert_eq!(app.fingerprint().await, before, "{name} as {who} changed the database");
        }
        let before = app.fingerprint().await;
        let answer = attempt(&app, op, Some(&writer))
            .await
            .unwrap_or_else(|e| panic!("{name} with the right key: {e}"));
        assert_ne!(app.fingerprint().await, before, "{name} with the right key changed nothing");
        if let Err(e) = check(&app, effect, &answer, &previewer).await {
            panic!("{name} with the right key did not make its change: {e}");
        }
    }

    // A malformed Authorization header is refused too, not treated as anonymous.
    let (status, _, p) = app.call("GET", "/v1/articles", None, None, &[("Authorization", "Basic abc")]).await;
    assert_eq!((status, p["code"].as_str()), (401, Some("UNAUTHENTICATED")));
}

/// Credentials are checked before anything the request carries: a REST
/// write whose path id, `If-Match`, content type or body is bad answers 401
/// to a caller without a valid key and 403 to a key without the scope, and
/// only the right key learns what was wrong with the request (400 or 415).
#[actix_web::test]
async fn rest_writes_check_credentials_before_the_request() {
    let app = TestApp::with_demo().await;
    let writer = app.key(&["content:write"]).await;
    let reader = app.key(&["content:read-drafts"]).await;
    let revoked = app.revoked_key().await;
    let before = app.fingerprint().await;

    let malformed = Some(json!({ "slug": "Not A Slug", "headline": 7, "unknown": true }));
    let writes: Vec<(&str, &str, Option<Value>)> = vec![
        ("POST", "/v1/articles", malformed.clone()),
        ("PUT", "/v1/articles/not-a-uuid", malformed.clone()),
        ("PATCH", "/v1/articles/not-a-uuid", malformed.clone()),
        ("DELETE", "/v1/articles/not-a-uuid", None),
        ("PUT", "/v1/articles/by-external-id/AP-1", malformed.clone()),
        ("POST", "/v1/articles/not-a-uuid/publish", Some(json!({ "at": "yesterday" }))),
        ("POST", "/v1/articles/not-a-uuid/unpublish", None),
        ("POST", "/v1/articles/not-a-uuid/archive", None),
        ("PUT", "/v1/articles/not-a-uuid/related", Some(json!({ "relatedIds": ["x"] }))),
        ("POST", "/v1/sections", malformed.clone()),
        ("PATCH", "/v1/sections/not-a-uuid", malformed.clone()),
        ("POST", "/v1/tags", malformed.clone()),
        ("PATCH", "/v1/tags/not-a-uuid", malformed.clone()),
        ("POST", "/v1/authors", malformed.clone()),
        ("PATCH", "/v1/authors/not-a-uuid", malformed.clone()),
        ("POST", "/v1/media", malformed.clone()),
        ("PATCH", "/v1/media/not-a-uuid", malformed.clone()),
    ];
    let stale = [("If-Match", "not a version")];
    for (method, path, body) in &writes {
        for (who, token, want) in [
            ("anonymous", None, 401),
            ("revoked key", Some(revoked.as_str()), 401),
            ("reader", Some(reader.as_str()), 403),
        ] {
            let (status, headers, problem) = app.call(method, path, token, body.clone(), &stale).await;
            assert_eq!(status, want, "{method} {path} as {who}: {problem}");
            assert_eq!(headers["content-type"], "application/problem+json", "{method} {path}");
            let code = if want == 401 { "UNAUTHENTICATED" } else { "FORBIDDEN" };
            assert_eq!(problem["code"], code, "{method} {path} as {who}");
        }
        let (status, _, problem) = app.call(method, path, Some(&writer), body.clone(), &stale).await;
        assert_eq!(status, 400, "{method} {path} with the right key: {problem}");
    }

    // A body that is not declared as JSON: 401 before 415.
    let form = app
        .client
        .post(format!("{}/v1/articles", app.addr))
        .header("content-type", "text/plain")
        .body("slug=x")
        .send()
        .await
        .unwrap();
    assert_eq!(form.status().as_u16(), 401);
    let form = app
        .client
        .post(format!("{}/v1/articles", app.addr))
        .bearer_auth(&writer)
        .header("content-type", "text/plain")
        .body("slug=x")
        .send()
        .await
        .unwrap();
    assert_eq!(form.status().as_u16(), 415);

    assert_eq!(app.fingerprint().await, before, "a refused write changed nothing");
}
