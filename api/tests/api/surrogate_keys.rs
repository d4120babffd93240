//! Surrogate keys and purges: every cacheable answer names what it showed;
//! every write that changes what the public sees names the same keys, sent
//! to the purge endpoint once it commits and as a `cache.purge` webhook
//! that commits with it. A draft edit purges nothing.

use crate::common::{Story, TestApp, t0};
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use chrono::TimeDelta;
use serde_json::{Value, json};
use std::time::Duration;
use tokio::sync::mpsc;

/// A purge request as the endpoint received it.
#[derive(Debug)]
struct Purge {
    method: String,
    keys: Vec<String>,
    body: Value,
    token: String,
}

/// A purge endpoint; each request it receives comes out of the channel.
fn purge_endpoint() -> (String, mpsc::UnboundedReceiver<Purge>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/purge", listener.local_addr().unwrap());
    let server = HttpServer::new(move || {
        let tx = tx.clone();
        App::new().default_service(web::to(move |req: HttpRequest, body: web::Bytes| {
            let tx = tx.clone();
            async move {
                let header = |n: &str| {
                    req.headers().get(n).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
                };
                let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                let mut keys: Vec<String> = header("xkey-purge").split(' ').map(str::to_owned).collect();
                for field in ["surrogate_keys", "tags"] {
                    if let Some(list) = body[field].as_array() {
                        keys = list.iter().map(|k| k.as_str().unwrap().to_owned()).collect();
                    }
                }
                keys.retain(|k| !k.is_empty());
                let token = header("authorization");
                let _ = tx.send(Purge { method: req.method().to_string(), keys, body, token });
                HttpResponse::Ok().finish()
            }
        }))
    })
    .workers(1)
    .listen(listener)
    .unwrap()
    .run();
    actix_web::rt::spawn(server);
    (url, rx)
}

/// Purges until one names every key of `keys`, all of them; fails after
/// 10 s.
async fn until_purged(rx: &mut mpsc::UnboundedReceiver<Purge>, keys: &[&str]) -> Vec<Purge> {
    let mut seen = Vec::new();
    loop {
        let p = tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .unwrap_or_else(|_| panic!("no purge named {keys:?}; saw {seen:#?}"))
            .unwrap();
        let done = keys.iter().all(|key| p.keys.iter().any(|k| k == key));
        seen.push(p);
        if done {
            return seen;
        }
    }
}

/// A webhook endpoint subscribed to `cache.purge` (never reached: the
/// deliveries are read from the database).
async fn subscribe_to_purges(app: &TestApp, key: &str) {
    let (_, _, hook) = app
        .call(
            "POST",
            "/v1/webhooks",
            Some(key),
            Some(json!({ "url": "http://127.0.0.1:9/hook", "events": ["cache.purge"] })),
            &[],
        )
        .await;
    assert!(hook["id"].is_string(), "{hook}");
}

async fn cache_purge_events(app: &TestApp) -> Vec<Vec<String>> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    entity::webhook_delivery::Entity::find()
        .filter(entity::webhook_delivery::Column::EventType.eq("cache.purge"))
        .order_by_asc(entity::webhook_delivery::Column::Id)
        .all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|d| {
            let v: Value = serde_json::from_str(&d.payload).unwrap();
            v["data"]["keys"].as_array().unwrap().iter().map(|k| k.as_str().unwrap().to_owned()).collect()
        })
        .collect()
}

fn keys_of(h: &reqwest::header::HeaderMap, name: &str, sep: char) -> Vec<String> {
    h.get(name).map(|v| v.to_str().unwrap().split(sep).map(str::to_owned).collect()).unwrap_or_default()
}

#[actix_web::test]
async fn answers_name_the_stories_terms_threads_and_lists_they_show() {
    let app = TestApp::spawn().await;
    let before = Some(t0() - TimeDelta::hours(2));
    let opts = Story { section: Some("sport"), tags: &["final"], authors: &["ana"], ..Default::default() };
    let story = app.story("cup-final", "Cup final", before, opts).await;
    let other =
        app.story("harbour", "Harbour", before, Story { section: Some("city"), ..Default::default() }).await;
    let section = section_id(&app, "sport").await;
    let page = "query($s: String!) { article(slug: $s) { headline section { name } commentCount } }";
    let qs = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("query", page)
        .append_pair("variables", &json!({ "s": "cup-final" }).to_string())
        .finish();
    let r = app.get(&format!("/graphql?{qs}")).await;
    let keys = keys_of(r.headers(), "surrogate-key", ' ');
    assert_eq!(keys.first().map(String::as_str), Some("dateline"), "{keys:?}");
    for k in [format!("story:{story}"), format!("thread:{story}")] {
        assert!(keys.contains(&k), "{k} in {keys:?}");
    }
    assert!(keys.contains(&format!("section:{section}")), "{keys:?}");
    assert!(keys.iter().any(|k| k.starts_with("tag:")) && keys.iter().any(|k| k.starts_with("author:")));
    assert!(!keys.contains(&format!("story:{other}")), "only what it showed");

    // Lists name themselves by what narrows them.
    let list = |filter: &str| {
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("query", &format!("{{ articles(first: 5{filter}) {{ nodes {{ slug }} }} }}"))
            .finish()
    };
    let r = app.get(&format!("/graphql?{}", list(""))).await;
    let keys = keys_of(r.headers(), "surrogate-key", ' ');
    assert!(keys.contains(&"list:front".into()), "{keys:?}");
    assert!(keys.contains(&format!("story:{other}")) && keys.contains(&format!("story:{story}")));
    let r = app.get(&format!("/graphql?{}", list(", filter: { section: \"sport\" }"))).await;
    let keys = keys_of(r.headers(), "surrogate-key", ' ');
    assert!(keys.contains(&"list:section:sport".into()) && !keys.contains(&"list:front".into()), "{keys:?}");

    // REST, feeds and sitemaps too; a lookup that found nothing is named.
    for (path, key) in [
        ("/v1/articles/cup-final".to_owned(), format!("story:{story}")),
        ("/v1/articles?section=sport".to_owned(), "list:section:sport".to_owned()),
        ("/v1/articles/cup-final/comments".to_owned(), format!("thread:{story}")),
        ("/v1/articles/cup-final/related".to_owned(), format!("related:{story}")),
        ("/feeds/rss?section=sport".to_owned(), "list:section:sport".to_owned()),
        ("/sitemap.xml".to_owned(), "list:front".to_owned()),
        ("/v1/sections".to_owned(), "terms:sections".to_owned()),
    ] {
        let r = app.get(&path).await;
        assert_eq!(r.status(), 200, "{path}");
        let keys = keys_of(r.headers(), "surrogate-key", ' ');
        assert!(keys.contains(&key), "{path}: {key} in {keys:?}");
    }
    let missing = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("query", "{ article(slug: \"not-yet\") { headline } }")
        .finish();
    let keys = keys_of(app.get(&format!("/graphql?{missing}")).await.headers(), "surrogate-key", ' ');
    assert!(keys.contains(&"missing".into()), "{keys:?}");
    // Private answers name nothing.
    let (token, _) = app.person("Reader", "READER").await;
    let (_, h, _) = app.call("GET", "/v1/articles/cup-final/comments", Some(&token), None, &[]).await;
    assert!(h.get("surrogate-key").is_none());
}

#[actix_web::test]
async fn the_header_is_configurable_for_cloudflare() {
    let app = TestApp::spawn_configured(|c| c.purges.surrogate_key_header = "Cache-Tag".into()).await;
    let id = app.story("a", "A", Some(t0() - TimeDelta::hours(1)), Story::default()).await;
    let r = app.get("/v1/articles/a").await;
    assert!(r.headers().get("surrogate-key").is_none());
    let keys = keys_of(r.headers(), "cache-tag", ',');
    assert_eq!(keys, ["dateline".to_owned(), format!("story:{id}"), format!("thread:{id}")]);
}

#[actix_web::test]
async fn public_writes_purge_what_they_changed_and_draft_edits_purge_nothing() {
    let (url, mut purges) = purge_endpoint();
    let app = TestApp::spawn_configured(|c| {
        c.purges.purge_url = Some(url.clone());
        c.purges.purge_headers = vec![secrecy::SecretString::from("Authorization: Bearer purge-token")];
        c.webhooks.webhooks_allow_private = true;
    })
    .await;
    let key = app.key(&["content:write", "content:read-drafts", "webhooks:manage"]).await;
    subscribe_to_purges(&app, &key).await;
    let before = Some(t0() - TimeDelta::hours(2));
    let story = app.story("cup", "Cup", before, Story { section: Some("sport"), ..Default::default() }).await;
    app.story("x", "X", None, Story { section: Some("city"), ..Default::default() }).await;
    let draft = app.story("draft", "Draft", None, Story::default()).await;
    let city = section_id(&app, "city").await;

    // Moving a public story between sections purges the story, both
    // section lists and the front list, with the configured header, by
    // Varnish's PURGE.
    let events_before = cache_purge_events(&app).await.len();
    let r = app
        .gql_as(
            Some(&key),
            "mutation($id: ID!, $v: Int!, $s: ID!) { updateArticle(id: $id, expectedVersion: $v, input: { sectionId: $s }) { version } }",
            json!({ "id": gid("Article", story), "v": version(&app, story).await, "s": gid("Section", city) }),
        )
        .await;
    assert!(r["data"]["updateArticle"]["version"].is_i64(), "{r}");
    let seen = until_purged(&mut purges, &[&format!("story:{story}"), "list:section:city"]).await;
    let p = seen.last().unwrap();
    assert_eq!((p.method.as_str(), p.token.as_str()), ("PURGE", "Bearer purge-token"));
    for k in ["list:front", "list:section:sport", "list:section:city", "missing", "overflow"] {
        assert!(p.keys.contains(&k.to_owned()), "{k} in {:?}", p.keys);
    }
    // The webhook committed with the write, naming the same keys.
    let events = cache_purge_events(&app).await;
    assert_eq!(events.len(), events_before + 1);
    assert!(events.last().unwrap().contains(&format!("story:{story}")));

    // A draft edit: no webhook, and nothing reaches the endpoint before the
    // next public write's purge.
    let r = app
        .gql_as(
            Some(&key),
            "mutation($id: ID!, $v: Int!) { updateArticle(id: $id, expectedVersion: $v, input: { headline: \"Still a draft\" }) { version } }",
            json!({ "id": gid("Article", draft), "v": version(&app, draft).await }),
        )
        .await;
    assert!(r["data"]["updateArticle"]["version"].is_i64(), "{r}");
    assert_eq!(cache_purge_events(&app).await.len(), events_before + 1, "a draft edit purges nothing");
    let r = app
        .gql_as(Some(&key), "mutation($id: ID!) { addCorrection(articleId: $id, text: \"A name was misspelt.\") { version } }", json!({ "id": gid("Article", story) }))
        .await;
    assert!(r["errors"].is_null(), "{r}");
    let seen = until_purged(&mut purges, &[&format!("story:{story}")]).await;
    for p in &seen {
        assert!(!p.keys.contains(&format!("story:{draft}")), "{p:?}");
    }

    // A held comment changes nothing public; approving it purges the thread.
    let (mod_token, _) = app.person("Mod", "MODERATOR").await;
    let r = app
        .gql_as(
            Some(&mod_token),
            "mutation($id: ID!) { setCommentModeration(articleId: $id, moderation: PRE) { moderation } }",
            json!({ "id": gid("Article", story) }),
        )
        .await;
    assert!(r["errors"].is_null(), "{r}");
    until_purged(&mut purges, &[&format!("thread:{story}")]).await;
    let (reader, _) = app.person("Reader", "READER").await;
    let held = app.post_comment(&reader, story, None, "Held for review").await;
    assert_eq!(held["data"]["postComment"]["comment"]["status"], "PENDING", "{held}");
    let events = cache_purge_events(&app).await.len();
    let id = held["data"]["postComment"]["comment"]["id"].as_str().unwrap().to_owned();
    let r = app
        .gql_as(
            Some(&mod_token),
            "mutation($id: ID!) { moderateComment(id: $id, status: APPROVED) { comment { status } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(r["data"]["moderateComment"]["comment"]["status"], "APPROVED", "{r}");
    let after = cache_purge_events(&app).await;
    assert_eq!(after.len(), events + 1, "only the approval purges");
    assert!(after.last().unwrap().contains(&format!("thread:{story}")));
    until_purged(&mut purges, &[&format!("thread:{story}")]).await;
}

#[actix_web::test]
async fn fastly_and_cloudflare_get_the_keys_in_their_bodies() {
    for (format, field) in
        [(api::config::PurgeFormat::Fastly, "surrogate_keys"), (api::config::PurgeFormat::Cloudflare, "tags")]
    {
        let (url, mut purges) = purge_endpoint();
        let app = TestApp::spawn_configured(|c| {
            c.purges.purge_url = Some(url.clone());
            c.purges.purge_format = format;
        })
        .await;
        let story = app.story("a", "A", Some(t0() - TimeDelta::hours(1)), Story::default()).await;
        let key = app.key(&["content:write"]).await;
        let r = app
            .gql_as(
                Some(&key),
                "mutation($id: ID!) { unpublishArticle(id: $id) { version } }",
                json!({ "id": gid("Article", story) }),
            )
            .await;
        assert!(r["errors"].is_null(), "{r}");
        let seen = until_purged(&mut purges, &[&format!("story:{story}"), "list:other"]).await;
        let p = seen.last().unwrap();
        assert_eq!(p.method, "POST");
        assert!(p.body[field].as_array().is_some_and(|k| k.len() == p.keys.len()), "{:?}", p.body);
    }
}

#[actix_web::test]
async fn a_purge_url_that_is_not_one_stops_the_server_at_start() {
    let started = TestApp::try_spawn_configured(|c| c.purges.purge_url = Some("not a url".into())).await;
    let Err(e) = started else { panic!("started with a bad purge URL") };
    assert!(e.to_string().contains("DATELINE_PURGE_URL"), "{e}");
    let started = TestApp::try_spawn_configured(|c| {
        c.purges.purge_url = Some("http://127.0.0.1:9/".into());
        c.purges.purge_headers = vec![secrecy::SecretString::from("no colon here s3cret")];
    })
    .await;
    let Err(e) = started else { panic!("started with a bad purge header") };
    assert!(!e.to_string().contains("s3cret"), "never shows the value: {e}");
}

fn gid(kind: &str, id: uuid::Uuid) -> String {
    use api::graphql::ids::{Kind, encode};
    let kind = match kind {
        "Article" => Kind::Article,
        "User" => Kind::User,
        _ => Kind::Section,
    };
    encode(kind, id).0
}

async fn version(app: &TestApp, id: uuid::Uuid) -> i32 {
    use sea_orm::EntityTrait;
    entity::article::Entity::find_by_id(id).one(&app.state.db).await.unwrap().unwrap().version
}

async fn section_id(app: &TestApp, slug: &str) -> uuid::Uuid {
    let slug = api::domain::slug::Slug::parse(slug).unwrap();
    api::domain::taxonomy::section_by_slug(&app.state.db, &slug).await.unwrap().unwrap().id
}

#[actix_web::test]
async fn each_purge_is_sent_again_once_a_while_later() {
    // A cache that was fetching an answer when the purge came stores the
    // old answer afterwards; the second purge drops it.
    let (url, mut purges) = purge_endpoint();
    let app = TestApp::spawn_configured(|c| {
        c.purges.purge_url = Some(url.clone());
        c.purges.purge_again_ms = 300;
    })
    .await;
    let key = app.key(&["content:write"]).await;
    let story = app.story("cup", "Cup", Some(t0() - TimeDelta::hours(2)), Story::default()).await;
    let other = app.story("vote", "Vote", Some(t0() - TimeDelta::hours(2)), Story::default()).await;
    while tokio::time::timeout(Duration::from_millis(600), purges.recv()).await.is_ok() {}
    app.retitle(story, &key, "Cup final").await;
    let story_key = format!("story:{story}");
    until_purged(&mut purges, &[&story_key]).await;
    let first = std::time::Instant::now();
    until_purged(&mut purges, &[&story_key]).await;
    assert!(first.elapsed() >= Duration::from_millis(250), "sent again after {:?}", first.elapsed());
    // Then no more: the next purge to arrive is another story's write, and
    // names nothing of the first write's.
    app.retitle(other, &key, "Vote counted").await;
    let next = tokio::time::timeout(Duration::from_secs(10), purges.recv()).await.unwrap().unwrap();
    assert!(next.keys.contains(&format!("story:{other}")), "{next:?}");
    assert!(!next.keys.contains(&story_key), "sent a third time: {next:?}");
    app.retitle(story, &key, "Cup final, replayed").await;
    until_purged(&mut purges, &[&format!("story:{other}")]).await;
    let next = tokio::time::timeout(Duration::from_secs(10), purges.recv()).await.unwrap().unwrap();
    assert!(next.keys.contains(&story_key), "{next:?}");
    assert!(first.elapsed() < Duration::from_secs(10));
}

#[actix_web::test]
async fn a_person_purges_only_the_threads_their_comments_are_in() {
    let app = TestApp::spawn_configured(|c| c.webhooks.webhooks_allow_private = true).await;
    let key = app.key(&["webhooks:manage"]).await;
    subscribe_to_purges(&app, &key).await;
    let story = app.story("cup", "Cup", Some(t0() - TimeDelta::hours(2)), Story::default()).await;
    app.story("other", "Other", Some(t0() - TimeDelta::hours(2)), Story::default()).await;
    let (admin, _) = app.person("Admin", "ADMIN").await;

    // Someone who never commented shows nowhere: leaving purges nothing.
    let before = cache_purge_events(&app).await.len();
    let (quiet, _) = app.person("Quiet", "READER").await;
    let (status, _, _) = app.call("DELETE", "/v1/me", Some(&quiet), None, &[]).await;
    assert_eq!(status, 204);
    assert_eq!(cache_purge_events(&app).await.len(), before, "nothing public changed");

    // A commenter's new role shows on their bylines in that thread only.
    let (talker, talker_id) = app.person("Talker", "READER").await;
    app.comment(&talker, story, None, "First!").await;
    let before = cache_purge_events(&app).await.len();
    let r = app
        .gql_as(
            Some(&admin),
            "mutation($id: ID!) { setUserRole(id: $id, role: MODERATOR) { user { role } } }",
            json!({ "id": gid("User", talker_id) }),
        )
        .await;
    assert!(r["errors"].is_null(), "{r}");
    let events = cache_purge_events(&app).await;
    assert_eq!(events.len(), before + 1, "{events:?}");
    let keys = events.last().unwrap();
    assert!(keys.contains(&format!("thread:{story}")), "{keys:?}");
    assert!(!keys.contains(&"dateline".to_owned()), "not everything: {keys:?}");

    // Leaving takes their name off that thread, and purges it alone.
    let (status, _, _) = app.call("DELETE", "/v1/me", Some(&talker), None, &[]).await;
    assert_eq!(status, 204);
    let events = cache_purge_events(&app).await;
    let keys = events.last().unwrap();
    assert!(keys.contains(&format!("thread:{story}")) && !keys.contains(&"dateline".to_owned()), "{keys:?}");
}

#[actix_web::test]
async fn a_new_draft_and_its_related_list_purge_nothing() {
    let app = TestApp::spawn_configured(|c| c.webhooks.webhooks_allow_private = true).await;
    let key = app.key(&["webhooks:manage", "content:write"]).await;
    subscribe_to_purges(&app, &key).await;
    app.story(
        "cup",
        "Cup",
        Some(t0() - TimeDelta::hours(2)),
        Story { tags: &["football"], ..Default::default() },
    )
    .await;
    app.refresh_related().await;
    let before = cache_purge_events(&app).await.len();
    let draft = app.story("plan", "Plan", None, Story { tags: &["football"], ..Default::default() }).await;
    assert!(app.refresh_related().await > 0, "the draft's list and its neighbours' were ranked");
    let events = cache_purge_events(&app).await;
    for keys in &events[before..] {
        assert!(
            !keys.contains(&format!("related:{draft}")),
            "a draft's list shows in previews only: {keys:?}"
        );
    }
}

#[actix_web::test]
async fn a_command_that_writes_purges_the_cache_in_front_as_the_server_does() {
    let (url, mut purges) = purge_endpoint();
    let app = TestApp::spawn().await;
    let story = app.story("cup", "Cup", Some(t0() - TimeDelta::hours(2)), Story::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("archive.ndjson");
    let db = app.state.config.db.database_url.clone();
    let command = |args: &[&str]| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_dateline"));
        c.args(args).env("DATABASE_URL", &db).env_remove("RUST_LOG");
        c
    };
    let out = command(&["export", file.to_str().unwrap()]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut line: Value = serde_json::from_str(std::fs::read_to_string(&file).unwrap().trim()).unwrap();
    line["headline"] = json!("Cup final");
    std::fs::write(&file, format!("{line}\n")).unwrap();

    // The operator's environment names the cache in front, as the
    // server's does.
    let mut import = command(&["import", file.to_str().unwrap()]);
    import.env("DATELINE_PURGE_URL", &url).env("DATELINE_PURGE_AGAIN_MS", "200");
    let out = tokio::task::spawn_blocking(move || import.output().unwrap()).await.unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("1 updated"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // An import may touch anything the public sees: everything is purged.
    until_purged(&mut purges, &["dateline"]).await;
    // Sent again before the command exited.
    let again = tokio::time::timeout(Duration::from_millis(100), purges.recv()).await;
    assert!(again.is_ok_and(|p| p.is_some_and(|p| p.keys.contains(&"dateline".to_owned()))), "sent again");
    let (_, story) = app.get_json(&format!("/v1/articles/{story}")).await;
    assert_eq!(story["headline"], "Cup final");
}
