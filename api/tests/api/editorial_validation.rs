//! Bad writes are refused with every failing field named, and save nothing;
//! bodies come out sanitized whatever goes in.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{TestApp, error_code};
use serde_json::{Value, json};

fn paths(errors: &Value) -> Vec<String> {
    errors.as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap().to_owned()).collect()
}

#[actix_web::test]
async fn every_failing_field_is_named_and_nothing_is_saved() {
    let app = TestApp::with_demo().await;
    let key = app.key(&["content:write", "content:read-drafts"]).await;
    let k = Some(key.as_str());
    let before = app.fingerprint().await;
    let missing = "01890a5d-ac96-774b-bcce-b302099a8057";
    let (_, _, demo) = app.call("GET", "/v1/articles/harris-amlo-migration-talks", None, None, &[]).await;
    let tag = demo["tags"][0]["id"].as_str().unwrap();

    let q = r#"mutation($input: ArticleInput!) { createArticle(input: $input) { article { id } } }"#;
    let r = app
        .gql_as(
            k,
            q,
            json!({ "input": {
                "slug": "Bad Slug!", "headline": "  ", "sectionId": missing,
                "tagIds": [tag, missing, tag], "authorIds": [missing],
                "canonicalUrl": "javascript:alert(1)", "audio": { "url": "ftp://x", "durationSeconds": -5 },
                "dek": "x".repeat(1001)
            } }),
        )
        .await;
    assert_eq!(error_code(&r), "BAD_USER_INPUT", "{r}");
    let mut got = paths(&r["errors"][0]["extensions"]["fields"]);
    got.sort();
    let mut want = vec![
        "input.slug",
        "input.headline",
        "input.dek",
        "input.canonicalUrl",
        "input.audio.url",
        "input.audio.durationSeconds",
        "input.tagIds[2]",
        "input.sectionId",
        "input.tagIds[1]",
        "input.authorIds[0]",
    ];
    want.sort();
    assert_eq!(got, want);

    // Required fields, and uniqueness of the slug.
    let r = app.gql_as(k, q, json!({ "input": { "dek": "no slug or headline" } })).await;
    assert_eq!(paths(&r["errors"][0]["extensions"]["fields"]), ["input.slug", "input.headline"]);
    let r = app
        .gql_as(k, q, json!({ "input": { "slug": "harris-amlo-migration-talks", "headline": "Dup" } }))
        .await;
    assert_eq!(paths(&r["errors"][0]["extensions"]["fields"]), ["input.slug"]);
    let r = app
        .gql_as(
            k,
            q,
            json!({ "input": { "slug": "x", "headline": "x", "bodyMarkdown": "a", "bodyBlocks": [] } }),
        )
        .await;
    assert_eq!(paths(&r["errors"][0]["extensions"]["fields"]), ["input.bodyBlocks"]);

    // REST names the same fields by their JSON paths, in problem+json.
    let (status, headers, p) = app
        .call(
            "POST",
            "/v1/articles",
            k,
            Some(json!({ "slug": "ok-slug", "headline": "", "tagIds": [missing] })),
            &[],
        )
        .await;
    assert_eq!((status, headers["content-type"].to_str().unwrap()), (400, "application/problem+json"));
    assert_eq!(paths(&p["errors"]), ["headline", "tagIds[0]"]);
    let (status, _, p) = app
        .call(
            "POST",
            "/v1/articles",
            k,
            Some(json!({ "slug": "ok", "headline": "h", "tagIds": ["nope"] })),
            &[],
        )
        .await;
    assert_eq!((status, paths(&p["errors"])), (400, vec!["tagIds[0]".to_owned()]));
    let (status, _, p) = app
        .call("POST", "/v1/articles", k, Some(json!({ "slug": "ok", "headline": "h", "colour": "red" })), &[])
        .await;
    assert_eq!(
        (status, p["code"].as_str()),
        (400, Some("BAD_USER_INPUT")),
        "unknown fields are refused: {p}"
    );

    // Oversized bodies are refused before they are read, in the same shape.
    let huge = json!({ "slug": "big", "headline": "Big", "bodyMarkdown": "x".repeat(1_100_000) });
    let (status, headers, p) = app.call("POST", "/v1/articles", k, Some(huge.clone()), &[]).await;
    assert_eq!((status, p["code"].as_str()), (413, Some("PAYLOAD_TOO_LARGE")));
    assert_eq!(headers["content-type"], "application/problem+json");
    let r = app.client.post(format!("{}/graphql", app.addr)).json(&huge).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 413);

    // Curated lists: unknown, self and repeated ids, each named; nothing saved.
    let lead = demo["id"].as_str().unwrap();
    let q = r#"mutation($id: ID!, $ids: [ID!]!) { setRelatedArticles(id: $id, relatedIds: $ids) { article { id } } }"#;
    let (_, _, other) = app.call("GET", "/v1/articles/chile-tax-reform", None, None, &[]).await;
    let other = other["id"].as_str().unwrap();
    let r = app.gql_as(k, q, json!({ "id": lead, "ids": [other, missing, lead, other] })).await;
    assert_eq!(
        paths(&r["errors"][0]["extensions"]["fields"]),
        ["relatedIds[1]", "relatedIds[2]", "relatedIds[3]"]
    );

    assert_eq!(app.fingerprint().await, before, "refused writes saved something");
}

#[actix_web::test]
async fn markdown_and_blocks_come_out_sanitized() {
    let app = TestApp::spawn().await;
    let key = app.key(&["content:write", "content:read-drafts"]).await;
    let md = "Hello <script>alert(1)</script> world.\n\n<img src=x onerror=alert(2)>\n\n\
              [click](javascript:alert(3)) and [fine](https://example.org/a?b=1&c=2)\n\n\
              <a href=\"https://evil.example\" onclick=\"steal()\">raw link</a>\n\n\
              **bold** and <b onmouseover=\"x()\">html bold</b>";
    let q = r#"mutation($input: ArticleInput!) { createArticle(input: $input) { article { body { html text blocks { __typename ... on ParagraphBlock { spans { text href } } } } } } }"#;
    let r = app
        .gql_as(Some(&key), q, json!({ "input": { "slug": "xss", "headline": "XSS", "bodyMarkdown": md } }))
        .await;
    let body = &r["data"]["createArticle"]["article"]["body"];
    let html = body["html"].as_str().unwrap_or_else(|| panic!("{r}"));
    for bad in ["<script", "onerror", "onclick", "onmouseover", "javascript:", "<img", "evil.example"] {
        assert!(!html.to_lowercase().contains(bad), "{bad} survived in {html}");
    }
    assert!(
        html.contains("<a href=\"https://example.org/a?b=1&amp;c=2\" rel=\"noopener noreferrer\">fine</a>"),
        "{html}"
    );
    assert!(html.contains("<strong>bold</strong>"), "{html}");
    assert!(!body["text"].as_str().unwrap().contains("alert"), "{body}");
    let hrefs: Vec<&str> = body["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|b| b["spans"].as_array().into_iter().flatten())
        .filter_map(|s| s["href"].as_str())
        .collect();
    assert_eq!(hrefs, ["https://example.org/a?b=1&c=2"]);

    // Blocks sent directly get the same treatment.
    let blocks = json!([
        { "paragraph": { "spans": [ { "text": "<b>tag text</b>", "href": "javascript:alert(1)" } ] } },
        { "image": { "url": "https://img.example.com/a.jpg", "alt": "\" onerror=\"alert(1)" } }
    ]);
    let r = app
        .gql_as(
            Some(&key),
            q,
            json!({ "input": { "slug": "xss2", "headline": "XSS", "bodyBlocks": blocks } }),
        )
        .await;
    let html =
        r["data"]["createArticle"]["article"]["body"]["html"].as_str().unwrap_or_else(|| panic!("{r}"));
    assert!(html.contains("&lt;b&gt;tag text&lt;/b&gt;"), "{html}");
    assert!(!html.contains("javascript:") && !html.contains("onerror=\""), "{html}");
}

#[test]
fn keys_are_managed_from_the_command_line() {
    use std::process::Command;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("keys.db").display());
    let bin = env!("CARGO_BIN_EXE_dateline");
    let out = Command::new(bin)
        .args([
            "--database-url",
            &url,
            "keys",
            "create",
            "--name",
            "CMS",
            "--scope",
            "content:write",
            "--scope",
            "sync:read",
        ])
        // Whatever is logged meanwhile (a slow statement on a busy machine)
        // stays out of the answer a script reads.
        .env("RUST_LOG", "debug")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!out.stderr.is_empty(), "the debug log is written");
    let secret = String::from_utf8(out.stdout).unwrap();
    assert_eq!(secret.lines().count(), 1, "stdout holds the key alone: {secret}");
    let secret = secret.trim().to_owned();
    assert!(secret.starts_with("dl_") && secret.len() > 30);
    let out = Command::new(bin).args(["--database-url", &url, "keys", "list"]).output().unwrap();
    let list = String::from_utf8(out.stdout).unwrap();
    assert!(list.contains("active") && list.contains("content:write sync:read"), "{list}");
    assert!(!list.contains(&secret), "the secret is never shown again");
    let id = list.split('\t').next().unwrap().to_owned();
    let out = Command::new(bin).args(["--database-url", &url, "keys", "revoke", &id]).output().unwrap();
    assert!(out.status.success());
    let out = Command::new(bin).args(["--database-url", &url, "keys", "list"]).output().unwrap();
    assert!(String::from_utf8(out.stdout).unwrap().contains("revoked"));
    let out = Command::new(bin)
        .args(["--database-url", &url, "keys", "create", "--name", "x", "--scope", "everything"])
        .output()
        .unwrap();
    assert!(!out.status.success());
}

/// REST answers 400 only for a value that is malformed on its own (what
/// the OpenAPI schema can say), and 422 for well-formed values refused
/// together or by what is stored; a malformed write is 400 before a stale
/// `If-Match` is 412, which comes before 422.
#[actix_web::test]
async fn rest_tells_malformed_values_from_refused_ones() {
    let app = TestApp::with_demo().await;
    let key = app.key(&["content:write", "content:read-drafts"]).await;
    let k = Some(key.as_str());
    let missing = "01890a5d-ac96-774b-bcce-b302099a8057";
    let (_, _, demo) = app.call("GET", "/v1/articles/harris-amlo-migration-talks", None, None, &[]).await;
    let lead = demo["id"].as_str().unwrap();
    let before = app.fingerprint().await;

    let refused = json!({ "slug": "harris-amlo-migration-talks", "headline": "Dup", "sectionId": missing });
    let (status, headers, p) = app.call("POST", "/v1/articles", k, Some(refused), &[]).await;
    assert_eq!((status, p["code"].as_str()), (422, Some("BAD_USER_INPUT")), "{p}");
    assert_eq!(headers["content-type"], "application/problem+json");
    assert_eq!(paths(&p["errors"]), ["slug", "sectionId"]);

    let at = json!({ "at": "2000-01-01T00:00:00Z" });
    let (status, _, p) = app.call("POST", &format!("/v1/articles/{lead}/publish"), k, Some(at), &[]).await;
    assert_eq!((status, paths(&p["errors"])), (422, vec!["at".to_owned()]));

    let range = "/v1/articles?publishedAfter=2026-01-02T00:00:00Z&publishedBefore=2026-01-01T00:00:00Z";
    let (status, _, p) = app.call("GET", range, None, None, &[]).await;
    assert_eq!((status, paths(&p["errors"])), (422, vec!["publishedBefore".to_owned()]));

    // Creating by external id needs a slug and a headline; whether it creates
    // depends on what is stored, so their absence is 422.
    let (status, _, p) = app.call("PUT", "/v1/articles/by-external-id/AP-9", k, Some(json!({})), &[]).await;
    assert_eq!((status, paths(&p["errors"])), (422, vec!["slug".to_owned(), "headline".to_owned()]));

    // Declared JSON, a blank body is not JSON; a body not sent at all is `{}`.
    let blank = app
        .client
        .patch(format!("{}/v1/articles/{lead}", app.addr))
        .bearer_auth(&key)
        .header("content-type", "application/json")
        .body("\n")
        .send()
        .await
        .unwrap();
    assert_eq!(blank.status().as_u16(), 400);

    // Malformed with a stale If-Match: the request is wrong whatever the version.
    let stale = [("If-Match", "\"999\"")];
    let path = format!("/v1/articles/{lead}");
    let (status, _, p) = app.call("PATCH", &path, k, Some(json!({ "slug": "Not A Slug" })), &stale).await;
    assert_eq!((status, paths(&p["errors"])), (400, vec!["slug".to_owned()]));
    let (status, _, _) = app.call("PATCH", &path, k, Some(json!({ "dek": "fine" })), &stale).await;
    assert_eq!(status, 412);

    // A body is a JSON object, and so is every object inside it.
    for body in [json!([null, null]), json!({ "url": "https://img.example/a.jpg", "credit": [null] })] {
        let (status, _, p) = app.call("POST", "/v1/media", k, Some(body.clone()), &[]).await;
        assert_eq!((status, p["code"].as_str()), (400, Some("BAD_USER_INPUT")), "{body}: {p}");
    }
    assert_eq!(app.fingerprint().await, before, "refused writes saved something");

    // Stale and refused by what is stored: fetch again first (412), since
    // the refusal (a slug taken) may not hold for the current version.
    let taken = json!({ "slug": "not-the-only-story" });
    app.story("not-the-only-story", "Other", Some(crate::common::t0()), crate::common::Story::default())
        .await;
    let (status, _, p) = app.call("PATCH", &path, k, Some(taken.clone()), &stale).await;
    assert_eq!(status, 412, "{p}");
    let (status, _, p) = app.call("PATCH", &path, k, Some(taken), &[]).await;
    assert_eq!((status, paths(&p["errors"])), (422, vec!["slug".to_owned()]));

    // JSON Schema counts 640.0 as an integer, so it is taken as one.
    let media = json!({ "url": "https://img.example/a.jpg", "width": 640.0, "height": 480 });
    let (status, _, m) = app.call("POST", "/v1/media", k, Some(media), &[]).await;
    assert_eq!((status, m["width"].as_i64()), (201, Some(640)), "{m}");
    let (status, _, p) = app
        .call("POST", "/v1/media", k, Some(json!({ "url": "https://a.example/b", "width": 1.5 })), &[])
        .await;
    assert_eq!((status, paths(&p["errors"])), (400, vec!["width".to_owned()]));
}
