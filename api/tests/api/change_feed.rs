//! The change feed as integrators read it: `GET /v1/sync` and GraphQL
//! `changes`, every editorial event, drafts kept from public readers,
//! cursors that resume exactly even while writes commit out of order, and
//! scheduled stories announced once when their time comes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{TestApp, error_code};
use chrono::TimeDelta;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use std::collections::HashMap;

struct Desk<'a> {
    app: &'a TestApp,
    key: String,
}

impl<'a> Desk<'a> {
    async fn new(app: &'a TestApp) -> Self {
        Self { app, key: app.key(&["content:write", "content:read-drafts"]).await }
    }

    async fn send(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let (status, _, v) = self.app.call(method, path, Some(&self.key), body, &[]).await;
        assert!(status < 300, "{method} {path}: {status} {v}");
        v
    }

    async fn create(&self, slug: &str) -> String {
        let v = self
            .send("POST", "/v1/articles", Some(json!({ "slug": slug, "headline": format!("Story {slug}"), "bodyMarkdown": "First words." })))
            .await;
        v["id"].as_str().unwrap().to_owned()
    }

    async fn publish(&self, id: &str) {
        self.send("POST", &format!("/v1/articles/{id}/publish"), None).await;
    }
}

/// Every page of the feed after `cursor`, applied to `copy` the way an
/// integrator would: documents upserted, tombstones removed. Returns the
/// cursor to resume from and the entries seen.
async fn drain(
    app: &TestApp,
    key: &str,
    cursor: &mut Option<String>,
    limit: u32,
    copy: &mut HashMap<String, Value>,
) -> Vec<Value> {
    let mut seen = Vec::new();
    loop {
        let mut path = format!("/v1/sync?limit={limit}");
        if let Some(c) = cursor.as_deref() {
            path.push_str(&format!("&cursor={c}"));
        }
        let (status, _, page) = app.call("GET", &path, Some(key), None, &[]).await;
        assert_eq!(status, 200, "{page}");
        for item in page["items"].as_array().unwrap() {
            if item["entity"] == "article" {
                let id = item["id"].as_str().unwrap().to_owned();
                match item.get("article") {
                    Some(doc) => {
                        copy.insert(id, doc.clone());
                    }
                    None => {
                        copy.remove(&id);
                    }
                }
            }
            seen.push(item.clone());
        }
        *cursor = Some(page["nextCursor"].as_str().unwrap().to_owned());
        if !page["hasMore"].as_bool().unwrap() {
            return seen;
        }
    }
}

/// What a public reader sees: every public story as `GET /v1/articles/{id}`
/// shows it.
async fn public_state(app: &TestApp) -> HashMap<String, Value> {
    let mut out = HashMap::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/articles?limit=100&cursor={c}"),
            None => "/v1/articles?limit=100".to_owned(),
        };
        let (_, page) = app.get_json(&path).await;
        for a in page["items"].as_array().unwrap() {
            let id = a["id"].as_str().unwrap();
            let (status, full) = app.get_json(&format!("/v1/articles/{id}")).await;
            assert_eq!(status, 200);
            out.insert(id.to_owned(), full);
        }
        match page["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return out,
        }
    }
}

#[actix_web::test]
async fn every_editorial_event_in_order_with_documents_and_tombstones() {
    let app = TestApp::spawn().await;
    let desk = Desk::new(&app).await;
    let reader = app.key(&["sync:read"]).await;
    let drafts_reader = app.key(&["sync:read", "content:read-drafts"]).await;

    let id = desk.create("budget-vote").await;
    let draft_only = desk.create("never-published").await;
    app.clock_tick();
    desk.publish(&id).await;
    app.clock_tick();
    desk.send("PATCH", &format!("/v1/articles/{id}"), Some(json!({ "headline": "Budget passes" }))).await;
    app.clock_tick();
    desk.send(
        "POST",
        &format!("/v1/articles/{id}/corrections"),
        Some(json!({ "text": "An earlier version gave the wrong total." })),
    )
    .await;
    let (_, current) = app.get_json(&format!("/v1/articles/{id}")).await;

    // A public reader: the draft never appears; the story's entries fold
    // into its last one, with the document exactly as the article endpoint
    // shows it now.
    let mut copy = HashMap::new();
    let mut cursor = None;
    let seen = drain(&app, &reader, &mut cursor, 100, &mut copy).await;
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0]["event"], "CORRECTED");
    assert_eq!(seen[0]["entity"], "article");
    assert_eq!(seen[0]["id"], id.as_str());
    assert_eq!(seen[0]["article"], current);
    assert_eq!(current["corrections"][0]["text"], "An earlier version gave the wrong total.");
    assert!(seen.iter().all(|e| e["id"] != draft_only.as_str()));

    // Page by page (one entry each), nothing folds: every event in order.
    let mut one_by_one = HashMap::new();
    let mut c1 = None;
    let events: Vec<Value> =
        drain(&app, &reader, &mut c1, 1, &mut one_by_one).await.iter().map(|e| e["event"].clone()).collect();
    assert_eq!(events, vec![json!("PUBLISHED"), json!("UPDATED"), json!("CORRECTED")]);

    // Unpublish, publish again, delete: tombstones carry no document, and
    // unpublishing and deleting stay apart.
    app.clock_tick();
    desk.send("POST", &format!("/v1/articles/{id}/unpublish"), None).await;
    let more = drain(&app, &reader, &mut cursor, 100, &mut copy).await;
    assert_eq!(more.len(), 1);
    assert_eq!(more[0]["event"], "UNPUBLISHED");
    assert!(more[0].get("article").is_none(), "{}", more[0]);
    assert!(copy.is_empty());
    desk.publish(&id).await;
    desk.send("DELETE", &format!("/v1/articles/{id}"), None).await;
    // Republished, then deleted: the PUBLISHED entry has no document left
    // to show, so it is folded away; the DELETED entry after it says why.
    let (_, _, page) = app
        .call(
            "GET",
            &format!("/v1/sync?cursor={}&limit=1", cursor.clone().unwrap()),
            Some(&reader),
            None,
            &[],
        )
        .await;
    assert_eq!(page["items"], json!([]), "{page}");
    assert_eq!(page["hasMore"], true);
    let more = drain(&app, &reader, &mut cursor, 100, &mut copy).await;
    assert_eq!(more.last().unwrap()["event"], "DELETED");
    assert!(copy.is_empty());

    // A reader with drafts sees the draft as well.
    let mut all = HashMap::new();
    let seen = drain(&app, &drafts_reader, &mut None, 100, &mut all).await;
    assert!(
        seen.iter().any(|e| e["id"] == draft_only.as_str() && e["article"]["status"] == "DRAFT"),
        "{seen:?}"
    );
    assert_eq!(all.keys().cloned().collect::<Vec<_>>(), vec![draft_only.clone()]);

    // Taxonomy changes are entries too.
    let (status, _, _) = app
        .call(
            "POST",
            "/v1/sections",
            Some(&desk.key),
            Some(json!({ "slug": "politics", "name": "Politics" })),
            &[],
        )
        .await;
    assert_eq!(status, 201);
    let more = drain(&app, &reader, &mut cursor, 100, &mut copy).await;
    assert_eq!(more.len(), 1);
    assert_eq!((more[0]["entity"].as_str(), more[0]["event"].as_str()), (Some("section"), Some("UPSERTED")));
    assert_eq!(more[0]["section"]["slug"], "politics");

    // Taken back, then deleted: the public hears of both, so a copy that
    // kept withdrawn stories knows this one is gone for good. A draft that
    // was never public goes without a word.
    let withdrawn = desk.create("withdrawn").await;
    desk.publish(&withdrawn).await;
    desk.send("POST", &format!("/v1/articles/{withdrawn}/unpublish"), None).await;
    let more = drain(&app, &reader, &mut cursor, 100, &mut copy).await;
    assert_eq!(more.last().unwrap()["event"], "UNPUBLISHED", "{more:?}");
    desk.send("DELETE", &format!("/v1/articles/{withdrawn}"), None).await;
    desk.send("DELETE", &format!("/v1/articles/{draft_only}"), None).await;
    let more = drain(&app, &reader, &mut cursor, 100, &mut copy).await;
    assert_eq!(more.len(), 1, "{more:?}");
    assert_eq!(
        (more[0]["event"].as_str(), more[0]["id"].as_str()),
        (Some("DELETED"), Some(withdrawn.as_str()))
    );
    assert!(more[0].get("article").is_none());

    // Nothing new: an empty page that keeps the cursor.
    let (_, _, page) = app
        .call("GET", &format!("/v1/sync?cursor={}", cursor.clone().unwrap()), Some(&reader), None, &[])
        .await;
    assert_eq!(page["items"], json!([]));
    assert_eq!(page["hasMore"], false);
    assert_eq!(page["nextCursor"].as_str(), cursor.as_deref());
}

#[actix_web::test]
async fn the_feed_refuses_callers_and_input_it_should() {
    let app = TestApp::spawn().await;
    let writer = app.key(&["content:write"]).await;
    let reader = app.key(&["sync:read"]).await;
    let (status, _, body) = app.call("GET", "/v1/sync", None, None, &[]).await;
    assert_eq!((status, body["code"].as_str()), (401, Some("UNAUTHENTICATED")));
    let (status, _, body) = app.call("GET", "/v1/sync", Some(&writer), None, &[]).await;
    assert_eq!((status, body["code"].as_str()), (403, Some("FORBIDDEN")));
    for bad in ["limit=0", "limit=1001", "limit=x", "cursor=zzz", "cursor=czE6LTE", "cursor=%00"] {
        let (status, headers, body) =
            app.call("GET", &format!("/v1/sync?{bad}"), Some(&reader), None, &[]).await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert_eq!(headers["content-type"], "application/problem+json", "{bad}");
    }
    let r = app.gql("{ changes { edges { cursor } } }", json!({})).await;
    assert_eq!(error_code(&r), "UNAUTHENTICATED", "{r}");
    let r = app.gql_as(Some(&reader), "{ changes(first: 0) { edges { cursor } } }", json!({})).await;
    assert_eq!(error_code(&r), "BAD_USER_INPUT", "{r}");
}

#[actix_web::test]
async fn graphql_changes_match_the_rest_feed() {
    let app = TestApp::spawn().await;
    let desk = Desk::new(&app).await;
    let reader = app.key(&["sync:read"]).await;
    for slug in ["one", "two", "three"] {
        let id = desk.create(slug).await;
        desk.publish(&id).await;
    }
    let q = r#"query($after: String) { changes(first: 2, after: $after) {
        edges { cursor node { entity event id externalId article { slug headline status } } }
        pageInfo { hasNextPage endCursor } } }"#;
    let r = app.gql_as(Some(&reader), q, json!({})).await;
    let c = &r["data"]["changes"];
    assert_eq!(c["edges"].as_array().unwrap().len(), 2, "{r}");
    assert_eq!(c["pageInfo"]["hasNextPage"], true);
    assert_eq!(c["edges"][0]["node"]["event"], "PUBLISHED");
    assert_eq!(c["edges"][0]["node"]["article"]["slug"], "one");
    let r = app.gql_as(Some(&reader), q, json!({ "after": c["pageInfo"]["endCursor"] })).await;
    let c = &r["data"]["changes"];
    assert_eq!(c["edges"][0]["node"]["article"]["slug"], "three", "{r}");
    assert_eq!(c["pageInfo"]["hasNextPage"], false);
    // The same cursors as REST.
    let (_, _, page) = app.call("GET", "/v1/sync?limit=3", Some(&reader), None, &[]).await;
    assert_eq!(page["items"][2]["cursor"], c["edges"][0]["cursor"]);
}

/// The classic bug: a transaction that took its number first but commits
/// last. Here it cannot happen: a second writer waits for the first to
/// commit before it takes a number, so no reader sees number 2 while
/// number 1 is still to come.
/// Returns once a request of `app` waits for a lock another transaction
/// holds: a lock wait the server shows, or on SQLite (whose writer waits
/// inside its busy handler, unseen) once the request is past its
/// authentication read, with nothing left to do but wait for the lock.
async fn waits_for_a_lock(app: &TestApp) {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let probe = match app.backend() {
        DbBackend::Postgres => Some(
            "SELECT count(*) AS n FROM pg_stat_activity \
             WHERE datname = current_database() AND wait_event_type = 'Lock'",
        ),
        // A statement of this database running for a while: in this test,
        // only one waiting for a row lock does (INNODB_TRX lags behind).
        DbBackend::MySql => Some(
            "SELECT count(*) AS n FROM information_schema.PROCESSLIST \
             WHERE DB = DATABASE() AND ID <> CONNECTION_ID() AND INFO IS NOT NULL AND TIME_MS > 20",
        ),
        _ => None,
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let waiting = match probe {
            Some(sql) => {
                let row = app
                    .state
                    .db
                    .query_one_raw(Statement::from_string(app.backend(), sql))
                    .await
                    .unwrap()
                    .unwrap();
                row.try_get::<i64>("", "n").unwrap() > 0
            }
            None => app.state.statements.recorded().iter().any(|s| s.contains("api_key")),
        };
        if waiting {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "no request came to wait for the lock");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

#[actix_web::test]
async fn a_slow_transaction_is_never_skipped() {
    use api::domain::accounts::{Actor, Scope};
    use api::domain::taxonomy::write::{TermInput, save_tag};
    use sea_orm::TransactionTrait;
    let app = TestApp::spawn().await;
    let desk = Desk::new(&app).await;
    let reader = app.key(&["sync:read"]).await;
    let fast = desk.create("fast-story").await;

    // A slow transaction writes a tag (with its feed entry) and holds on.
    let slow = app.state.db.begin().await.unwrap();
    let desk_actor = Actor::api_key(uuid::Uuid::nil(), vec![Scope::ContentWrite]);
    let input = TermInput { slug: Some("slow".into()), name: Some("Slow".into()), ..Default::default() };
    let slow_id = save_tag(&slow, &desk_actor, None, input, app.state.clock.now()).await.unwrap().id;

    // A fast writer publishes meanwhile; it must wait for the slow one.
    app.state.statements.record(true);
    let publishing = {
        let addr = app.addr.clone();
        let key = desk.key.clone();
        let fast = fast.clone();
        tokio::spawn(async move {
            reqwest::Client::new()
                .post(format!("{addr}/v1/articles/{fast}/publish"))
                .bearer_auth(key)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        })
    };
    waits_for_a_lock(&app).await;
    let (_, _, page) = app.call("GET", "/v1/sync", Some(&reader), None, &[]).await;
    assert_eq!(page["items"], json!([]), "nothing is readable before the slow transaction commits: {page}");
    assert!(!publishing.is_finished(), "the second writer waits for the first");
    slow.commit().await.unwrap();
    assert_eq!(publishing.await.unwrap(), 200);
    let (_, _, page) = app.call("GET", "/v1/sync", Some(&reader), None, &[]).await;
    let ids: Vec<&str> =
        page["items"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec![slow_id.to_string().as_str(), fast.as_str()], "in commit order: {page}");
}

#[actix_web::test]
async fn a_scheduled_story_is_announced_once_when_its_time_comes() {
    let app = TestApp::spawn().await;
    let desk = Desk::new(&app).await;
    let reader = app.key(&["sync:read"]).await;
    let id = desk.create("dawn-briefing").await;
    let at = app.state.clock.now() + TimeDelta::hours(1);
    desk.send("POST", &format!("/v1/articles/{id}/publish"), Some(json!({ "at": at }))).await;
    let (_, _, page) = app.call("GET", "/v1/sync", Some(&reader), None, &[]).await;
    assert_eq!(page["items"], json!([]), "not before its time");
    assert_eq!(
        api::domain::sync::schedule::announce_due(&app.state.db, app.state.clock.now()).await.unwrap(),
        0
    );

    // Its time comes; several instances race to announce it.
    app.state.clock.advance(TimeDelta::hours(1));
    let now = app.state.clock.now();
    let racers: Vec<_> = (0..4)
        .map(|_| {
            let db = app.state.db.clone();
            tokio::spawn(async move { api::domain::sync::schedule::announce_due(&db, now).await.unwrap() })
        })
        .collect();
    let mut announced = 0;
    for r in racers {
        announced += r.await.unwrap();
    }
    assert_eq!(announced, 1);
    let (_, _, page) = app.call("GET", "/v1/sync", Some(&reader), None, &[]).await;
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{page}");
    assert_eq!(items[0]["event"], "PUBLISHED");
    assert_eq!(items[0]["article"]["status"], "PUBLISHED");
    assert_eq!(
        items[0]["at"].as_str().map(|s| s.starts_with(&at.format("%Y-%m-%dT%H:%M:%S").to_string())),
        Some(true)
    );
}

#[actix_web::test]
async fn the_scheduler_runs_by_itself_in_two_instances() {
    let (url, dir) = crate::common::fresh_database().await;
    let first = TestApp::spawn_with(url.clone(), dir, |c| c.workers.scheduler_poll_ms = 20).await;
    let second = TestApp::spawn_with(url, None, |c| c.workers.scheduler_poll_ms = 20).await;
    let desk = Desk::new(&first).await;
    let reader = first.key(&["sync:read"]).await;
    let mut ids = Vec::new();
    for i in 0..5 {
        let id = desk.create(&format!("morning-{i}")).await;
        let at = first.state.clock.now() + TimeDelta::minutes(10 + i);
        desk.send("POST", &format!("/v1/articles/{id}/publish"), Some(json!({ "at": at }))).await;
        ids.push(id);
    }
    // Both instances' clocks move on; no request is made.
    first.state.clock.advance(TimeDelta::hours(1));
    second.state.clock.advance(TimeDelta::hours(1));
    let mut published = Vec::new();
    for _ in 0..100 {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let (_, _, page) = first.call("GET", "/v1/sync?limit=100", Some(&reader), None, &[]).await;
        published = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["event"] == "PUBLISHED")
            .map(|e| e["id"].as_str().unwrap().to_owned())
            .collect();
        if published.len() >= 5 {
            break;
        }
    }
    // Both schedulers stop after their current step; then nothing else can
    // be announced, and what is in the feed is all there will be.
    assert!(first.workers.stop(std::time::Duration::from_secs(10)).await);
    assert!(second.workers.stop(std::time::Duration::from_secs(10)).await);
    let (_, _, page) = first.call("GET", "/v1/sync?limit=100", Some(&reader), None, &[]).await;
    let all: Vec<String> =
        page["items"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(all.len(), 5, "each story announced exactly once: {page}");
    let mut sorted = published.clone();
    sorted.sort();
    let mut expected = ids.clone();
    expected.sort();
    assert_eq!(sorted, expected);
}

/// A random editorial history written by concurrent desks while a consumer
/// pages through the feed: the consumer ends with exactly the public
/// stories, field for field.
#[actix_web::test]
async fn replay_with_concurrent_writers_rebuilds_the_public_state() {
    let app = TestApp::spawn().await;
    let reader = app.key(&["sync:read"]).await;
    let drafts_reader = app.key(&["sync:read", "content:read-drafts"]).await;
    let key = app.key(&["content:write", "content:read-drafts"]).await;

    let mut writers = Vec::new();
    for w in 0..4u64 {
        let addr = app.addr.clone();
        let key = key.clone();
        writers.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(w);
            let mut mine: Vec<String> = Vec::new();
            for step in 0..30 {
                let send = |method: reqwest::Method, path: String, body: Option<Value>| {
                    let mut r = client.request(method, format!("{addr}{path}")).bearer_auth(&key);
                    if let Some(b) = body {
                        r = r.json(&b);
                    }
                    r.send()
                };
                let op = if mine.is_empty() { 0 } else { rng.random_range(0..8) };
                let pick = if mine.is_empty() { String::new() } else { mine[rng.random_range(0..mine.len())].clone() };
                match op {
                    0 | 1 => {
                        let slug = format!("w{w}-s{step}");
                        let r = send(reqwest::Method::POST, "/v1/articles".into(), Some(json!({ "slug": slug, "headline": format!("Story {slug}"), "bodyMarkdown": "Words." }))).await.unwrap();
                        let v: Value = r.json().await.unwrap();
                        mine.push(v["id"].as_str().unwrap().to_owned());
                    }
                    2 | 3 => {
                        send(reqwest::Method::POST, format!("/v1/articles/{pick}/publish"), None).await.unwrap();
                    }
                    4 => {
                        send(reqwest::Method::PATCH, format!("/v1/articles/{pick}"), Some(json!({ "headline": format!("Revised {w}-{step}"), "dek": "Now with a dek" }))).await.unwrap();
                    }
                    5 => {
                        send(reqwest::Method::POST, format!("/v1/articles/{pick}/corrections"), Some(json!({ "text": format!("Correction {step}") }))).await.unwrap();
                    }
                    6 => {
                        send(reqwest::Method::POST, format!("/v1/articles/{pick}/unpublish"), None).await.unwrap();
                    }
                    _ => {
                        if rng.random_bool(0.5) {
                            send(reqwest::Method::DELETE, format!("/v1/articles/{pick}"), None).await.unwrap();
                            mine.retain(|m| *m != pick);
                        } else {
                            // Scheduled a minute ahead: due once the clock moves.
                            let at = chrono::Utc::now().max(crate::common::t0()) + TimeDelta::days(400);
                            send(reqwest::Method::POST, format!("/v1/articles/{pick}/publish"), Some(json!({ "at": at }))).await.unwrap();
                        }
                    }
                }
            }
        }));
    }

    // The consumer pages through while the desks write.
    let mut copy = HashMap::new();
    let mut cursor = None;
    let mut all = HashMap::new();
    let mut drafts_cursor = None;
    while writers.iter().any(|w| !w.is_finished()) {
        drain(&app, &reader, &mut cursor, 7, &mut copy).await;
        drain(&app, &drafts_reader, &mut drafts_cursor, 5, &mut all).await;
    }
    for w in writers {
        w.await.unwrap();
    }
    // Scheduled stories come due, and the scheduler announces them.
    app.state.clock.advance(TimeDelta::days(800));
    api::domain::sync::schedule::announce_due(&app.state.db, app.state.clock.now()).await.unwrap();
    drain(&app, &reader, &mut cursor, 7, &mut copy).await;
    drain(&app, &drafts_reader, &mut drafts_cursor, 5, &mut all).await;

    let expected = public_state(&app).await;
    assert!(expected.len() > 5, "the history should leave some stories public ({})", expected.len());
    let mut got: Vec<_> = copy.keys().cloned().collect();
    let mut want: Vec<_> = expected.keys().cloned().collect();
    got.sort();
    want.sort();
    assert_eq!(got, want, "the consumer holds exactly the public stories");
    for (id, doc) in &expected {
        assert_eq!(&copy[id], doc, "story {id} field for field");
    }
    // The drafts reader holds every story that exists.
    use sea_orm::{EntityTrait, PaginatorTrait};
    let existing = entity::article::Entity::find().count(&app.state.db).await.unwrap();
    assert_eq!(all.len() as u64, existing);
}

/// A feed page costs the same statements whether it holds 3 stories or 30,
/// in REST and GraphQL.
#[actix_web::test]
async fn a_feed_page_costs_a_fixed_number_of_statements() {
    let app = TestApp::spawn().await;
    let desk = Desk::new(&app).await;
    let reader = app.key(&["sync:read"]).await;
    let story =
        crate::common::Story { section: Some("world"), tags: &["a", "b"], authors: &["x", "y"], body: None };
    for i in 0..30 {
        app.story(&format!("story-{i}"), "A story", Some(app.state.clock.now()), story).await;
    }
    let _ = &desk;
    let rest = |n: u32| {
        let (app, reader) = (&app, reader.clone());
        async move {
            let (status, _, page) =
                app.call("GET", &format!("/v1/sync?limit={n}"), Some(&reader), None, &[]).await;
            assert_eq!(status, 200);
            page["items"].as_array().unwrap().iter().filter(|i| i["entity"] == "article").count()
        }
    };
    // The key is checked once per request, outside the feed's own statements.
    let (small, few) = app.statements_of(rest(8)).await;
    let (large, many) = app.statements_of(rest(1000)).await;
    assert!(small < large && large >= 30, "{small} {large}");
    assert_eq!(few.len(), many.len(), "{few:#?}\n{many:#?}");
    assert!(many.len() <= 9, "{many:#?}");

    let q = |n: u32| {
        format!(
            "{{ changes(first: {n}) {{ edges {{ node {{ event article {{ headline url body {{ html }} authors {{ name }} tags {{ name }} section {{ name }} }} }} }} }} }}"
        )
    };
    let (r, few) = app.statements_of(app.gql_as(Some(&reader), &q(8), json!({}))).await;
    assert!(r["errors"].is_null(), "{r}");
    let (r, many) = app.statements_of(app.gql_as(Some(&reader), &q(100), json!({}))).await;
    assert!(r["errors"].is_null(), "{r}");
    assert_eq!(few.len(), many.len(), "{few:#?}\n{many:#?}");
}
