//! Persisted operations: Apollo's automatic persisted queries over GET and
//! POST, and trusted documents from a build's manifest, required for
//! callers without an API key when the server says so.

use crate::common::{Story, TestApp, error_code, t0};
use chrono::TimeDelta;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const PAGE: &str = "query Page($slug: String!) { article(slug: $slug) { headline commentCount } }";

fn sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

fn apq(hash: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
}

/// A GET of `/graphql` with these parameters: status, Cache-Control, body.
async fn get(app: &TestApp, params: &[(&str, String)], accept: &str) -> (u16, String, Value) {
    let qs: String = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish();
    let r =
        app.client.get(format!("{}/graphql?{qs}", app.addr)).header("accept", accept).send().await.unwrap();
    let status = r.status().as_u16();
    let cc = r.headers().get("cache-control").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    (status, cc, r.json().await.unwrap())
}

async fn post(app: &TestApp, token: Option<&str>, body: Value, accept: &str) -> (u16, Value) {
    let mut r = app.client.post(format!("{}/graphql", app.addr)).header("accept", accept).json(&body);
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    let r = r.send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

const JSON: &str = "application/json";
const GQL: &str = "application/graphql-response+json";

async fn published(app: &TestApp, slug: &str) {
    app.story(slug, "Harbour reopens", Some(t0() - TimeDelta::hours(1)), Story::default()).await;
}

#[actix_web::test]
async fn an_unknown_hash_is_not_found_then_registered_by_post_and_run_by_get_on_every_instance() {
    let app = TestApp::spawn().await;
    published(&app, "harbour").await;
    let hash = sha256(PAGE);
    let by_hash =
        [("variables", json!({ "slug": "harbour" }).to_string()), ("extensions", apq(&hash).to_string())];

    // Not known yet: the code and message Apollo's link looks for, under
    // either media type, and never kept by a cache in front.
    let (status, cc, body) = get(&app, &by_hash, JSON).await;
    assert_eq!((status, error_code(&body).as_str()), (200, "PERSISTED_QUERY_NOT_FOUND"), "{body}");
    assert_eq!(body["errors"][0]["message"], "PersistedQueryNotFound");
    assert_eq!(cc, "no-store");
    let (status, _, body) = get(&app, &by_hash, GQL).await;
    assert_eq!((status, error_code(&body).as_str()), (404, "PERSISTED_QUERY_NOT_FOUND"));
    assert!(body.get("data").is_none());

    // The document with its hash runs and is registered.
    let registering = json!({ "query": PAGE, "variables": { "slug": "harbour" }, "extensions": apq(&hash) });
    let (status, body) = post(&app, None, registering, GQL).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["article"]["headline"], "Harbour reopens");

    // From then on the hash alone is enough, by GET and by POST.
    let (status, _, body) = get(&app, &by_hash, GQL).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["article"]["headline"], "Harbour reopens");
    let (_, body) =
        post(&app, None, json!({ "variables": { "slug": "harbour" }, "extensions": apq(&hash) }), GQL).await;
    assert_eq!(body["data"]["article"]["headline"], "Harbour reopens");

    // Another instance on the same database knows it without being told.
    let other = TestApp::spawn_with(app.state.config.db.database_url.clone(), None, |_| {}).await;
    let (status, _, body) = get(&other, &by_hash, GQL).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["article"]["headline"], "Harbour reopens");

    // A hash this instance has seen costs no statement to look up: the GET
    // by hash costs what the same query sent whole costs.
    let uncached =
        TestApp::spawn_with(app.state.config.db.database_url.clone(), None, crate::common::uncached).await;
    let whole = [("query", PAGE.to_owned()), ("variables", json!({ "slug": "harbour" }).to_string())];
    get(&uncached, &by_hash, GQL).await;
    let (_, by_text) = uncached.statements_of(get(&uncached, &whole, GQL)).await;
    let ((status, _, _), by_id) = uncached.statements_of(get(&uncached, &by_hash, GQL)).await;
    assert_eq!(status, 200);
    assert_eq!(by_id.len(), by_text.len(), "{by_id:#?}");
}

#[actix_web::test]
async fn a_hash_that_does_not_match_its_document_is_refused_and_nothing_runs_or_is_kept() {
    let app = TestApp::spawn().await;
    let key = app.key(&["content:write"]).await;
    let create = r#"mutation { createArticle(input: { slug: "sneaky", headline: "Sneaky" }) { id } }"#;
    let before = app.fingerprint().await;
    for accept in [JSON, GQL] {
        let (status, body) =
            post(&app, Some(&key), json!({ "query": create, "extensions": apq(&sha256(PAGE)) }), accept)
                .await;
        assert_eq!(error_code(&body), "PERSISTED_QUERY_HASH_MISMATCH", "{body}");
        assert_eq!(status, if accept == JSON { 200 } else { 400 });
        assert!(body.get("data").is_none());
    }
    assert_eq!(app.fingerprint().await, before, "the mutation never ran");
    // Neither hash now names a document.
    for hash in [sha256(PAGE), sha256(create)] {
        let (_, body) = post(&app, Some(&key), json!({ "extensions": apq(&hash) }), GQL).await;
        assert_eq!(error_code(&body), "PERSISTED_QUERY_NOT_FOUND");
    }
    // Malformed persisted-query parameters are 400 whatever the media type.
    for (ext, field) in [
        (
            json!({ "persistedQuery": { "version": 2, "sha256Hash": sha256(PAGE) } }),
            "extensions.persistedQuery.version",
        ),
        (
            json!({ "persistedQuery": { "version": 1, "sha256Hash": "abc" } }),
            "extensions.persistedQuery.sha256Hash",
        ),
        (json!({ "persistedQuery": "yes" }), "extensions.persistedQuery"),
    ] {
        let (status, body) = post(&app, None, json!({ "extensions": ext }), JSON).await;
        assert_eq!((status, error_code(&body).as_str()), (400, "BAD_USER_INPUT"), "{body}");
        assert!(body.to_string().contains(field), "{body}");
    }
}

#[actix_web::test]
async fn only_documents_that_run_are_registered_and_the_oldest_go_past_the_bound() {
    let (url, dir) = crate::common::fresh_database().await;
    let app = TestApp::spawn_with(url.clone(), dir, |c| c.graphql.graphql_persisted_max = 3).await;
    // A document that does not validate is answered, not kept.
    let bad = "{ noSuchField }";
    let (_, body) = post(&app, None, json!({ "query": bad, "extensions": apq(&sha256(bad)) }), GQL).await;
    assert_eq!(error_code(&body), "GRAPHQL_VALIDATION_FAILED");
    let (_, body) = post(&app, None, json!({ "extensions": apq(&sha256(bad)) }), GQL).await;
    assert_eq!(error_code(&body), "PERSISTED_QUERY_NOT_FOUND");

    // Five documents registered in turn; three are kept, the newest.
    let docs: Vec<String> = (0..5).map(|i| format!("query Q{i} {{ __typename }}")).collect();
    for (i, d) in docs.iter().enumerate() {
        app.state.clock.set(t0() + TimeDelta::seconds(i as i64));
        let (status, body) =
            post(&app, None, json!({ "query": d, "extensions": apq(&sha256(d)) }), GQL).await;
        assert_eq!((status, &body["data"]["__typename"]), (200, &json!("Query")), "{body}");
    }
    use sea_orm::{EntityTrait, QueryOrder};
    let held: Vec<String> = entity::persisted_operation::Entity::find()
        .order_by_asc(entity::persisted_operation::Column::CreatedAt)
        .all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.name.unwrap_or_default())
        .collect();
    assert_eq!(held, ["Q2", "Q3", "Q4"]);
    // An instance that never saw the first two cannot run them by hash.
    let other = TestApp::spawn_with(url, None, |_| {}).await;
    for (i, d) in docs.iter().enumerate() {
        let (_, body) = post(&other, None, json!({ "extensions": apq(&sha256(d)) }), GQL).await;
        let expected = if i < 2 { "PERSISTED_QUERY_NOT_FOUND" } else { "<none>" };
        assert_eq!(error_code(&body), expected, "Q{i}: {body}");
    }
}

/// What `relay-compiler` writes with `persistConfig: { file, algorithm: "MD5" }`.
fn relay_manifest() -> Value {
    json!({
        "0f1d2e3c4b5a69788796a5b4c3d2e1f0": PAGE,
        "9a8b7c6d5e4f30211203f4e5d6c7b8a9": "subscription Live($id: ID!) { commentAdded(articleId: $id) { id } }",
    })
}

fn dateline(url: &str, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_dateline"))
        .args(["--database-url", url])
        .args(args)
        .output()
        .unwrap()
}

#[actix_web::test]
async fn trusted_documents_only_lets_callers_without_a_key_run_the_manifest_and_nothing_else() {
    let (url, dir) = crate::common::fresh_database().await;
    let manifest = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(manifest.path(), relay_manifest().to_string()).unwrap();
    let out = dateline(&url, &["operations", "add", manifest.path().to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "2 trusted operation(s) added, 0 already held");
    // Adding the same manifest again changes nothing.
    let out = dateline(&url, &["operations", "add", manifest.path().to_str().unwrap()]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "0 trusted operation(s) added, 2 already held");

    let app =
        TestApp::spawn_with(url.clone(), dir, |c| c.graphql.graphql_trusted_documents_only = true).await;
    published(&app, "harbour").await;
    let vars = json!({ "slug": "harbour" });
    // Relay sends the manifest's id as doc_id; the GraphQL-over-HTTP draft
    // names it documentId; by GET as well.
    let (status, body) =
        post(&app, None, json!({ "doc_id": "0f1d2e3c4b5a69788796a5b4c3d2e1f0", "variables": vars }), GQL)
            .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["article"]["headline"], "Harbour reopens");
    let by_id =
        [("documentId", "0f1d2e3c4b5a69788796a5b4c3d2e1f0".to_owned()), ("variables", vars.to_string())];
    let (status, _, body) = get(&app, &by_id, GQL).await;
    assert_eq!((status, &body["data"]["article"]["headline"]), (200, &json!("Harbour reopens")), "{body}");
    // The same document by its SHA-256, or sent whole, is the trusted one.
    let (_, body) =
        post(&app, None, json!({ "extensions": apq(&sha256(PAGE)), "variables": vars }), GQL).await;
    assert_eq!(body["data"]["article"]["headline"], "Harbour reopens", "{body}");
    let (_, body) = post(&app, None, json!({ "query": PAGE, "variables": vars }), GQL).await;
    assert_eq!(body["data"]["article"]["headline"], "Harbour reopens", "{body}");

    // Any other document: refused to anonymous callers and to signed-in
    // readers, and not registered for them either.
    let other = "{ articles(first: 1) { totalCount } }";
    let (reader, _) = app.person("Reader", "READER").await;
    for token in [None, Some(reader.as_str())] {
        for accept in [JSON, GQL] {
            let (status, body) = post(&app, token, json!({ "query": other }), accept).await;
            assert_eq!(error_code(&body), "PERSISTED_QUERY_NOT_IN_LIST", "{body}");
            assert_eq!(status, if accept == JSON { 200 } else { 403 });
        }
        let (_, body) =
            post(&app, token, json!({ "query": other, "extensions": apq(&sha256(other)) }), GQL).await;
        assert_eq!(error_code(&body), "PERSISTED_QUERY_NOT_IN_LIST");
        let (_, body) = post(&app, token, json!({ "extensions": apq(&sha256(other)) }), GQL).await;
        assert_eq!(error_code(&body), "PERSISTED_QUERY_NOT_FOUND");
        let (_, body) = post(&app, token, json!({ "doc_id": "nope" }), GQL).await;
        assert_eq!(error_code(&body), "PERSISTED_QUERY_NOT_FOUND");
    }
    // A caller with an API key runs what it likes, and registers it; a
    // client's registration never makes a document trusted.
    let key = app.key(&["content:write"]).await;
    let (_, body) =
        post(&app, Some(&key), json!({ "query": other, "extensions": apq(&sha256(other)) }), GQL).await;
    assert_eq!(body["data"]["articles"]["totalCount"], 1, "{body}");
    let (_, body) = post(&app, None, json!({ "extensions": apq(&sha256(other)) }), GQL).await;
    assert_eq!(error_code(&body), "PERSISTED_QUERY_NOT_FOUND");

    // Over WebSocket the same rule holds for a connection without a key.
    let refused =
        subscribe(&app, None, json!({ "query": "subscription { commentAdded(articleId: \"x\") { id } }" }))
            .await;
    assert_eq!(
        refused["payload"]["errors"][0]["extensions"]["code"], "PERSISTED_QUERY_NOT_IN_LIST",
        "{refused}"
    );
    let live = "subscription Live($id: ID!) { commentAdded(articleId: $id) { id } }";
    let trusted =
        subscribe(&app, None, json!({ "variables": { "id": "x" }, "extensions": apq(&sha256(live)) })).await;
    // It runs: "x" is not a story id, which only the running resolver says.
    assert_eq!(trusted["payload"]["errors"][0]["path"][0], "commentAdded", "{trusted}");

    // Listed, and removed by id.
    let out = dateline(&url, &["operations", "list"]);
    let listed = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(listed.contains("0f1d2e3c4b5a69788796a5b4c3d2e1f0\ttrusted\tPage"), "{listed}");
    assert!(listed.contains(&format!("{}\tautomatic\t-", sha256(other))), "{listed}");
    let out = dateline(&url, &["operations", "remove", "9a8b7c6d5e4f30211203f4e5d6c7b8a9"]);
    assert!(out.status.success());
    let out = dateline(&url, &["operations", "remove", "9a8b7c6d5e4f30211203f4e5d6c7b8a9"]);
    assert!(!out.status.success(), "removing twice says it is gone");
}

/// The first answer to a `subscribe` over graphql-transport-ws.
async fn subscribe(app: &TestApp, token: Option<&str>, payload: Value) -> Value {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let url = format!("{}/graphql/ws", app.addr.replace("http://", "ws://"));
    let mut req = url.into_client_request().unwrap();
    req.headers_mut().insert("sec-websocket-protocol", "graphql-transport-ws".parse().unwrap());
    let (mut ws, _) = tokio_tungstenite::connect_async(req).await.unwrap();
    let init = match token {
        Some(t) => {
            json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {t}") } })
        }
        None => json!({ "type": "connection_init" }),
    };
    ws.send(Message::text(init.to_string())).await.unwrap();
    let ack = ws.next().await.unwrap().unwrap();
    assert!(ack.to_text().unwrap().contains("connection_ack"), "{ack}");
    let sub = json!({ "id": "1", "type": "subscribe", "payload": payload });
    ws.send(Message::text(sub.to_string())).await.unwrap();
    let first = ws.next().await.unwrap().unwrap();
    serde_json::from_str(first.to_text().unwrap()).unwrap()
}

#[actix_web::test]
async fn a_manifest_goes_in_whole_or_not_at_all() {
    let (url, dir) = crate::common::fresh_database().await;
    let app = TestApp::spawn_on(url.clone(), dir).await;
    let file = tempfile::NamedTempFile::new().unwrap();
    // Apollo's manifest format as well as the plain map.
    let apollo = json!({ "format": "apollo-persisted-query-manifest", "version": 1, "operations": [
        { "id": "front", "name": "Front", "type": "query", "body": "query Front { articles(first: 5) { totalCount } }" },
    ]});
    std::fs::write(file.path(), apollo.to_string()).unwrap();
    assert!(dateline(&url, &["operations", "add", file.path().to_str().unwrap()]).status.success());
    // An id already held with another document, or a document that does
    // not parse, refuses the whole file: nothing of it is added.
    for bad in [
        json!({ "fresh": "{ __typename }", "front": "query Front { sections { id } }" }),
        json!({ "fresh": "{ __typename }", "broken": "query {" }),
    ] {
        std::fs::write(file.path(), bad.to_string()).unwrap();
        let out = dateline(&url, &["operations", "add", file.path().to_str().unwrap()]);
        assert!(!out.status.success());
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(said.starts_with("dateline: ") && said.lines().count() == 1, "{said}");
        let (_, body) = post(&app, None, json!({ "documentId": "fresh" }), GQL).await;
        assert_eq!(error_code(&body), "PERSISTED_QUERY_NOT_FOUND");
    }
    let out = dateline(&url, &["operations", "add", "/no/such/manifest.json"]);
    assert_eq!(out.status.code(), Some(4));
    let (_, body) = post(&app, None, json!({ "documentId": "front" }), GQL).await;
    assert_eq!(body["data"]["articles"]["totalCount"], 0, "{body}");
}

#[actix_web::test]
async fn a_document_too_long_to_keep_runs_but_is_not_registered() {
    let app = TestApp::spawn().await;
    published(&app, "harbour").await;
    // A GraphQL comment is free to parse: without a bound, one request
    // would store a megabyte.
    let padded = format!("{PAGE}\n# {}", "x".repeat(api::domain::persisted::AUTOMATIC_MAX_BYTES));
    let hash = sha256(&padded);
    let sent = json!({ "query": padded, "variables": { "slug": "harbour" }, "extensions": apq(&hash) });
    let (status, body) = post(&app, None, sent, GQL).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["article"]["headline"], "Harbour reopens");
    let (_, body) = post(&app, None, json!({ "extensions": apq(&hash) }), GQL).await;
    assert_eq!(error_code(&body), "PERSISTED_QUERY_NOT_FOUND", "not kept: {body}");
    use sea_orm::{EntityTrait, PaginatorTrait};
    assert_eq!(entity::persisted_operation::Entity::find().count(&app.state.db).await.unwrap(), 0);
    // One of the usual size is kept as before.
    let hash = sha256(PAGE);
    post(
        &app,
        None,
        json!({ "query": PAGE, "variables": { "slug": "harbour" }, "extensions": apq(&hash) }),
        GQL,
    )
    .await;
    let (_, body) =
        post(&app, None, json!({ "variables": { "slug": "harbour" }, "extensions": apq(&hash) }), GQL).await;
    assert_eq!(body["data"]["article"]["headline"], "Harbour reopens", "{body}");
}
