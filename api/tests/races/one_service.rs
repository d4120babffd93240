//! Two `dateline serve` processes on one database, behind nothing, act as
//! one service: a comment posted through one reaches a WebSocket and an
//! event-stream subscriber of the other; a story updated through one is
//! not served stale by the other past the bound (PostgreSQL's notices; the
//! read cache's time to live elsewhere); a scheduled story is announced
//! once; each webhook delivery is sent once; and the two hold one rate
//! limit between them.

use crate::common::receiver::Receiver;
use crate::instances::Instances;
use futures_util::{SinkExt, StreamExt};
use sea_orm::{ColumnTrait, DatabaseBackend, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

const BURST: u32 = 30;
const TTL_MS: u64 = 1000;

/// A client address of its own for each request (one load balancer in
/// front appends it), so only the rate-limit part spends one budget.
fn fresh_address() -> String {
    static N: AtomicU32 = AtomicU32::new(1);
    let n = N.fetch_add(1, Ordering::SeqCst);
    format!("10.{}.{}.{}", (n >> 16) & 255, (n >> 8) & 255, n & 255)
}

struct Client {
    http: reqwest::Client,
    key: String,
}

impl Client {
    async fn get(&self, addr: &str, path: &str, from: &str) -> reqwest::Response {
        self.http.get(format!("http://{addr}{path}")).header("x-forwarded-for", from).send().await.unwrap()
    }

    async fn gql(&self, addr: &str, token: &str, query: &str, variables: Value) -> Value {
        let mut r =
            self.http.post(format!("http://{addr}/graphql")).header("x-forwarded-for", fresh_address());
        if !token.is_empty() {
            r = r.bearer_auth(token);
        }
        let r = r.json(&json!({ "query": query, "variables": variables })).send().await.unwrap();
        let v: Value = r.json().await.unwrap();
        assert!(v.get("errors").is_none(), "{v}");
        v["data"].clone()
    }

    /// A public GraphQL read by GET, as a CDN would send it.
    async fn headline(&self, addr: &str, slug: &str) -> String {
        let q = format!("{{ article(slug: \"{slug}\") {{ headline }} }}");
        let q: String = url::form_urlencoded::byte_serialize(q.as_bytes()).collect();
        let r = self
            .http
            .get(format!("http://{addr}/graphql?query={q}"))
            .header("x-forwarded-for", fresh_address())
            .send()
            .await
            .unwrap();
        let v: Value = r.json().await.unwrap();
        v["data"]["article"]["headline"].as_str().unwrap_or_else(|| panic!("{v}")).to_owned()
    }
}

fn percentile(mut d: Vec<Duration>, p: f64) -> Duration {
    d.sort();
    d[((d.len() - 1) as f64 * p).round() as usize]
}

#[actix_web::test]
async fn two_instances_act_as_one_service() {
    let (url, _dir) = crate::common::fresh_database().await;
    let receiver = Receiver::start();
    let ttl = TTL_MS.to_string();
    let burst = BURST.to_string();
    let mut two = Instances::start(
        &url,
        2,
        &[
            // SQLite's default keeps limits per instance; two processes on
            // one file share them through it when asked to.
            "--rate-limit-store",
            "database",
            "--live-poll-ms",
            "50",
            "--scheduler-poll-ms",
            "100",
            "--webhooks-poll-ms",
            "100",
            "--webhooks-allow-private",
            "true",
            "--trusted-proxies",
            "1",
            "--rate-limit-per-second",
            "1",
            "--rate-limit-burst",
            &burst,
            "--read-cache-ttl-ms",
            &ttl,
        ],
    );
    let (a, b) = (two.addrs[0].clone(), two.addrs[1].clone());
    let db = sea_orm::Database::connect(url.as_str()).await.unwrap();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let key = {
        use api::domain::accounts::{Scope, api_keys};
        api_keys::create(&db, "two instances", &Scope::ALL, None, chrono::Utc::now()).await.unwrap().1
    };
    let c = Client { http: reqwest::Client::new(), key };

    // A webhook endpoint, registered through B.
    let r = c
        .http
        .post(format!("http://{b}/v1/webhooks"))
        .header("x-forwarded-for", fresh_address())
        .bearer_auth(&c.key)
        .json(&json!({ "url": receiver.url, "events": ["article.published", "article.updated", "comment.created"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());

    // A demo story, a reader signed up through A.
    let list: Value = c.get(&a, "/v1/articles?limit=1", &fresh_address()).await.json().await.unwrap();
    let story = list["items"][0].clone();
    let (id, slug) = (story["id"].as_str().unwrap().to_owned(), story["slug"].as_str().unwrap().to_owned());
    let reader = c
        .gql(
            &a,
            "",
            "mutation($i: RegisterInput!) { register(input: $i) { token } }",
            json!({ "i": { "email": "reader@example.com", "password": "a long and unusual passphrase", "displayName": "Reader" } }),
        )
        .await["register"]["token"]
        .as_str()
        .unwrap()
        .to_owned();

    // 1. Live comments: an event stream and a WebSocket on B, a comment through A.
    let mut sse = c.get(&b, &format!("/v1/articles/{slug}/comments/stream"), &fresh_address()).await;
    assert_eq!(sse.status(), 200);
    let mut req = format!("ws://{b}/graphql/ws").into_client_request().unwrap();
    req.headers_mut().insert("sec-websocket-protocol", "graphql-transport-ws".parse().unwrap());
    req.headers_mut().insert("x-forwarded-for", fresh_address().parse().unwrap());
    let (mut ws, _) = tokio_tungstenite::connect_async(req).await.unwrap();
    ws.send(Message::text(json!({ "type": "connection_init" }).to_string())).await.unwrap();
    let ack = ws.next().await.unwrap().unwrap();
    assert!(ack.to_text().unwrap().contains("connection_ack"), "{ack}");
    let sub = json!({ "id": "1", "type": "subscribe", "payload": {
        "query": "subscription($a: ID!) { commentAdded(articleId: $a) { body { text } } }",
        "variables": { "a": id } } });
    ws.send(Message::text(sub.to_string())).await.unwrap();
    // The socket's subscription starts as its message is read, which the
    // protocol does not acknowledge: comments are posted until one arrives.
    let post = "mutation($i: PostCommentInput!) { postComment(input: $i) { comment { id } } }";
    let mut over_ws = None;
    for n in 0..10 {
        c.gql(&a, &reader, post, json!({ "i": { "articleId": id, "body": format!("through A {n}") } })).await;
        if let Ok(Some(Ok(m))) = tokio::time::timeout(Duration::from_millis(500), ws.next()).await {
            over_ws = Some(m.to_text().unwrap().to_owned());
            break;
        }
    }
    let over_ws = over_ws.expect("a comment through A reached B's WebSocket");
    assert!(over_ws.contains("through A"), "{over_ws}");
    // The stream answered once subscribed: it has the first comment.
    let mut buf = String::new();
    while !buf.contains("through A 0") {
        let chunk = tokio::time::timeout(Duration::from_secs(5), sse.chunk())
            .await
            .expect("the first comment through A reached B's event stream")
            .unwrap()
            .unwrap();
        buf.push_str(std::str::from_utf8(&chunk).unwrap());
    }

    // 2. A story updated through A is not served stale by B past the bound.
    let notices = db.get_database_backend() == DatabaseBackend::Postgres;
    let bound = if notices { Duration::from_millis(500) } else { Duration::from_millis(TTL_MS + 500) };
    let mut took = Vec::new();
    for i in 0..10 {
        c.headline(&b, &slug).await;
        let want = format!("Updated {i}");
        let r = c
            .http
            .patch(format!("http://{a}/v1/articles/{id}"))
            .header("x-forwarded-for", fresh_address())
            .bearer_auth(&c.key)
            .json(&json!({ "headline": want }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let start = Instant::now();
        while c.headline(&b, &slug).await != want {
            assert!(start.elapsed() < bound, "B still served the old headline after {bound:?}");
        }
        took.push(start.elapsed());
    }
    println!(
        "B served A's update after p50 {:?}, p99 {:?} ({})",
        percentile(took.clone(), 0.5),
        percentile(took, 0.99),
        if notices { "notices" } else { "time to live" }
    );

    // 3. A story scheduled through A is announced once.
    let created = c
        .gql(
            &a,
            &c.key.clone(),
            "mutation($i: ArticleInput!) { createArticle(input: $i) { article { id uuid } } }",
            json!({ "i": { "slug": "scheduled", "headline": "Scheduled", "bodyMarkdown": "Soon." } }),
        )
        .await;
    let gid = created["createArticle"]["article"]["id"].as_str().unwrap().to_owned();
    let uuid = created["createArticle"]["article"]["uuid"].as_str().unwrap().to_owned();
    let at = (chrono::Utc::now() + chrono::TimeDelta::milliseconds(800)).to_rfc3339();
    c.gql(
        &a,
        &c.key.clone(),
        "mutation($id: ID!, $at: DateTime) { publishArticle(id: $id, at: $at) { article { status } } }",
        json!({ "id": gid, "at": at }),
    )
    .await;
    let start = Instant::now();
    let announced = loop {
        let feed: Value = c
            .http
            .get(format!("http://{b}/v1/sync?limit=500"))
            .header("x-forwarded-for", fresh_address())
            .bearer_auth(&c.key)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let n = feed["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["id"] == uuid.as_str() && e["event"] == "PUBLISHED")
            .count();
        if n > 0 {
            break n;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "never announced: {feed}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(announced, 1, "announced once");

    // 4. Every delivery is sent once: once none waits, the receiver has each id once.
    use entity::webhook_delivery::{Column, DeliveryStatus, Entity};
    let start = Instant::now();
    let deliveries = loop {
        let all = Entity::find().all(&db).await.unwrap();
        if all.iter().any(|d| d.event_type == "article.published")
            && all.iter().all(|d| d.status == DeliveryStatus::Delivered)
        {
            break all;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "deliveries still waiting: {all:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let got = receiver.received();
    let mut ids: Vec<&str> = got.iter().map(|r| r.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), got.len(), "no delivery was sent twice");
    assert_eq!(got.len(), deliveries.len(), "every delivery was sent");
    assert!(deliveries.iter().all(|d| d.attempts == 1));
    let published = Entity::find().filter(Column::EventType.eq("article.published")).all(&db).await.unwrap();
    assert_eq!(published.len(), 1, "the scheduled story's webhook, once");

    // 5. One rate limit between them: one address, alternating instances,
    // paced so that each learns the other's spends (every 50 ms) as it goes.
    let start = Instant::now();
    let mut admitted = 0;
    for n in 0..100 {
        let addr = if n % 2 == 0 { &a } else { &b };
        let status = c.get(addr, "/v1/sections", "198.51.100.7").await.status().as_u16();
        assert!(status == 200 || status == 429, "{status}");
        admitted += u32::from(status == 200);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let refilled = start.elapsed().as_secs() as u32 + 1;
    println!("one address, two instances: {admitted} of 100 admitted (burst {BURST}, {refilled} s)");
    assert!(admitted >= BURST, "{admitted}");
    // Alone, each would admit the whole burst: 2 × 30 and more.
    assert!(admitted <= BURST + refilled + 10, "{admitted} admitted: the instances did not share the limit");
    assert!(two.all_running());
}
