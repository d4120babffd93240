//! Read replicas on PostgreSQL, against a real streaming replica
//! (`scripts/replica`): reads without credentials go to the replica once
//! it has replayed what they must show, everything else to the primary; a
//! write is read back at once; a replica whose replay is paused (lagging)
//! or that is down is skipped, and the lag shows in `/metrics`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{Story, TestApp, fresh_database, replica_of, t0};
use chrono::TimeDelta;
use sea_orm::{ConnectionTrait, Database, DatabaseBackend};
use std::time::{Duration, Instant};

const BOUND: Duration = Duration::from_secs(10);

/// An app with the replica, or None off PostgreSQL.
async fn with_replica(max_lag_ms: u64) -> Option<(TestApp, String)> {
    let (url, dir) = fresh_database().await;
    if !url.starts_with("postgres") {
        return None;
    }
    let replica = replica_of(&url);
    let r = replica.clone();
    let app = TestApp::spawn_with(url, dir, move |c| {
        // Every read reaches a database (the read cache would answer
        // repeated ones from memory).
        crate::common::uncached(c);
        // And one that is down, which the reads skip and whose checks
        // (each waiting out its timeout) hold up nothing.
        c.db.database_replica_urls = vec![r, "postgres://postgres@127.0.0.1:1/nowhere".into()];
        c.db.replica_check_ms = 10;
        c.db.replica_max_lag_ms = max_lag_ms;
    })
    .await;
    Some((app, replica))
}

async fn read(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> (String, serde_json::Value) {
    let mut r = app.client.get(format!("{}{path}", app.addr));
    for (k, v) in headers {
        r = r.header(*k, *v);
    }
    let resp = r.send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let from =
        resp.headers().get("dateline-read-from").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    (from, resp.json().await.unwrap())
}

async fn metric(app: &TestApp, line_start: &str) -> Option<f64> {
    let text = app.get("/metrics").await.text().await.unwrap();
    text.lines().find_map(|l| l.strip_prefix(line_start).and_then(|v| v.trim().parse().ok()))
}

#[actix_web::test]
async fn reads_without_credentials_go_to_the_replica_and_writes_read_back_at_once() {
    let Some((app, replica)) = with_replica(1000).await else { return };
    let id = app.story("s", "Headline 0", Some(t0() - TimeDelta::hours(1)), Story::default()).await;
    let key = app.key(&["content:write", "content:read-drafts"]).await;
    // Once the replica has replayed the story, anonymous reads go to it.
    let start = Instant::now();
    loop {
        let (from, story) = read(&app, "/v1/articles/s", &[]).await;
        assert_eq!(story["headline"], "Headline 0");
        if from == "replica" {
            break;
        }
        assert!(start.elapsed() < BOUND, "never read from the replica");
    }
    let gql = "/graphql?query=%7B%20article(slug%3A%20%22s%22)%20%7B%20headline%20%7D%20%7D";
    let start = Instant::now();
    while read(&app, gql, &[]).await.0 != "replica" {
        assert!(start.elapsed() < BOUND, "GraphQL never read from the replica");
    }
    // A position no replica has replayed, or none at all: the primary,
    // or any replica, but never a failure.
    let (from, _) = read(&app, "/v1/articles/s", &[("dateline-read-after", "FFFFFFFF/FFFFFFFF")]).await;
    assert_eq!(from, "primary");
    for junk in ["nonsense", "/", "1/", "G/0", "00000000000000000000/1", ""] {
        let (_, story) = read(&app, "/v1/articles/s", &[("dateline-read-after", junk)]).await;
        assert_eq!(story["headline"], "Headline 0", "{junk}");
    }
    // With credentials: the primary.
    assert_eq!(
        read(&app, "/v1/articles/s", &[("authorization", &format!("Bearer {key}"))]).await.0,
        "primary"
    );
    assert_eq!(read(&app, gql, &[("authorization", &format!("Bearer {key}"))]).await.0, "primary");

    // Each write is read back at once, from whichever may answer.
    let mut from_replica = 0;
    for i in 1..=20 {
        let headers = app.retitle(id, &key, &format!("Headline {i}")).await;
        assert!(headers.contains_key("dateline-read-after"), "{headers:?}");
        let (from, story) = read(&app, "/v1/articles/s", &[]).await;
        assert_eq!(story["headline"], format!("Headline {i}"), "read from the {from}");
        from_replica += u32::from(from == "replica");
    }
    println!("reads right after a write: {from_replica} of 20 from the replica");
    assert!(metric(&app, "dateline_replica_lag_seconds{replica=\"0\"}").await.is_some());
    assert!(metric(&app, "dateline_replica_reads_total{replica=\"0\"}").await.unwrap() >= 2.0);

    // Replay paused: the replica falls behind. A write's answer is never
    // read from it (its position is below the write's), and once it lags
    // past the bound nothing is.
    let r = Database::connect(&replica).await.unwrap();
    r.execute_unprepared("SELECT pg_wal_replay_pause()").await.unwrap();
    let paused = async {
        let headers = app.retitle(id, &key, "While paused").await;
        let token = headers["dateline-read-after"].to_str().unwrap().to_owned();
        for _ in 0..20 {
            let (from, story) = read(&app, "/v1/articles/s", &[]).await;
            assert_eq!(story["headline"], "While paused");
            assert_eq!(from, "primary");
            let (from, story) = read(&app, "/v1/articles/s", &[("dateline-read-after", &token)]).await;
            assert_eq!((from.as_str(), story["headline"].as_str()), ("primary", Some("While paused")));
        }
        let start = Instant::now();
        while metric(&app, "dateline_replica_usable{replica=\"0\"}").await != Some(0.0) {
            assert!(start.elapsed() < BOUND, "a lagging replica stays usable");
        }
        assert!(metric(&app, "dateline_replica_lag_seconds{replica=\"0\"}").await.unwrap() > 1.0);
    }
    .await;
    r.execute_unprepared("SELECT pg_wal_replay_resume()").await.unwrap();
    let () = paused;
    // Caught up, it answers again.
    let start = Instant::now();
    while read(&app, "/v1/articles/s", &[]).await.0 != "replica" {
        assert!(start.elapsed() < BOUND, "the replica never answered again");
    }
    assert_eq!(read(&app, "/v1/articles/s", &[]).await.1["headline"], "While paused");
}

#[actix_web::test]
async fn a_replica_that_is_down_is_skipped() {
    let (url, dir) = fresh_database().await;
    if !url.starts_with("postgres") {
        return;
    }
    let app = TestApp::spawn_with(url, dir, |c| {
        crate::common::uncached(c);
        c.db.database_replica_urls = vec!["postgres://postgres@127.0.0.1:1/nowhere".into()];
        c.db.replica_check_ms = 10;
    })
    .await;
    assert_eq!(app.backend(), DatabaseBackend::Postgres);
    app.story("s", "A story", Some(t0() - TimeDelta::hours(1)), Story::default()).await;
    for _ in 0..5 {
        let (from, story) = read(&app, "/v1/articles/s", &[]).await;
        assert_eq!((from.as_str(), story["headline"].as_str()), ("primary", Some("A story")));
    }
    let start = Instant::now();
    while metric(&app, "dateline_replica_usable{replica=\"0\"}").await != Some(0.0) {
        assert!(start.elapsed() < BOUND, "the replica that is down is never marked so");
    }
}
