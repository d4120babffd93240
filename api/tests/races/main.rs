//! Many clients at once on different rows that share something: comments
//! of one story, stories of one section with shared tags. Every answer is
//! a success, the counts read back true, and no transaction lost a race
//! (ordinary work takes its locks in one order, so the database never has
//! to pick a deadlock victim). The tests of this binary all hold to that,
//! so the process-wide count of lost races must stay at zero; they run in a
//! binary of their own because other tests lose races on purpose.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../api/common/mod.rs"]
mod common;
mod instances;
mod one_service;

use chrono::TimeDelta;
use common::{Story, TestApp, t0};
use serde_json::json;

const MODERATE: &str =
    "mutation($id: ID!, $s: CommentStatus!) { moderateComment(id: $id, status: $s) { comment { status } } }";
const COUNT: &str = "query($slug: String!) { article(slug: $slug) { commentCount } }";

fn no_lost_races() {
    assert_eq!(api::db::counters::lost_races(), 0, "a transaction lost a deadlock or serialization race");
}

/// Approved comments of a story, counted from the rows.
async fn approved(app: &TestApp, article: uuid::Uuid) -> i64 {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    entity::comment::Entity::find()
        .filter(entity::comment::Column::ArticleId.eq(article))
        .filter(entity::comment::Column::Status.eq("APPROVED"))
        .count(&app.state.db)
        .await
        .unwrap() as i64
}

#[actix_web::test]
async fn moderators_deciding_at_once_leave_every_count_true() {
    let app = TestApp::spawn_configured(|c| c.db.db_max_connections = 12).await;
    let article = app.story("heated", "Heated", Some(t0() - TimeDelta::hours(1)), Story::default()).await;
    let (reader, _) = app.person("Reader", "READER").await;
    let mut mods = Vec::new();
    for i in 0..10 {
        mods.push(app.person(&format!("Moderator {i}"), "MODERATOR").await.0);
    }
    // Ten threads of a top-level comment and two replies.
    let mut threads = Vec::new();
    for i in 0..10 {
        let top = app.comment(&reader, article, None, &format!("top {i}")).await;
        let a = app.comment(&reader, article, Some(&top), &format!("first reply {i}")).await;
        let b = app.comment(&reader, article, Some(&top), &format!("second reply {i}")).await;
        threads.push([top, a, b]);
    }
    for (round, thread) in threads.iter().enumerate() {
        // Ten moderators at once on one thread: each picks a comment of it
        // (the top-level one and its replies share the parent's and the
        // story's counts) and a decision, approvals and refusals mixed.
        let work = mods.iter().enumerate().map(|(i, token)| {
            let app = &app;
            let status = ["APPROVED", "REJECTED", "SPAM", "APPROVED", "PENDING"][(i + round) % 5];
            let id = &thread[i % 3];
            async move {
                let r = app.gql_as(Some(token), MODERATE, json!({ "id": id, "s": status })).await;
                assert!(r["errors"].is_null(), "{r}");
            }
        });
        futures_util::future::join_all(work).await;
        let r = app.gql(COUNT, json!({ "slug": "heated" })).await;
        assert_eq!(r["data"]["article"]["commentCount"], approved(&app, article).await, "round {round}: {r}");
    }
    let repairs = api::domain::comments::recount::recount(&app.state.db).await.unwrap();
    assert!(repairs.is_empty(), "counts drifted: {repairs:?}");
    no_lost_races();
}

#[actix_web::test]
async fn editors_saving_different_stories_of_one_section_never_deadlock() {
    const WRITERS: usize = 10;
    const SAVES: usize = 20;
    let app = TestApp::spawn_configured(|c| {
        c.db.db_max_connections = 16;
        // The refresher is stepped by the test, beside the editors.
        c.workers.related_refresh_ms = 3_600_000;
    })
    .await;
    let key = app.key(&["content:write", "content:read-drafts"]).await;
    let opts =
        Story { section: Some("politics"), tags: &["election", "parliament", "budget"], ..Story::default() };
    let mut stories = Vec::new();
    for i in 0..WRITERS {
        let published = Some(t0() - TimeDelta::hours(i as i64 + 1));
        stories.push(app.story(&format!("story-{i}"), &format!("Story {i}"), published, opts).await);
    }
    app.refresh_related().await;
    let mut versions = Vec::new();
    for id in &stories {
        let (_, _, a) = app.call("GET", &format!("/v1/articles/{id}"), Some(&key), None, &[]).await;
        versions.push(a["version"].as_i64().unwrap());
    }

    // Every other save drops a shared tag and the next puts it back, so
    // each save rewrites the story's tag links and marks the related lists
    // of the stories around it, as retagging does in a newsroom.
    let (_, tags) = app.get_json("/v1/tags?limit=100").await;
    let tag_ids: Vec<String> = ["election", "parliament", "budget"]
        .iter()
        .map(|slug| {
            let items = tags["items"].as_array().or(tags.as_array()).unwrap();
            items.iter().find(|t| t["slug"] == *slug).unwrap()["id"].as_str().unwrap().to_owned()
        })
        .collect();
    let done = std::sync::atomic::AtomicBool::new(false);
    let editors = stories.iter().enumerate().map(|(i, id)| {
        let (app, key, tag_ids) = (&app, &key, &tag_ids);
        async move {
            let mut statuses = Vec::new();
            for n in 0..SAVES {
                let tags = if n % 2 == 0 { &tag_ids[..2] } else { &tag_ids[..] };
                let body = json!({ "headline": format!("Story {i}, edit {n}"), "bodyMarkdown": format!("Edit {n} of story {i}."), "tagIds": tags });
                let (status, _, answer) =
                    app.call("PATCH", &format!("/v1/articles/{id}"), Some(key), Some(body), &[]).await;
                assert_eq!(status, 200, "story {i}, save {n}: {answer}");
                statuses.push(status);
            }
            statuses.len()
        }
    });
    // Two refreshers, as two instances run them, on the same marked lists.
    let refresher = || async {
        let mut steps = 0;
        while !done.load(std::sync::atomic::Ordering::Relaxed) {
            api::domain::related::refresh::step(&app.state.db, 100).await.unwrap();
            steps += 1;
            tokio::task::yield_now().await;
        }
        steps
    };
    let editing = async {
        let saves: usize = futures_util::future::join_all(editors).await.into_iter().sum();
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        saves
    };
    let (saves, _, _) = futures_util::join!(editing, refresher(), refresher());
    assert_eq!(saves, WRITERS * SAVES);

    // Every save is stored, and the lists the refresher left are current.
    for (i, id) in stories.iter().enumerate() {
        let (_, _, a) = app.call("GET", &format!("/v1/articles/{id}"), Some(&key), None, &[]).await;
        assert_eq!(a["version"], versions[i] + SAVES as i64, "story {i}: {a}");
        assert_eq!(a["headline"], format!("Story {i}, edit {}", SAVES - 1));
    }
    app.refresh_related().await;
    let (_, related) = app.get_json("/v1/articles/story-0/related").await;
    assert_eq!(related["items"].as_array().map(Vec::len), Some(5), "{related}");
    no_lost_races();
}

#[actix_web::test]
async fn clients_racing_for_one_slug_hear_422_naming_it() {
    let app = TestApp::spawn_configured(|c| c.db.db_max_connections = 12).await;
    let key = app.key(&["content:write", "content:read-drafts"]).await;
    // Forty clients create one tag at once over REST, then over GraphQL.
    one_created_rest(
        &app,
        &key,
        "/v1/tags",
        40,
        |i| json!({ "slug": "breaking", "name": format!("Breaking {i}") }),
    )
    .await;
    const CREATE: &str = "mutation($i: TagInput!) { createTag(input: $i) { tag { slug } } }";
    let graphql = (0..20).map(|i| {
        let (app, key) = (&app, &key);
        async move {
            app.gql_as(Some(key), CREATE, json!({ "i": { "slug": "live", "name": format!("Live {i}") } }))
                .await
        }
    });
    let answers = futures_util::future::join_all(graphql).await;
    assert_eq!(answers.iter().filter(|r| r["errors"].is_null()).count(), 1, "{answers:?}");
    for r in answers.iter().filter(|r| !r["errors"].is_null()) {
        assert_eq!(r["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{r}");
        assert_eq!(r["errors"][0]["extensions"]["fields"][0]["path"], "input.slug", "{r}");
    }
    // Twenty stories with one slug: one is created, every other answer is
    // the same 422, never a 400 or a 500.
    one_created_rest(
        &app,
        &key,
        "/v1/articles",
        20,
        |i| json!({ "slug": "one-slug", "headline": format!("Story {i}") }),
    )
    .await;
}

/// `n` clients POST at once bodies with one slug: exactly one is created
/// (201), every other answer is 422 naming `slug`.
async fn one_created_rest(
    app: &TestApp,
    key: &str,
    path: &str,
    n: usize,
    body: impl Fn(usize) -> serde_json::Value,
) {
    let posts = (0..n).map(|i| {
        let body = body(i);
        async move {
            let (status, _, answer) = app.call("POST", path, Some(key), Some(body), &[]).await;
            (status, answer)
        }
    });
    let answers = futures_util::future::join_all(posts).await;
    assert_eq!(answers.iter().filter(|(s, _)| *s == 201).count(), 1, "{path}: {answers:?}");
    for (status, answer) in answers.iter().filter(|(s, _)| *s != 201) {
        assert_eq!(*status, 422, "{path}: {answer}");
        assert_eq!(answer["errors"][0]["path"], "slug", "{path}: {answer}");
    }
}

/// Four `dateline` processes started at once on an empty database: each
/// migrates or waits for the one that does, exactly one loads the demo,
/// and all four serve.
#[actix_web::test]
async fn four_instances_started_together_all_serve_one_demo() {
    let (url, _dir) = common::fresh_database().await;
    let mut four = instances::Instances::start(&url, 4, &[]);
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::new();
    let mut seen = Vec::new();
    for addr in &four.addrs {
        let list: serde_json::Value = client
            .get(format!("http://{addr}/v1/articles?limit=100"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        seen.push(list["items"].as_array().map(Vec::len).unwrap_or(0));
    }
    assert!(seen.iter().all(|n| *n > 0 && *n == seen[0]), "every instance serves the demo: {seen:?}");
    let db = sea_orm::Database::connect(url.as_str()).await.unwrap();
    use sea_orm::{EntityTrait, PaginatorTrait};
    assert_eq!(entity::article::Entity::find().count(&db).await.unwrap(), 8, "the demo, once");
    assert!(four.all_running(), "every instance is still running");
    assert_eq!(four.loaded, 1, "exactly one instance loads the demo");
}
