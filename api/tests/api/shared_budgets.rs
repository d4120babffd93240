//! Rate budgets shared by instances: two instances on one database (or one
//! Redis) admit about the configured limit between them, not twice it; a
//! store that does not answer leaves each instance limiting alone and
//! refuses no request for it. The sync worker is driven by its step.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{TestApp, fresh_database};
use api::config::{BudgetStore, Config};
use api::workers::budget_sync::{BudgetSync, Synced};
use sea_orm::ConnectionTrait;
use std::sync::Arc;
use std::time::{Duration, Instant};

const BURST: u32 = 20;

fn tight(store: BudgetStore, redis: Option<String>) -> impl Fn(&mut Config) + Clone {
    // Each test's keys of its own in a Redis every test shares.
    let prefix = format!("dateline-test-{}:", uuid::Uuid::new_v4().simple());
    move |c: &mut Config| {
        c.http.rate_limit_per_second = 1;
        c.http.rate_limit_burst = BURST;
        c.http.rate_limit_store = store;
        c.http.rate_limit_sync_ms = 0;
        c.http.redis_url = redis.clone().map(secrecy::SecretString::from);
        c.http.redis_key_prefix.clone_from(&prefix);
    }
}

fn sync(app: &TestApp) -> BudgetSync {
    let store = app.state.budget_store.clone().expect("a shared store");
    BudgetSync::new(Arc::clone(&app.state.ledger), store, app.state.budget_store_up.clone(), Duration::ZERO)
}

async fn pair(store: BudgetStore, redis: Option<String>) -> (TestApp, TestApp) {
    let (url, dir) = fresh_database().await;
    let change = tight(store, redis);
    let a = TestApp::spawn_with(url.clone(), dir, change.clone()).await;
    let b = TestApp::spawn_with(url, None, change).await;
    (a, b)
}

/// Requests from one address through A and B in turn, each instance
/// syncing after its request, until 60 were sent; how many were admitted,
/// and the seconds it took (the budget refills by one a second).
async fn race(a: &TestApp, b: &TestApp) -> (u32, u64) {
    let (mut sa, mut sb) = (sync(a), sync(b));
    let start = Instant::now();
    let mut admitted = 0;
    for i in 0..60 {
        let (app, s) = if i % 2 == 0 { (a, &mut sa) } else { (b, &mut sb) };
        let status = app.get("/v1/sections").await.status().as_u16();
        assert!(status == 200 || status == 429, "{status}");
        admitted += u32::from(status == 200);
        assert_ne!(s.step().await, Synced::Unreachable);
    }
    (admitted, start.elapsed().as_secs() + 1)
}

#[actix_web::test]
async fn two_instances_on_one_database_admit_the_limit_between_them() {
    let (a, b) = pair(BudgetStore::Database, None).await;
    let (admitted, secs) = race(&a, &b).await;
    // The burst, what each instance admits before it learns the other's
    // last spend, and what the seconds refilled.
    assert!(admitted >= BURST, "{admitted}");
    assert!(admitted <= BURST + 2 + secs as u32, "{admitted} admitted in {secs} s");
}

#[actix_web::test]
async fn alone_each_instance_would_admit_the_whole_limit() {
    let (a, b) = pair(BudgetStore::Local, None).await;
    let start = Instant::now();
    let mut admitted = 0;
    for i in 0..60 {
        let app = if i % 2 == 0 { &a } else { &b };
        admitted += u32::from(app.get("/v1/sections").await.status() == 200);
    }
    assert!(a.state.budget_store.is_none());
    assert!(admitted >= 2 * BURST, "{admitted} in {:?}", start.elapsed());
}

#[actix_web::test]
async fn two_instances_on_one_redis_admit_the_limit_between_them() {
    let redis = crate::common::redis_url();
    let (a, b) = pair(BudgetStore::Redis, Some(redis)).await;
    let (admitted, secs) = race(&a, &b).await;
    assert!(admitted >= BURST, "{admitted}");
    assert!(admitted <= BURST + 2 + secs as u32, "{admitted} admitted in {secs} s");
}

#[actix_web::test]
async fn a_store_that_does_not_answer_leaves_each_instance_limiting_alone() {
    // Nothing listens on port 1.
    let (a, _b) = pair(BudgetStore::Redis, Some("redis://127.0.0.1:1/0".into())).await;
    let mut s = sync(&a);
    let mut admitted = 0;
    for _ in 0..(BURST + 5) {
        let status = a.get("/v1/sections").await.status().as_u16();
        assert!(status == 200 || status == 429, "{status}");
        admitted += u32::from(status == 200);
    }
    assert_eq!(s.step().await, Synced::Unreachable);
    assert!((BURST..=BURST + 2).contains(&admitted), "the instance's own limit holds: {admitted}");
    assert_eq!(s.step().await, Synced::Nothing);
    // Still limited, still answering, still unreachable.
    assert_eq!(a.get("/v1/sections").await.status(), 429);
    assert_eq!(s.step().await, Synced::Nothing, "a refusal spends nothing");
    let metrics = a.get("/metrics").await.text().await.unwrap();
    assert!(metrics.contains("dateline_rate_budget_store_up 0"), "{metrics}");
}

/// Four instances sending spends of the same fifty callers at once, each
/// in its own order of spending: the store's rows are written in one key
/// order, so no send fails (a deadlock would be a failed send), and every
/// spend is counted: each caller's shared time is ahead by all four
/// instances' spends.
#[actix_web::test]
async fn instances_sending_the_same_callers_at_once_all_count() {
    use api::domain::budget::{Rate, ledger};
    let (url, dir) = fresh_database().await;
    let change = tight(BudgetStore::Database, None);
    let first = TestApp::spawn_with(url.clone(), dir, change.clone()).await;
    let mut apps = vec![first];
    for _ in 0..3 {
        apps.push(TestApp::spawn_with(url.clone(), None, change.clone()).await);
    }
    // One second per spend, a burst far above what is spent here.
    let rate = Rate::new(1, 1, 1_000).unwrap();
    let keys: Vec<String> = (0..50).map(|i| format!("race:{i}")).collect();
    let start = ledger::now();
    let rounds = 5;
    for round in 0..rounds {
        for (n, app) in apps.iter().enumerate() {
            // Each instance spends in an order of its own.
            for k in keys.iter().cycle().skip((n * 13 + round * 7) % keys.len()).take(keys.len()) {
                app.state.ledger.spend(k, rate, 1, ledger::now()).unwrap();
            }
        }
        let mut syncs: Vec<BudgetSync> = apps.iter().map(sync).collect();
        let sent = futures_util::future::join_all(syncs.iter_mut().map(|s| s.step())).await;
        assert!(sent.iter().all(|s| *s == Synced::Sent(keys.len())), "{sent:?}");
    }
    let end = ledger::now();
    let rows = apps[0]
        .state
        .db
        .query_all_raw(sea_orm::Statement::from_string(
            apps[0].backend(),
            "SELECT budget_key, tat FROM rate_budget WHERE budget_key LIKE 'race:%'",
        ))
        .await
        .unwrap();
    assert_eq!(rows.len(), keys.len());
    let spends = (apps.len() * rounds) as i64 * rate.interval;
    for row in rows {
        let tat: i64 = row.try_get("", "tat").unwrap();
        assert!(
            tat >= start + spends && tat <= end + spends,
            "every spend counted once: {tat} vs {start}+{spends}"
        );
    }
}
