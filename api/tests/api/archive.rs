//! Export and import: an archive goes out and comes back identical, dates
//! and all; importing again changes nothing; broken lines are reported by
//! number while the good ones go in; the CLI and REST do the same.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::TestApp;
use serde_json::{Value, json};

async fn export(app: &TestApp, key: &str) -> String {
    let r = app.client.get(format!("{}/v1/export", app.addr)).bearer_auth(key).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/x-ndjson");
    r.text().await.unwrap()
}

async fn import(app: &TestApp, key: &str, body: String) -> (u16, Value) {
    let r = app.import(key, body).await;
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// The demo content, plus what the demo lacks: a draft, a scheduled story,
/// an archived one, external ids and curated links pointing both ways.
async fn newsroom() -> (TestApp, String) {
    let app = TestApp::with_demo().await;
    let key = app.key(&["content:write", "content:read-drafts", "sync:read"]).await;
    let desk = |m: &'static str, p: String, b: Option<Value>| {
        let app = &app;
        let key = key.clone();
        async move {
            let (status, _, v) = app.call(m, &p, Some(&key), b, &[]).await;
            assert!(status < 300, "{m} {p}: {status} {v}");
            v
        }
    };
    let draft = desk("POST", "/v1/articles".into(), Some(json!({ "slug": "a-draft", "headline": "A draft", "externalId": "cms-1", "bodyMarkdown": "Not *yet*." }))).await;
    let later = desk(
        "POST",
        "/v1/articles".into(),
        Some(json!({ "slug": "later", "headline": "Later", "bodyMarkdown": "Soon." })),
    )
    .await;
    let at = app.state.clock.now() + chrono::TimeDelta::days(2);
    desk(
        "POST",
        format!("/v1/articles/{}/publish", later["id"].as_str().unwrap()),
        Some(json!({ "at": at })),
    )
    .await;
    let old = desk(
        "POST",
        "/v1/articles".into(),
        Some(json!({ "slug": "old-news", "headline": "Old news", "bodyMarkdown": "Then." })),
    )
    .await;
    let old_id = old["id"].as_str().unwrap().to_owned();
    desk("POST", format!("/v1/articles/{old_id}/publish"), None).await;
    desk("POST", format!("/v1/articles/{old_id}/archive"), None).await;
    // Curated links to a story exported after this one and to one before.
    let first = desk("GET", "/v1/articles?limit=1&order=oldest".into(), None).await["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    desk(
        "PUT",
        format!("/v1/articles/{first}/related"),
        Some(json!({ "relatedIds": [draft["id"], old_id] })),
    )
    .await;
    // An author's picture travels with the author.
    let pic = desk(
        "POST",
        "/v1/media".into(),
        Some(json!({ "url": "https://images.dateline.example/people/ana-ruiz.jpg", "alt": "Ana Ruiz", "width": 400, "height": 400, "credit": { "photographer": "Desk photographer" } })),
    )
    .await;
    let authors = desk("GET", "/v1/authors".into(), None).await;
    let ana = authors.as_array().unwrap().iter().find(|a| a["slug"] == "ana-ruiz").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    desk("PATCH", format!("/v1/authors/{ana}"), Some(json!({ "avatarId": pic["id"] }))).await;
    (app, key)
}

#[actix_web::test]
async fn an_archive_comes_back_identical_and_importing_again_changes_nothing() {
    let (app, key) = newsroom().await;
    let first = export(&app, &key).await;
    let lines: Vec<Value> = first.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(lines.len() >= 9, "{}", lines.len());
    assert!(lines.iter().any(|l| l["status"] == "DRAFT" && l["externalId"] == "cms-1"));
    assert!(lines.iter().any(|l| l["status"] == "ARCHIVED"));
    assert!(lines.iter().any(|l| !l["related"].as_array().unwrap().is_empty()));
    assert!(
        lines
            .iter()
            .any(|l| l["heroImage"]["photographer"].is_string() || l["heroImage"]["agency"].is_string())
    );
    assert!(lines.iter().any(|l| !l["corrections"].as_array().unwrap().is_empty()));
    assert!(lines.iter().any(|l| {
        l["authors"].as_array().unwrap().iter().any(|a| {
            a["avatar"]["url"] == "https://images.dateline.example/people/ana-ruiz.jpg"
                && a["avatar"]["photographer"] == "Desk photographer"
        })
    }));

    // Into an empty database: the same archive comes out.
    let empty = TestApp::spawn().await;
    let key2 = empty.key(&["content:write", "content:read-drafts", "sync:read"]).await;
    let (status, report) = import(&empty, &key2, first.clone()).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["totals"]["created"].as_u64(), Some(lines.len() as u64), "{report}");
    assert_eq!(report["totals"]["rejected"], 0, "{report}");
    let second = export(&empty, &key2).await;
    assert_eq!(first, second, "export, import, export gives the same archive");

    // The public sees the same stories, with their original dates.
    let (_, a) = app.get_json("/v1/articles?limit=100").await;
    let (_, b) = empty.get_json("/v1/articles?limit=100").await;
    let strip = |v: &Value| -> Vec<(Value, Value, Value, Value)> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                (x["id"].clone(), x["publishedAt"].clone(), x["createdAt"].clone(), x["updatedAt"].clone())
            })
            .collect()
    };
    assert_eq!(strip(&a), strip(&b));

    // Again: nothing changes, not even a version or the change feed.
    let feed_before = empty.feed().await;
    let fingerprint = empty.fingerprint().await;
    let (_, report) = import(&empty, &key2, first.clone()).await;
    assert_eq!(report["totals"]["unchanged"].as_u64(), Some(lines.len() as u64), "{report}");
    assert_eq!(report["totals"]["created"], 0);
    assert_eq!(report["totals"]["updated"], 0);
    assert_eq!(empty.fingerprint().await, fingerprint);
    assert_eq!(empty.feed().await, feed_before);

    // A changed line replaces its story, keeping the dates it brings.
    let mut changed: Value = lines.iter().find(|l| l["externalId"] == "cms-1").unwrap().clone();
    changed["headline"] = json!("A draft, revised");
    changed["updatedAt"] = json!("2026-05-30T08:00:00Z");
    let (_, report) = import(&empty, &key2, format!("{changed}\n")).await;
    assert_eq!(report["totals"]["updated"], 1, "{report}");
    let id = changed["id"].as_str().unwrap();
    let (_, _, story) =
        empty.call("GET", &format!("/v1/articles/{id}?preview=true"), Some(&key2), None, &[]).await;
    assert_eq!(story["headline"], "A draft, revised");
    assert_eq!(story["updatedAt"], "2026-05-30T08:00:00Z");
}

#[actix_web::test]
async fn broken_lines_are_reported_by_number_and_the_good_ones_go_in() {
    let app = TestApp::spawn().await;
    let key = app.key(&["content:write", "content:read-drafts", "sync:read"]).await;
    let good = |n: u32| {
        json!({ "externalId": format!("wire-{n}"), "slug": format!("wire-{n}"), "headline": format!("Wire story {n}"), "status": "PUBLISHED", "publishedAt": "2019-03-04T05:06:07Z", "createdAt": "2019-03-04T05:00:00Z", "updatedAt": "2019-03-05T00:00:00Z", "bodyBlocks": [{ "type": "paragraph", "spans": [{ "text": "From the wire." }] }], "section": { "slug": "world", "name": "World" }, "tags": [{ "slug": "elections", "name": "Elections" }], "authors": [{ "slug": "ana-diaz", "name": "Ana Díaz", "about": "Correspondent" }] }).to_string()
    };
    let body = [
        good(1),
        "{ this is not json".to_owned(),
        String::new(),
        json!({ "externalId": "wire-x", "slug": "Bad Slug!", "headline": "x", "status": "PUBLISHED", "publishedAt": "2019-01-01T00:00:00Z" }).to_string(),
        json!({ "externalId": "wire-y", "slug": "no-date", "headline": "x", "status": "PUBLISHED" }).to_string(),
        json!({ "externalId": "wire-z", "slug": "odd-status", "headline": "x", "status": "LIVE" }).to_string(),
        json!({ "externalId": "wire-w", "slug": "unknown-field", "headline": "x", "status": "DRAFT", "colour": "red" }).to_string(),
        good(2),
        json!({ "slug": "no-key", "headline": "x", "status": "DRAFT" }).to_string(),
        json!({ "externalId": "wire-3", "slug": "wire-1", "headline": "Same slug as line 1", "status": "DRAFT" }).to_string(),
        good(4),
        // New terms of a line rejected later roll back with it...
        json!({ "externalId": "wire-5", "slug": "wire-5", "headline": "x", "status": "DRAFT", "tags": [{ "slug": "ghost-tag", "name": "Ghost" }], "heroImage": { "url": "javascript:alert(1)" } }).to_string(),
        // ...and the next line that names them creates them.
        json!({ "externalId": "wire-6", "slug": "wire-6", "headline": "x", "status": "DRAFT", "tags": [{ "slug": "ghost-tag", "name": "Ghost" }] }).to_string(),
        // A term met before is still checked.
        json!({ "externalId": "wire-7", "slug": "wire-7", "headline": "x", "status": "DRAFT", "tags": [{ "slug": "elections", "name": " " }] }).to_string(),
    ]
    .join("\n");
    let (status, report) = import(&app, &key, body).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["totals"]["created"], 4, "{report}");
    assert_eq!(report["totals"]["rejected"], 9, "{report}");
    let lines = report["problems"].as_array().unwrap();
    let by_line = |n: u64| {
        lines.iter().find(|l| l["line"] == n).unwrap_or_else(|| panic!("no report for line {n}: {report}"))
    };
    for (n, needle) in [
        (2, "not an archived story"),
        (4, "slug"),
        (5, "publishedAt"),
        (6, "status"),
        (7, "colour"),
        (9, "externalId"),
        (10, "slug"),
        (12, "heroImage.url"),
        (14, "tags[0].name"),
    ] {
        let l = by_line(n);
        assert_eq!(l["outcome"], "rejected", "line {n}: {l}");
        assert!(l["reason"].as_str().unwrap().contains(needle), "line {n}: {l}");
    }
    // Lines that went in whole are counted, not listed.
    assert_eq!(lines.len(), 9, "{report}");
    assert_eq!(report["unlistedProblems"], 0);
    assert!(lines.iter().all(|l| l["line"] != 3), "blank lines are skipped");
    // Authors, sections and tags came in by slug, once; dates were kept.
    let (_, story) = app.get_json("/v1/articles/wire-2").await;
    assert_eq!(story["publishedAt"], "2019-03-04T05:06:07Z");
    assert_eq!(story["createdAt"], "2019-03-04T05:00:00Z");
    assert_eq!(story["updatedAt"], "2019-03-05T00:00:00Z");
    assert_eq!(story["authors"][0]["name"], "Ana Díaz");
    assert_eq!(story["section"]["slug"], "world");
    let (_, authors) = app.get_json("/v1/authors").await;
    assert_eq!(
        authors["items"].as_array().map(Vec::len).or(authors.as_array().map(Vec::len)),
        Some(1),
        "{authors}"
    );
    // The change feed has them as published stories.
    let reader = app.key(&["sync:read"]).await;
    let (_, _, feed) = app.call("GET", "/v1/sync", Some(&reader), None, &[]).await;
    let published = feed["items"].as_array().unwrap().iter().filter(|e| e["event"] == "PUBLISHED").count();
    assert_eq!(published, 3, "{feed}");
    let terms: Vec<String> = app.feed().await.into_iter().filter(|e| e.starts_with("tag ")).collect();
    assert_eq!(terms, ["tag created elections", "tag created ghost-tag"]);
    let (_, tagged) = app.get_json("/v1/tags").await;
    assert!(tagged.to_string().contains("ghost-tag"), "{tagged}");
}

#[actix_web::test]
async fn export_and_import_need_their_scopes_and_refuse_hostile_bodies() {
    let app = TestApp::spawn_configured(|c| c.http.import_max_bytes = 64 * 1024).await;
    let reader = app.key(&["sync:read"]).await;
    let writer = app.key(&["content:write"]).await;
    for (token, status) in [(None, 401), (Some(reader.as_str()), 403), (Some(writer.as_str()), 403)] {
        let mut r = app.client.get(format!("{}/v1/export", app.addr));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        assert_eq!(r.send().await.unwrap().status(), status);
    }
    let (status, _) = import(&app, &reader, "{}\n".into()).await;
    assert_eq!(status, 403);
    // Too big for this server: refused, and nothing half-imported.
    let line = json!({ "externalId": "big", "slug": "big", "headline": "x", "status": "DRAFT", "dek": "y".repeat(900) }).to_string();
    let big = vec![line; 100].join("\n");
    let (status, body) = import(&app, &writer, big).await;
    assert_eq!(status, 413, "{body}");
    // Not UTF-8, NUL, deep nesting: each line refused on its own.
    let mut body: Vec<u8> = b"\xff\xfe\n".to_vec();
    body.extend_from_slice(
        json!({ "externalId": "nul", "slug": "nul", "headline": "a\u{0}b", "status": "DRAFT" })
            .to_string()
            .as_bytes(),
    );
    body.push(b'\n');
    body.extend_from_slice(format!("{}{}\n", "[".repeat(10_000), "]".repeat(10_000)).as_bytes());
    let r = app
        .client
        .post(format!("{}/v1/import", app.addr))
        .bearer_auth(&writer)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let report: Value = r.json().await.unwrap();
    assert_eq!(report["totals"]["rejected"], 3, "{report}");
    let (status, _) = app.get_json("/healthz").await;
    assert_eq!(status, 200);
}

#[actix_web::test]
async fn lines_without_dates_keep_the_stored_ones_when_imported_again() {
    let app = TestApp::spawn().await;
    let writer = app.key(&["content:write", "content:read-drafts"]).await;
    let line = |n: u32, headline: &str| {
        json!({ "externalId": format!("undated-{n}"), "slug": format!("undated-{n}"), "headline": headline, "status": "DRAFT" })
            .to_string()
    };
    let body = (0..3).map(|n| line(n, "Undated")).collect::<Vec<_>>().join("\n");
    let (_, report) = import(&app, &writer, body.clone()).await;
    assert_eq!(report["totals"]["created"], 3, "{report}");
    // Later, the same lines: nothing changes, not even the dates.
    app.clock_tick();
    let (_, report) = import(&app, &writer, body).await;
    assert_eq!(report["totals"]["unchanged"], 3, "{report}");
    let dates = || async {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let a = entity::article::Entity::find()
            .filter(entity::article::Column::Slug.eq("undated-0"))
            .one(&app.state.db)
            .await
            .unwrap()
            .unwrap();
        (a.created_at.to_rfc3339(), a.updated_at.to_rfc3339())
    };
    assert_eq!(dates().await.1, "2026-06-01T12:00:00+00:00");
    // A changed line without dates: updated now, created when it was.
    app.clock_tick();
    let (_, report) = import(&app, &writer, line(0, "Undated, revised")).await;
    assert_eq!(report["totals"]["updated"], 1, "{report}");
    assert_eq!(dates().await, ("2026-06-01T12:00:00+00:00".into(), "2026-06-01T12:00:02+00:00".into()));
}

#[actix_web::test]
async fn a_body_of_bad_lines_gets_a_bounded_report() {
    let app = TestApp::spawn().await;
    let writer = app.key(&["content:write"]).await;
    // Each `{}` line is refused with a long reason; listing every one made
    // an answer fifty times the body.
    let body = "{}\n".repeat(5_000);
    let (status, report) = import(&app, &writer, body.clone()).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["totals"]["rejected"], 5_000);
    let problems = report["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 100);
    assert_eq!(report["unlistedProblems"], 4_900);
    let lines: Vec<u64> = problems.iter().map(|p| p["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, (1..=100).collect::<Vec<u64>>(), "the first problems, in line order");
    assert!(report.to_string().len() < body.len() * 10, "answer of {} bytes", report.to_string().len());
}

#[actix_web::test]
async fn the_cli_exports_and_imports_files() {
    let (app, _) = newsroom().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("archive.ndjson");
    let bin = env!("CARGO_BIN_EXE_dateline");
    let url = app.state.config.db.database_url.clone();
    let out = std::process::Command::new(bin)
        .args(["export", file.to_str().unwrap()])
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let written = std::fs::read_to_string(&file).unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains(&format!("exported {} stories", written.lines().count()))
    );

    let (target, dir2) = crate::common::fresh_database().await;
    let out = std::process::Command::new(bin)
        .args(["import", file.to_str().unwrap()])
        .env("DATABASE_URL", &target)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains(&format!("{} created, 0 updated, 0 unchanged, 0 rejected", written.lines().count())),
        "{said}"
    );
    // The import leaves planner statistics behind it, as the seed does.
    if target.starts_with("postgres") {
        use sea_orm::{ConnectionTrait, Statement};
        let db = sea_orm::Database::connect(&target).await.unwrap();
        let row = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM pg_stat_user_tables \
                 WHERE relname IN ('article', 'article_body', 'comment') AND last_analyze IS NOT NULL",
            ))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.try_get::<i64>("", "n").unwrap(), 3, "tables analysed after the import");
        db.close().await.unwrap();
    }
    let again = dir.path().join("again.ndjson");
    let out = std::process::Command::new(bin)
        .args(["export", again.to_str().unwrap()])
        .env("DATABASE_URL", &target)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(std::fs::read_to_string(&again).unwrap(), written);

    // A broken line: reported with its number, the exit status says so.
    std::fs::write(&file, format!("{}\nnot json\n", written.lines().next().unwrap())).unwrap();
    let out = std::process::Command::new(bin)
        .args(["import", file.to_str().unwrap()])
        .env("DATABASE_URL", &target)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("line 2:"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 unchanged, 1 rejected"));
    drop(dir2);
}

#[actix_web::test]
async fn the_cli_and_the_api_read_an_archive_by_the_same_rules() {
    let (app, key) = newsroom().await;
    let first = export(&app, &key).await.lines().next().unwrap().to_owned();
    // A good line, a line that is not UTF-8, a blank one, a good one without
    // a newline at the end.
    let mut bytes = format!("{first}\n").into_bytes();
    bytes.extend_from_slice(b"\xff\xfe{}\n\n");
    bytes.extend_from_slice(first.as_bytes());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mixed.ndjson");
    std::fs::write(&file, &bytes).unwrap();

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_dateline"))
        .args(["import", file.to_str().unwrap()])
        .env("DATABASE_URL", &app.state.config.db.database_url)
        .output()
        .unwrap();
    let (said, complained) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(!out.status.success(), "a rejected line fails the command");
    assert!(said.contains("0 created, 0 updated, 2 unchanged, 1 rejected"), "{said}");
    assert!(complained.contains("line 2: is not UTF-8"), "{complained}");

    let r = app
        .client
        .post(format!("{}/v1/import", app.addr))
        .bearer_auth(&key)
        .header("content-type", "application/x-ndjson")
        .body(bytes)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let report: Value = r.json().await.unwrap();
    assert_eq!(report["totals"], json!({ "created": 0, "updated": 0, "unchanged": 2, "rejected": 1 }));
    assert_eq!(report["problems"][0]["line"], 2);
    assert_eq!(report["problems"][0]["reason"], "is not UTF-8");
}
