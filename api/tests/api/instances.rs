//! Several instances on one PostgreSQL database act as one service: a
//! write through one is not served stale by another's read cache or
//! catalog once its notice has arrived, and a listener that lost its
//! connection takes everything as changed. The test clock stands still,
//! so a kept answer's time to live never runs out here: only a notice can
//! make the other instance read again.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{Story, TestApp, fresh_database, t0};
use chrono::TimeDelta;
use sea_orm::{ConnectionTrait, DatabaseBackend};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const PAGE: &str = "query($slug: String!) { article(slug: $slug) { headline commentCount \
    comments(first: 5) { nodes { body { text } } } tags { name } } }";

/// How long a notice may take here before the test fails; the figures
/// printed are what it took.
const BOUND: Duration = Duration::from_secs(5);

/// Two instances on one fresh database, or None off PostgreSQL (SQLite
/// and MariaDB have no notices between instances: there the cache's time
/// to live is the bound, see the README).
async fn two() -> Option<(TestApp, TestApp)> {
    let (url, dir) = fresh_database().await;
    // Nothing else reads terms again or changes related lists by itself.
    let one = |c: &mut api::config::Config| {
        c.workers.taxonomy_reload_ms = 0;
        c.workers.related_refresh_ms = 0;
    };
    let a = TestApp::spawn_with(url.clone(), dir, one).await;
    if a.backend() != DatabaseBackend::Postgres {
        return None;
    }
    // Ready only once it listens (a listener that starts takes everything
    // as changed, so no kept answer is dropped by that later).
    let b = TestApp::spawn_with(url, None, one).await;
    Some((a, b))
}

async fn page(app: &TestApp, slug: &str) -> (Value, usize) {
    let (r, sql) = app.statements_of(app.gql(PAGE, json!({ "slug": slug }))).await;
    assert!(r.get("errors").is_none(), "{r}");
    (r["data"]["article"].clone(), sql.len())
}

/// Reads through `app` until `fresh` holds of the page; how long it took.
async fn until_fresh(app: &TestApp, slug: &str, fresh: impl Fn(&Value) -> bool) -> Duration {
    let start = Instant::now();
    loop {
        let (p, _) = page(app, slug).await;
        if fresh(&p) {
            return start.elapsed();
        }
        assert!(start.elapsed() < BOUND, "still stale after {BOUND:?}: {p}");
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

/// Reads through `app` until a read costs no statement: the notices of
/// writes made before have all arrived, and the answer is kept.
async fn kept(app: &TestApp, slug: &str) {
    let start = Instant::now();
    while page(app, slug).await.1 > 0 {
        assert!(start.elapsed() < BOUND, "never kept");
    }
}

fn percentile(mut d: Vec<Duration>, p: f64) -> Duration {
    d.sort();
    d[((d.len() - 1) as f64 * p).round() as usize]
}

#[actix_web::test]
async fn a_write_through_one_instance_is_not_served_stale_by_the_other() {
    let Some((a, b)) = two().await else { return };
    let id = a.story("s", "Headline 0", Some(t0() - TimeDelta::hours(1)), Story::default()).await;
    let key = a.key(&["content:write"]).await;
    let (reader, _) = a.person("Reader", "reader").await;

    kept(&b, "s").await;

    let mut took = Vec::new();
    // The first write is not timed: a new database's first notice sets up
    // its queue (about 90 ms here).
    for i in 0..=20 {
        a.retitle(id, &key, &format!("Headline {i}")).await;
        // The writer's own instance never serves the old answer.
        assert_eq!(page(&a, "s").await.0["headline"], format!("Headline {i}"));
        let want = format!("Headline {i}");
        let t = until_fresh(&b, "s", |p| p["headline"] == want.as_str()).await;
        if i > 0 {
            took.push(t);
        }
    }
    // A comment through A: B's kept thread goes.
    a.comment(&reader, id, None, "Through A").await;
    took.push(until_fresh(&b, "s", |p| p["comments"]["nodes"][0]["body"]["text"] == "Through A").await);
    assert_eq!(page(&b, "s").await.0["commentCount"], 1);
    println!(
        "another instance's write seen after p50 {:?}, p99 {:?} ({} writes)",
        percentile(took.clone(), 0.5),
        percentile(took.clone(), 0.99),
        took.len()
    );
}

#[actix_web::test]
async fn a_tag_renamed_through_one_instance_is_named_so_by_the_other() {
    let Some((a, b)) = two().await else { return };
    let opts = Story { tags: &["budget"], ..Story::default() };
    a.story("s", "A story", Some(t0() - TimeDelta::hours(1)), opts).await;
    // B's catalog holds the tag (it is read again only on a notice here).
    assert_eq!(page(&b, "s").await.0["tags"], json!([{ "name": "BUDGET" }]));
    let key = a.key(&["content:write"]).await;
    let (_, tags) = a.get_json("/v1/tags").await;
    let budget = tags[0]["id"].as_str().unwrap().to_owned();
    let (status, _, body) = a
        .call("PATCH", &format!("/v1/tags/{budget}"), Some(&key), Some(json!({ "name": "City budget" })), &[])
        .await;
    assert_eq!(status, 200, "{body}");
    until_fresh(&b, "s", |p| p["tags"] == json!([{ "name": "City budget" }])).await;
    // Uncached reads of B name it so too: its catalog, not only its cache.
    let (status, story) = b.get_json("/v1/articles/s").await;
    assert_eq!(status, 200);
    assert_eq!(story["tags"][0]["name"], "City budget", "{story}");
}

/// Sessions listening for notices on the app's database.
async fn listening(app: &TestApp) -> u64 {
    app.state
        .db
        .execute_unprepared(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'",
        )
        .await
        .unwrap()
        .rows_affected()
}

#[actix_web::test]
async fn a_listener_that_lost_its_connection_takes_everything_as_changed() {
    use api::domain::freshness::Versions;
    use api::workers::notices::listener::{Heard, Listener};
    use std::sync::Arc;
    let Some((a, _b)) = two().await else { return };
    let id = a.story("s", "Before", Some(t0() - TimeDelta::hours(1)), Story::default()).await;
    let (reader, _) = a.person("Reader", "reader").await;
    // A third instance's listener, driven by hand, with versions of its own.
    let versions = Arc::new(Versions::default());
    let catalog = Arc::new(api::domain::taxonomy::catalog::Catalog::new(Arc::clone(&versions)));
    let mut listener = Listener::new(
        a.state.config.db.database_url.clone(),
        a.state.db.clone(),
        uuid::Uuid::new_v4(),
        Arc::clone(&versions),
        catalog,
        Arc::default(),
        tokio_util::sync::CancellationToken::new(),
    );
    assert_eq!(listener.step().await, Ok(Heard::Listening));
    // A comment: only that story's thread is out of date.
    let before = versions.snapshot();
    a.comment(&reader, id, None, "Through A").await;
    let heard = tokio::time::timeout(BOUND, listener.step()).await.expect("a notice");
    assert_eq!(heard, Ok(Heard::Notice));
    assert!(!versions.current(before, &[id]), "the thread is out of date");
    assert!(versions.current(before, &[uuid::Uuid::new_v4()]), "other threads are not");

    // Every listening connection is cut (A's and B's workers listen again
    // at once); then a write, whose notice this listener cannot hear.
    let before = versions.snapshot();
    let start = Instant::now();
    while listening(&a).await < 3 {
        assert!(start.elapsed() < BOUND, "A and B listen");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    a.state
        .db
        .execute_unprepared(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND query LIKE 'LISTEN%'",
        )
        .await
        .unwrap();
    a.comment(&reader, id, None, "Unheard").await;
    let heard = tokio::time::timeout(BOUND, listener.step()).await.expect("the loss is seen");
    // PostgreSQL says why it closes (an error) or the socket just ends.
    assert!(matches!(heard, Ok(Heard::Lost) | Err(_)), "{heard:?}");
    assert!(!versions.current(before, &[uuid::Uuid::new_v4()]), "everything is out of date");
    // The next step listens again.
    assert_eq!(listener.step().await, Ok(Heard::Listening));
}
