//! Live comments: a graphql-transport-ws client and a Server-Sent Events
//! client receive a comment posted over HTTP, never receive a pending one
//! meant for someone else, get it once approved, and an event stream
//! resumes from Last-Event-ID without gaps or repeats.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{Story, TestApp, t0};
use chrono::TimeDelta;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub(crate) async fn live_app() -> TestApp {
    TestApp::spawn_configured(|c| c.live.live_poll_ms = 20).await
}

async fn connect(app: &TestApp, token: Option<&str>) -> Ws {
    let url = format!("{}/graphql/ws", app.addr.replace("http://", "ws://"));
    let mut req = url.into_client_request().unwrap();
    req.headers_mut().insert("sec-websocket-protocol", "graphql-transport-ws".parse().unwrap());
    let (mut ws, resp) = tokio_tungstenite::connect_async(req).await.unwrap();
    assert_eq!(resp.headers()["sec-websocket-protocol"], "graphql-transport-ws");
    let payload = token.map_or(json!({}), |t| json!({ "Authorization": format!("Bearer {t}") }));
    ws.send(Message::text(json!({ "type": "connection_init", "payload": payload }).to_string()))
        .await
        .unwrap();
    let ack = next_json(&mut ws).await.unwrap();
    assert_eq!(ack["type"], "connection_ack", "{ack}");
    ws
}

async fn next_json(ws: &mut Ws) -> Option<Value> {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(5), ws.next()).await.ok()??.ok()?;
        match msg {
            Message::Text(t) => return serde_json::from_str(&t).ok(),
            Message::Close(_) => return None,
            _ => {}
        }
    }
}

/// The next message within `wait`, if any.
async fn within(ws: &mut Ws, wait: Duration) -> Option<Value> {
    let msg = tokio::time::timeout(wait, ws.next()).await.ok()??.ok()?;
    match msg {
        Message::Text(t) => serde_json::from_str(&t).ok(),
        _ => None,
    }
}

async fn send_subscribe(ws: &mut Ws, id: &str, field: &str, article: uuid::Uuid) {
    let query = format!(
        "subscription($a: ID!) {{ {field}(articleId: $a) {{ id status body {{ text }} author {{ displayName }} }} }}"
    );
    let msg = json!({ "id": id, "type": "subscribe", "payload": { "query": query, "variables": { "a": article.to_string() } } });
    ws.send(Message::text(msg.to_string())).await.unwrap();
}

/// Subscribes and returns once the stream has read its start, so that
/// whatever is posted next reaches it (the protocol has no acknowledgement).
async fn subscribe(app: &TestApp, ws: &mut Ws, id: &str, field: &str, article: uuid::Uuid) {
    let live = &app.state.community.live;
    let before = live.started();
    send_subscribe(ws, id, field, article).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while live.started() <= before {
        assert!(std::time::Instant::now() < deadline, "subscription {id} never started");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

#[actix_web::test]
async fn websocket_subscribers_see_what_they_may_see_as_it_happens() {
    let app = live_app().await;
    let open = app.story("open", "Open", Some(t0() - TimeDelta::hours(1)), Story::default()).await;
    let held = app.story("held", "Held", Some(t0() - TimeDelta::hours(1)), Story::default()).await;
    let (alice, _) = app.person("Alice", "READER").await;
    let (bob, _) = app.person("Bob", "READER").await;
    let (mona, _) = app.person("Mona", "MODERATOR").await;
    let gid = api::graphql::ids::encode(api::graphql::ids::Kind::Article, held).0;
    let r = app
        .gql_as(
            Some(&mona),
            "mutation($a: ID!) { setCommentModeration(articleId: $a, moderation: PRE) { moderation } }",
            json!({ "a": gid }),
        )
        .await;
    assert_eq!(r["data"]["setCommentModeration"]["moderation"], "PRE", "{r}");

    let mut bob_ws = connect(&app, Some(&bob)).await;
    subscribe(&app, &mut bob_ws, "open", "commentAdded", open).await;
    subscribe(&app, &mut bob_ws, "held", "commentAdded", held).await;
    let mut alice_ws = connect(&app, Some(&alice)).await;
    subscribe(&app, &mut alice_ws, "mine", "commentAdded", held).await;
    let mut anon_ws = connect(&app, None).await;
    subscribe(&app, &mut anon_ws, "updates", "commentUpdated", held).await;
    subscribe(&app, &mut anon_ws, "added", "commentAdded", held).await;

    app.comment(&alice, open, None, "hello, live readers").await;
    let got = next_json(&mut bob_ws).await.unwrap();
    assert_eq!(got["type"], "next", "{got}");
    assert_eq!(got["id"], "open");
    assert_eq!(got["payload"]["data"]["commentAdded"]["body"]["text"], "hello, live readers");
    assert_eq!(got["payload"]["data"]["commentAdded"]["author"]["displayName"], "Alice");

    // Pending: its author sees it, Bob does not.
    let pending = app.comment(&alice, held, None, "waiting for a moderator").await;
    let mine = next_json(&mut alice_ws).await.unwrap();
    assert_eq!(mine["payload"]["data"]["commentAdded"]["status"], "PENDING", "{mine}");
    assert!(
        within(&mut bob_ws, Duration::from_millis(600)).await.is_none(),
        "Bob was shown a pending comment"
    );
    assert!(within(&mut anon_ws, Duration::from_millis(300)).await.is_none());

    // Approved: new to Bob and to anonymous readers.
    let approve = "mutation($id: ID!) { moderateComment(id: $id, status: APPROVED) { comment { status } } }";
    let r = app.gql_as(Some(&mona), approve, json!({ "id": pending })).await;
    assert!(r["errors"].is_null(), "{r}");
    let got = next_json(&mut bob_ws).await.unwrap();
    assert_eq!(
        (got["id"].as_str(), got["payload"]["data"]["commentAdded"]["id"].as_str()),
        (Some("held"), Some(pending.as_str())),
        "{got}"
    );
    let got = next_json(&mut anon_ws).await.unwrap();
    assert_eq!(
        (got["id"].as_str(), got["payload"]["data"]["commentAdded"]["status"].as_str()),
        (Some("added"), Some("APPROVED")),
        "{got}"
    );

    // Deleted: the update carries the status and no body.
    let del = "mutation($id: ID!) { deleteComment(id: $id) { comment { status } } }";
    app.gql_as(Some(&alice), del, json!({ "id": pending })).await;
    let upd = next_json(&mut anon_ws).await.unwrap();
    assert_eq!(upd["id"], "updates", "{upd}");
    assert_eq!(upd["payload"]["data"]["commentUpdated"]["status"], "DELETED", "{upd}");
    assert_eq!(upd["payload"]["data"]["commentUpdated"]["body"]["text"], "");
}

#[actix_web::test]
async fn subscriptions_are_limited_and_refused_cleanly() {
    let app = TestApp::spawn_configured(|c| {
        c.live.live_poll_ms = 20;
        c.live.live_max_per_connection = 2;
    })
    .await;
    let article = app.story("limits", "Limits", Some(t0() - TimeDelta::hours(1)), Story::default()).await;
    let mut ws = connect(&app, None).await;
    subscribe(&app, &mut ws, "1", "commentAdded", article).await;
    subscribe(&app, &mut ws, "2", "commentUpdated", article).await;
    send_subscribe(&mut ws, "3", "commentAdded", article).await;
    let third = next_json(&mut ws).await.unwrap();
    assert_eq!(third["id"], "3", "{third}");
    assert_eq!(third["payload"]["errors"][0]["extensions"]["code"], "RATE_LIMITED", "{third}");
    assert_eq!(next_json(&mut ws).await.unwrap()["type"], "complete");
    // A document over the limits is refused before it runs.
    let deep = format!(
        "subscription {{ commentAdded(articleId: \"x\") {{ {}id{} }} }}",
        "parent { ".repeat(40),
        " }".repeat(40)
    );
    ws.send(Message::text(
        json!({ "id": "4", "type": "subscribe", "payload": { "query": deep } }).to_string(),
    ))
    .await
    .unwrap();
    let refused = next_json(&mut ws).await.unwrap();
    assert_eq!(refused["payload"]["errors"][0]["extensions"]["code"], "QUERY_TOO_COMPLEX", "{refused}");
    assert_eq!(next_json(&mut ws).await.unwrap()["type"], "complete");
    // An unknown story and bad credentials.
    send_subscribe(&mut ws, "5", "commentAdded", uuid::Uuid::now_v7()).await;
    let unknown = next_json(&mut ws).await.unwrap();
    assert_eq!(unknown["payload"]["errors"][0]["extensions"]["code"], "NOT_FOUND", "{unknown}");
    let url = format!("{}/graphql/ws", app.addr.replace("http://", "ws://"));
    let mut req = url.into_client_request().unwrap();
    req.headers_mut().insert("sec-websocket-protocol", "graphql-transport-ws".parse().unwrap());
    let (mut bad, _) = tokio_tungstenite::connect_async(req).await.unwrap();
    bad.send(Message::text(
        json!({ "type": "connection_init", "payload": { "Authorization": "Bearer dls_forged" } }).to_string(),
    ))
    .await
    .unwrap();
    let closed = tokio::time::timeout(Duration::from_secs(5), bad.next()).await.unwrap();
    assert!(matches!(closed, Some(Ok(Message::Close(_))) | None | Some(Err(_))), "{closed:?}");
    // No protocol offered: refused with a problem, and the server still answers.
    let (status, _) = app.get_json("/graphql/ws").await;
    assert_eq!(status, 400);
    let r = app.gql("{ article(slug: \"limits\") { headline } }", json!({})).await;
    assert_eq!(r["data"]["article"]["headline"], "Limits");
}

/// Reads Server-Sent Events until `n` comment events have come.
pub(crate) async fn sse_events(resp: &mut reqwest::Response, n: usize) -> Vec<(i64, String, Value)> {
    let mut buf = String::new();
    let mut out = Vec::new();
    while out.len() < n {
        let chunk = tokio::time::timeout(Duration::from_secs(5), resp.chunk())
            .await
            .expect("an event in time")
            .unwrap()
            .unwrap();
        buf.push_str(std::str::from_utf8(&chunk).unwrap());
        while let Some(end) = buf.find("\n\n") {
            let block: String = buf.drain(..end + 2).collect();
            let mut id = None;
            let mut event = None;
            let mut data = None;
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("id: ") {
                    id = v.parse().ok();
                } else if let Some(v) = line.strip_prefix("event: ") {
                    event = Some(v.to_owned());
                } else if let Some(v) = line.strip_prefix("data: ") {
                    data = serde_json::from_str(v).ok();
                }
            }
            if let (Some(id), Some(event), Some(data)) = (id, event, data) {
                out.push((id, event, data));
            }
        }
    }
    out
}

#[actix_web::test]
async fn an_event_stream_delivers_comments_and_resumes_from_the_last_event() {
    let app = live_app().await;
    let article = app.story("sse", "SSE", Some(t0() - TimeDelta::hours(1)), Story::default()).await;
    let (alice, _) = app.person("Alice", "READER").await;
    let (bob, _) = app.person("Bob", "READER").await;
    let mut resp = app
        .client
        .get(format!("{}/v1/articles/sse/comments/stream", app.addr))
        .bearer_auth(&bob)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "text/event-stream");
    // No pause: the stream subscribed before it answered, so a comment
    // posted now is the stream's to deliver.
    app.comment(&alice, article, None, "first over SSE").await;
    let events = sse_events(&mut resp, 1).await;
    assert_eq!(events[0].1, "comment.added");
    assert_eq!(events[0].2["body"]["text"], "first over SSE");
    assert_eq!(events[0].2["author"]["displayName"], "Alice");
    let last = events[0].0;
    drop(resp);

    // While disconnected: two comments, and one held for review that Bob may not see.
    app.comment(&alice, article, None, "missed one").await;
    app.comment(&alice, article, None, "missed two").await;
    let gid = api::graphql::ids::encode(api::graphql::ids::Kind::Article, article).0;
    let (mona, _) = app.person("Mona", "MODERATOR").await;
    app.gql_as(
        Some(&mona),
        "mutation($a: ID!) { setCommentModeration(articleId: $a, moderation: PRE) { moderation } }",
        json!({ "a": gid }),
    )
    .await;
    app.comment(&alice, article, None, "pending, not for Bob").await;
    let mut resp = app
        .client
        .get(format!("{}/v1/articles/{article}/comments/stream", app.addr))
        .bearer_auth(&bob)
        .header("Last-Event-ID", last.to_string())
        .send()
        .await
        .unwrap();
    let events = sse_events(&mut resp, 2).await;
    let texts: Vec<&str> = events.iter().map(|e| e.2["body"]["text"].as_str().unwrap()).collect();
    assert_eq!(texts, ["missed one", "missed two"]);
    assert!(events[0].0 > last && events[1].0 > events[0].0);
    // Then live again, with nothing repeated and the pending one never shown.
    app.gql_as(
        Some(&mona),
        "mutation($a: ID!) { setCommentModeration(articleId: $a, moderation: DEFAULT) { moderation } }",
        json!({ "a": gid }),
    )
    .await;
    app.comment(&alice, article, None, "live again").await;
    let events = sse_events(&mut resp, 1).await;
    assert_eq!(events[0].2["body"]["text"], "live again", "{events:?}");

    let (status, _, p) = app
        .call("GET", "/v1/articles/sse/comments/stream", None, None, &[("Last-Event-ID", "yesterday")])
        .await;
    assert_eq!((status, p["code"].as_str()), (400, Some("BAD_USER_INPUT")));
    let (status, _) = app.get_json("/v1/articles/nope/comments/stream").await;
    assert_eq!(status, 404);
}

#[actix_web::test]
async fn a_comment_posted_right_after_subscribing_is_delivered_by_the_next_poll() {
    use api::domain::comments::live::Live;
    use api::workers::live::Poller;
    // A hub and a poller of the test's own, driven step by step.
    let app = TestApp::spawn().await;
    let article = app.story("race", "Race", Some(t0() - TimeDelta::hours(1)), Story::default()).await;
    let (alice, _) = app.person("Alice", "READER").await;
    let earlier = app.comment(&alice, article, None, "before anyone listened").await;
    let hub = Live::new();
    let mut poller = Poller::new(app.state.db.clone(), hub.clone(), Duration::from_secs(3600));
    assert_eq!(poller.step().await.unwrap(), 0, "nobody listens: no statement, nothing read");

    let mut sub = hub.subscribe(&app.state.db).await.unwrap();
    // Posted before the poller has run once for this subscriber.
    let posted = app.comment(&alice, article, None, "right after subscribing").await;
    assert_eq!(poller.step().await.unwrap(), 1, "the poll starts at the subscriber's start");
    let ev = sub.try_recv().unwrap();
    assert!(ev.seq > sub.from());
    assert_eq!(api::graphql::ids::encode(api::graphql::ids::Kind::Comment, ev.comment.id).0, posted);
    assert!(sub.try_recv().is_err(), "the comment from before the subscription is not sent: {earlier}");

    drop(sub);
    assert_eq!(poller.step().await.unwrap(), 0, "the last listener left: polling stops");
}
