//! Rate budgets that fit a CDN: each API key has its own, wherever it
//! calls from; readers and anonymous callers share their address's; a
//! GraphQL operation reports its cost and spends by it.

use crate::common::{TestApp, error_code};

/// The machine code of a refusal: a GraphQL error's, or the problem's
/// when the request was refused before GraphQL saw it.
fn code(body: &Value) -> String {
    body["code"].as_str().map(str::to_owned).unwrap_or_else(|| error_code(body))
}
use serde_json::{Value, json};

fn tight(c: &mut api::config::Config) {
    c.http.rate_limit_per_second = 1;
    c.http.rate_limit_burst = 3;
    c.http.key_rate_limit_per_second = 1;
    c.http.trusted_proxies = 1;
}

/// Status and body of a GraphQL POST from `address`, with `token`.
async fn ask(app: &TestApp, address: &str, token: Option<&str>, query: &str) -> (u16, Value, String) {
    let mut r = app
        .client
        .post(format!("{}/graphql", app.addr))
        .header("x-forwarded-for", address)
        .header("accept", "application/graphql-response+json")
        .json(&json!({ "query": query }));
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    let r = r.send().await.unwrap();
    let status = r.status().as_u16();
    let retry = r.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    (status, r.json().await.unwrap_or(Value::Null), retry)
}

#[actix_web::test]
async fn every_answer_reports_its_cost_and_the_limit() {
    let app = TestApp::spawn().await;
    let small = app.gql("{ articles(first: 5) { nodes { slug } } }", json!({})).await;
    let large = app.gql("{ articles(first: 50) { nodes { slug } } }", json!({})).await;
    let (s, l) = (&small["extensions"]["cost"], &large["extensions"]["cost"]);
    assert!(s["requested"].as_u64().is_some_and(|c| c > 0), "{small}");
    assert!(l["requested"].as_u64() > s["requested"].as_u64(), "a longer page costs more: {s} {l}");
    assert_eq!(s["limit"], app.state.config.graphql.graphql_max_complexity);
    assert_eq!(s["requests"], 1);
    assert_eq!(l["requests"], l["requested"].as_u64().unwrap().div_ceil(100).max(1));
}

#[actix_web::test]
async fn each_key_has_its_own_budget_whatever_address_it_calls_from() {
    let app = TestApp::spawn_configured(tight).await;
    let (a, b) = (app.key(&["content:write"]).await, app.key(&["content:write"]).await);
    let q = "{ __typename }";
    // Key A spends its three and is refused; key B, from the same address,
    // and a reader there without a key each still have their own.
    for _ in 0..3 {
        assert_eq!(ask(&app, "203.0.113.5", Some(&a), q).await.0, 200);
    }
    let (status, body, retry) = ask(&app, "203.0.113.5", Some(&a), q).await;
    assert_eq!((status, code(&body).as_str()), (429, "RATE_LIMITED"), "{body}");
    assert!(!retry.is_empty());
    // From another address, the same key is still out of budget.
    assert_eq!(ask(&app, "198.51.100.9", Some(&a), q).await.0, 429);
    assert_eq!(ask(&app, "203.0.113.5", Some(&b), q).await.0, 200);
    assert_eq!(ask(&app, "203.0.113.5", None, q).await.0, 200);
    // A key given a rate of its own gets a budget to match.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_dateline"))
        .args(["--database-url", &app.state.config.db.database_url, "keys", "create", "--name", "feed"])
        .args(["--scope", "sync:read", "--rate-limit", "10"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let big = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    for i in 0..10 {
        assert_eq!(ask(&app, "203.0.113.5", Some(&big), q).await.0, 200, "request {i}");
    }
}

#[actix_web::test]
async fn tokens_that_are_not_keys_spend_their_address_budget() {
    let app = TestApp::spawn_configured(tight).await;
    let q = "{ __typename }";
    for _ in 0..3 {
        assert_eq!(ask(&app, "203.0.113.7", Some("dl_not_a_key"), q).await.0, 401);
    }
    assert_eq!(ask(&app, "203.0.113.7", Some("dl_not_a_key"), q).await.0, 429);
    assert_eq!(ask(&app, "203.0.113.7", None, q).await.0, 429, "the address's budget is spent");
    assert_eq!(ask(&app, "203.0.113.8", None, q).await.0, 200);
}

#[actix_web::test]
async fn an_expensive_query_spends_by_its_cost() {
    let app = TestApp::spawn_configured(|c| {
        tight(c);
        c.http.rate_limit_burst = 30;
        c.http.graphql_cost_per_request = 10;
    })
    .await;
    // Several requests' worth each; each one new (the same document again
    // is answered from memory, which costs the server next to nothing).
    let q = |n: usize| format!("{{ articles(first: 40) {{ nodes {{ slug }} }} }} # {n}");
    let (status, body, _) = ask(&app, "203.0.113.9", None, &q(0)).await;
    assert_eq!(status, 200, "{body}");
    let each = body["extensions"]["cost"]["requests"].as_u64().unwrap();
    assert!(each > 1, "{body}");
    let mut answered = 1;
    loop {
        let (status, body, retry) = ask(&app, "203.0.113.9", None, &q(answered)).await;
        if status == 429 {
            assert_eq!(code(&body), "RATE_LIMITED", "{body}");
            assert!(body.get("data").is_none() && !retry.is_empty());
            break;
        }
        answered += 1;
        assert!(answered < 30, "never refused");
    }
    // 30 requests of budget, `each` per query: far fewer queries than 30.
    assert!(answered as u64 <= 30 / each + 1, "{answered} queries of {each} requests each");
    // A cheap one from another address goes through.
    assert_eq!(ask(&app, "203.0.113.10", None, "{ __typename }").await.0, 200);
}

#[actix_web::test]
async fn refusals_report_the_cost_and_a_query_no_budget_can_hold_is_too_complex() {
    let app = TestApp::spawn_configured(|c| {
        tight(c);
        c.http.rate_limit_burst = 5;
        c.http.graphql_cost_per_request = 10;
    })
    .await;
    // Costs more requests than the burst: waiting would never help, so it
    // is refused as too complex, not told to retry.
    let (status, body, retry) =
        ask(&app, "203.0.113.20", None, "{ articles(first: 100) { nodes { slug } } }").await;
    assert_eq!(code(&body), "QUERY_TOO_COMPLEX", "{body}");
    assert!(retry.is_empty(), "nothing to wait for: {retry}");
    assert!(status == 200 || status == 400, "{status}");
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("budget"), "{body}");
    assert!(body["extensions"]["cost"]["requests"].as_u64().unwrap() > 5, "{body}");
    // Over the complexity limit: refused with the cost and the limit.
    let limit = app.state.config.graphql.graphql_max_complexity;
    let huge = "{ articles(first: 100) { nodes { slug related(first: 20) { article { slug related(first: 20) { article { slug } } } } } } }";
    let (_, body, _) = ask(&app, "203.0.113.21", None, huge).await;
    assert_eq!(code(&body), "QUERY_TOO_COMPLEX", "{body}");
    assert_eq!(body["extensions"]["cost"]["limit"], limit, "{body}");
    assert!(body["extensions"]["cost"]["requested"].as_u64().unwrap() > limit as u64, "{body}");
    // Out of budget: RATE_LIMITED still says what it would have cost. The
    // burst holds one query and one request more, so the second query's
    // own request is admitted and the rest it costs is not.
    let q = "{ articles(first: 20) { nodes { slug } } }";
    let each = body_cost(&app.gql(q, json!({})).await);
    let app = TestApp::spawn_configured(|c| {
        tight(c);
        c.http.rate_limit_burst = u32::try_from(each + 1).unwrap();
        c.http.graphql_cost_per_request = 10;
    })
    .await;
    assert!(each >= 2, "{each}");
    assert_eq!(ask(&app, "203.0.113.22", None, &format!("{q} # 1")).await.0, 200);
    let (status, body, _) = ask(&app, "203.0.113.22", None, &format!("{q} # 2")).await;
    assert_eq!((status, code(&body).as_str()), (429, "RATE_LIMITED"), "{body}");
    assert_eq!(body["extensions"]["cost"]["requests"], each, "{body}");
}

fn body_cost(body: &Value) -> u64 {
    body["extensions"]["cost"]["requests"].as_u64().unwrap_or_else(|| panic!("{body}"))
}

#[actix_web::test]
async fn forwarded_addresses_count_only_from_the_trusted_proxies_networks() {
    // The test client connects from 127.0.0.1: here not a proxy's address,
    // so whatever it claims in X-Forwarded-For, it is one client.
    let app = TestApp::spawn_configured(|c| {
        tight(c);
        c.http.trusted_proxy_addresses = vec!["10.0.0.0/8".parse().unwrap()];
    })
    .await;
    let q = "{ __typename }";
    for i in 0..3 {
        assert_eq!(ask(&app, &format!("203.0.113.{i}"), None, q).await.0, 200);
    }
    let (status, body, _) = ask(&app, "203.0.113.99", None, q).await;
    assert_eq!((status, code(&body).as_str()), (429, "RATE_LIMITED"), "a spoofed address is no new client");
    // From a proxy's network (loopback, by default) the entry it appended
    // is the client: another address has a budget of its own.
    let app = TestApp::spawn_configured(tight).await;
    for _ in 0..3 {
        assert_eq!(ask(&app, "203.0.113.1", None, q).await.0, 200);
    }
    assert_eq!(ask(&app, "203.0.113.1", None, q).await.0, 429);
    assert_eq!(ask(&app, "203.0.113.2", None, q).await.0, 200);
}

#[actix_web::test]
async fn a_socket_signed_in_with_a_key_spends_the_keys_budget() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let app = TestApp::spawn_configured(tight).await;
    let key = app.key(&["content:write"]).await;
    let url = format!("{}/graphql/ws", app.addr.replace("http://", "ws://"));
    let mut req = url.into_client_request().unwrap();
    req.headers_mut().insert("sec-websocket-protocol", "graphql-transport-ws".parse().unwrap());
    req.headers_mut().insert("x-forwarded-for", "203.0.113.20".parse().unwrap());
    let (mut ws, _) = tokio_tungstenite::connect_async(req).await.unwrap();
    let init = json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {key}") } });
    ws.send(Message::text(init.to_string())).await.unwrap();
    assert!(ws.next().await.unwrap().unwrap().to_text().unwrap().contains("connection_ack"));
    // The key's three, then refused; the address's own budget is untouched.
    let mut codes = Vec::new();
    for i in 0..4 {
        let sub =
            json!({ "id": i.to_string(), "type": "subscribe", "payload": { "query": "{ __typename }" } });
        ws.send(Message::text(sub.to_string())).await.unwrap();
        let first: Value =
            serde_json::from_str(ws.next().await.unwrap().unwrap().to_text().unwrap()).unwrap();
        codes.push(first["payload"]["errors"][0]["extensions"]["code"].as_str().unwrap_or("ok").to_owned());
        // Each query answers once, then completes.
        while let Some(Ok(m)) = ws.next().await {
            if m.to_text().unwrap().contains("complete") || codes.last().is_some_and(|c| c != "ok") {
                break;
            }
        }
    }
    assert_eq!(codes, ["ok", "ok", "ok", "RATE_LIMITED"]);
    assert_eq!(ask(&app, "203.0.113.20", None, "{ __typename }").await.0, 200);
}
