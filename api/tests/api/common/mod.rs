//! The test harness: a real Dateline on a random port, against a fresh
//! database with the real migrations. SQLite (a temp file) by default;
//! `TEST_DATABASE_URL=postgres://…` or `mysql://…` (a server URL whose user
//! may create databases) gives each test its own database there instead.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod raw;
pub mod receiver;

use api::clock::Clock;
use api::config::Config;
use api::domain::accounts::{Actor, Scope, api_keys};
use api::domain::body::from_markdown;
use api::fixtures::{self, NewArticle};
use api::state::AppState;
use chrono::{DateTime, TimeZone, Utc};
use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};
use std::net::TcpListener;
use uuid::Uuid;

pub struct TestApp {
    pub addr: String,
    pub state: AppState,
    /// The background workers, for a test that stops them to read what
    /// they did once no step is running.
    pub workers: api::workers::Runner,
    pub client: reqwest::Client,
    _dir: Option<tempfile::TempDir>,
}

/// For tests that count what a read costs the database: no answer is
/// served from memory (`read_cache` counts what the cache saves).
pub fn uncached(c: &mut Config) {
    c.read_cache.read_cache_mb = 0;
}

/// Tests start at a known instant and move the clock by hand.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()
}

pub async fn fresh_database() -> (String, Option<tempfile::TempDir>) {
    let Some(admin) = std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.is_empty()) else {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
        return (url, Some(dir));
    };
    let name = format!("dateline_test_{}", Uuid::new_v4().simple());
    let conn = Database::connect(&admin).await.expect("TEST_DATABASE_URL must be reachable");
    let create = if admin.starts_with("mysql") {
        format!("CREATE DATABASE {name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    } else {
        format!("CREATE DATABASE {name}")
    };
    conn.execute_unprepared(&create).await.unwrap();
    conn.close().await.ok();
    let mut url = url::Url::parse(&admin).unwrap();
    url.set_path(&format!("/{name}"));
    (url.to_string(), None)
}

impl TestApp {
    pub async fn spawn() -> Self {
        let (url, dir) = fresh_database().await;
        Self::spawn_on(url, dir).await
    }

    /// An app on a database URL the test prepared itself.
    pub async fn spawn_on(url: String, dir: Option<tempfile::TempDir>) -> Self {
        Self::spawn_with(url, dir, |_| {}).await
    }

    /// An app with some settings changed.
    pub async fn spawn_configured(change: impl FnOnce(&mut Config)) -> Self {
        let (url, dir) = fresh_database().await;
        Self::spawn_with(url, dir, change).await
    }

    /// Like `spawn_configured`, but a listener that cannot bind is an
    /// answer rather than a panic (a port picked in advance may be taken).
    pub async fn try_spawn_configured(
        change: impl FnOnce(&mut Config),
    ) -> Result<Self, api::startup::StartError> {
        let (url, dir) = fresh_database().await;
        Self::try_spawn_with(url, dir, change).await
    }

    pub async fn spawn_with(
        url: String,
        dir: Option<tempfile::TempDir>,
        change: impl FnOnce(&mut Config),
    ) -> Self {
        Self::try_spawn_with(url, dir, change).await.unwrap()
    }

    async fn try_spawn_with(
        url: String,
        dir: Option<tempfile::TempDir>,
        change: impl FnOnce(&mut Config),
    ) -> Result<Self, api::startup::StartError> {
        if std::env::var_os("TEST_LOG").is_some() {
            let _ = tracing_subscriber::fmt().with_test_writer().try_init();
        }
        let mut config = Config::for_database(url);
        config.db.db_max_connections = 4;
        change(&mut config);
        let state = api::startup::prepare(config, Clock::fixed(t0())).await?;
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = format!("http://{}", listener.local_addr().unwrap());
        let server = api::startup::run(state.clone(), listener)?;
        let workers = server.workers();
        actix_web::rt::spawn(server.serve_until(std::future::pending()));
        let app = Self { addr, state, workers, client: reqwest::Client::new(), _dir: dir };
        // Ready once it hears the other instances' notices (PostgreSQL).
        let start = std::time::Instant::now();
        while app.get("/readyz").await.status() != 200 {
            assert!(start.elapsed() < std::time::Duration::from_secs(10), "never ready");
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
        Ok(app)
    }

    /// A test app with the demo stories loaded.
    pub async fn with_demo() -> Self {
        let app = Self::spawn().await;
        fixtures::demo::load_if_empty(&app.state.db, app.state.clock.now()).await.unwrap();
        app
    }

    /// Delivers every webhook due now, as the dispatcher's steps would;
    /// how many deliveries it tried.
    pub async fn deliver_webhooks(&self) -> usize {
        api::workers::webhooks::Dispatcher::new(
            self.state.db.clone(),
            self.state.clock.clone(),
            (*self.state.webhooks).clone(),
        )
        .unwrap()
        .drain()
        .await
        .unwrap()
    }

    pub fn backend(&self) -> sea_orm::DatabaseBackend {
        self.state.db.get_database_backend()
    }

    pub async fn gql(&self, query: &str, variables: Value) -> Value {
        self.client
            .post(format!("{}/graphql", self.addr))
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// A new API key with these scopes (e.g. `["content:write"]`).
    pub async fn key(&self, scopes: &[&str]) -> String {
        let scopes: Vec<Scope> = scopes.iter().map(|s| Scope::parse(s).unwrap()).collect();
        api_keys::create(&self.state.db, "test", &scopes, None, self.state.clock.now()).await.unwrap().1
    }

    /// Moves the clock one second on, so writes get distinct times.
    pub fn clock_tick(&self) {
        self.state.clock.advance(chrono::TimeDelta::seconds(1));
    }

    /// A signed-in person with this role: their session token and id.
    pub async fn person(&self, name: &str, role: &str) -> (String, Uuid) {
        use api::domain::accounts::{Role, users};
        use api::domain::people::registration::{self, Registration};
        let reg = Registration {
            email: format!("{}@example.com", name.to_lowercase().replace(' ', ".")),
            password: "correct horse battery staple".into(),
            display_name: name.into(),
        };
        let c = &self.state.community;
        let now = self.state.clock.now();
        let s = registration::register(
            &self.state.db,
            &c.throttle,
            &Actor::anonymous(),
            reg,
            now,
            c.session_ttl,
            "Dateline",
        )
        .await
        .unwrap();
        let role = Role::parse(role).unwrap();
        if role != Role::Reader {
            users::set_role(&self.state.db, &Actor::system(), s.user.id, role, now).await.unwrap();
        }
        (s.token, s.user.id)
    }

    /// Posts a comment over GraphQL as `token`; the whole answer.
    pub async fn post_comment(&self, token: &str, article: Uuid, parent: Option<&str>, body: &str) -> Value {
        self.gql_as(
            Some(token),
            "mutation($i: PostCommentInput!) { postComment(input: $i) { comment { id uuid status depth body { html text } replyCount } } }",
            json!({ "i": { "articleId": article.to_string(), "parentId": parent, "body": body } }),
        )
        .await
    }

    /// The id of the comment `post_comment` made, failing the test otherwise.
    pub async fn comment(&self, token: &str, article: Uuid, parent: Option<&str>, body: &str) -> String {
        let r = self.post_comment(token, article, parent, body).await;
        r["data"]["postComment"]["comment"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("posting failed: {r}"))
            .to_owned()
    }

    /// A key that had every scope, then was revoked.
    pub async fn revoked_key(&self) -> String {
        let (row, secret) =
            api_keys::create(&self.state.db, "revoked", &Scope::ALL, None, self.state.clock.now())
                .await
                .unwrap();
        api_keys::revoke(&self.state.db, row.id, self.state.clock.now()).await.unwrap();
        secret
    }

    pub async fn gql_as(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut r = self.client.post(format!("{}/graphql", self.addr));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.json(&json!({ "query": query, "variables": variables })).send().await.unwrap().json().await.unwrap()
    }

    /// Sends a REST request; returns status, headers and the JSON body (Null when empty).
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> (u16, reqwest::header::HeaderMap, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut r = self.client.request(method, format!("{}{path}", self.addr));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        for (k, v) in headers {
            r = r.header(*k, *v);
        }
        if let Some(b) = body {
            r = r.json(&b);
        }
        let resp = r.send().await.unwrap();
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap();
        (status, headers, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Changes a story's headline over REST as `key`; the answer's headers.
    pub async fn retitle(&self, id: Uuid, key: &str, headline: &str) -> reqwest::header::HeaderMap {
        let path = format!("/v1/articles/{id}");
        let (status, headers, body) =
            self.call("PATCH", &path, Some(key), Some(json!({ "headline": headline })), &[]).await;
        assert_eq!(status, 200, "{body}");
        headers
    }

    /// Everything a write could touch, to prove a refused write touched nothing.
    pub async fn fingerprint(&self) -> String {
        use sea_orm::{EntityTrait, PaginatorTrait};
        let db = &self.state.db;
        // Every row of what a refused write could touch, in full; the
        // append-only logs by their size.
        async fn rows<E: EntityTrait>(db: &sea_orm::DatabaseConnection) -> String
        where
            E::Model: std::fmt::Debug,
        {
            let mut all: Vec<String> =
                E::find().all(db).await.unwrap().into_iter().map(|m| format!("{m:?}")).collect();
            all.sort();
            all.join("\n")
        }
        let tables = [
            rows::<entity::article::Entity>(db).await,
            rows::<entity::article_body::Entity>(db).await,
            rows::<entity::article_tag::Entity>(db).await,
            rows::<entity::article_author::Entity>(db).await,
            rows::<entity::section::Entity>(db).await,
            rows::<entity::tag::Entity>(db).await,
            rows::<entity::author::Entity>(db).await,
            rows::<entity::media::Entity>(db).await,
            rows::<entity::comment::Entity>(db).await,
            rows::<entity::webhook_endpoint::Entity>(db).await,
            rows::<entity::app_user::Entity>(db).await,
        ];
        format!(
            "{} events={} related={} idem={} deliveries={} moderation={}",
            tables.join("\n--\n"),
            entity::change_event::Entity::find().count(db).await.unwrap(),
            entity::article_related::Entity::find().count(db).await.unwrap(),
            entity::idempotency_key::Entity::find().count(db).await.unwrap(),
            entity::webhook_delivery::Entity::find().count(db).await.unwrap(),
            entity::moderation_action::Entity::find().count(db).await.unwrap(),
        )
    }

    /// The change feed so far, as "entity action slug" lines.
    pub async fn feed(&self) -> Vec<String> {
        use sea_orm::{EntityTrait, QueryOrder};
        entity::change_event::Entity::find()
            .order_by_asc(entity::change_event::Column::Seq)
            .all(&self.state.db)
            .await
            .unwrap()
            .into_iter()
            .map(|e| {
                format!("{} {} {}", e.entity_type.as_str(), e.action.as_str(), e.slug.unwrap_or_default())
            })
            .collect()
    }

    /// `POST /v1/import` of an NDJSON archive as `key`.
    pub async fn import(&self, key: &str, body: String) -> reqwest::Response {
        self.client
            .post(format!("{}/v1/import", self.addr))
            .bearer_auth(key)
            .header("content-type", "application/x-ndjson")
            .body(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(format!("{}{path}", self.addr)).send().await.unwrap()
    }

    pub async fn get_json(&self, path: &str) -> (u16, Value) {
        let r = self.get(path).await;
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// SQL statements run so far by this app's pool.
    pub fn statements(&self) -> u64 {
        self.state.statements.get()
    }

    /// The text of every statement `during` runs, and their number.
    pub async fn statements_of<F: std::future::Future>(&self, during: F) -> (F::Output, Vec<String>) {
        self.state.statements.record(true);
        let out = during.await;
        let sql = self.state.statements.recorded();
        self.state.statements.record(false);
        (out, sql)
    }

    /// Runs the related-list refresher until no list is marked stale.
    pub async fn refresh_related(&self) -> usize {
        api::domain::related::refresh::drain(&self.state.db).await.unwrap()
    }

    /// Inserts a published story with the given taxonomy slugs (created on demand).
    pub async fn story(
        &self,
        slug: &str,
        headline: &str,
        published_at: Option<DateTime<Utc>>,
        opts: Story<'_>,
    ) -> Uuid {
        let db = &self.state.db;
        let now = self.state.clock.now();
        let section_id = match opts.section {
            Some(s) => Some(ensure(db, &self.state.catalog, Term::Section, s, now).await),
            None => None,
        };
        let mut tag_ids = Vec::new();
        for t in opts.tags {
            tag_ids.push(ensure(db, &self.state.catalog, Term::Tag, t, now).await);
        }
        let mut author_ids = Vec::new();
        for a in opts.authors {
            author_ids.push(ensure(db, &self.state.catalog, Term::Author, a, now).await);
        }
        let a = NewArticle {
            slug: slug.into(),
            headline: headline.into(),
            dek: Some(format!("Dek of {headline}")),
            dateline: Some("LONDON".into()),
            blocks: from_markdown(opts.body.unwrap_or("A short test story.")),
            section_id,
            tag_ids,
            author_ids,
            hero_image_id: None,
            audio: None,
            published_at,
        };
        fixtures::insert_article(db, &a, now).await.unwrap()
    }
}

#[derive(Default, Clone, Copy)]
pub struct Story<'a> {
    pub section: Option<&'a str>,
    pub tags: &'a [&'a str],
    pub authors: &'a [&'a str],
    pub body: Option<&'a str>,
}

#[derive(Clone, Copy)]
enum Term {
    Section,
    Tag,
    Author,
}

/// The id of the section, tag or author with this slug, created through the
/// domain's own writes when missing.
async fn ensure(
    db: &sea_orm::DatabaseConnection,
    catalog: &api::domain::taxonomy::catalog::Catalog,
    term: Term,
    slug: &str,
    now: DateTime<Utc>,
) -> Uuid {
    use api::domain::taxonomy::{self, write::TermInput};
    let key = api::domain::slug::Slug::parse(slug).expect("a test slug");
    let desk = Actor::api_key(Uuid::nil(), vec![Scope::ContentWrite]);
    let input =
        || TermInput { slug: Some(slug.into()), name: Some(slug.to_uppercase()), ..Default::default() };
    let found = match term {
        Term::Section => taxonomy::section_by_slug(db, &key).await.unwrap().map(|s| s.id),
        Term::Tag => taxonomy::tag_by_slug(db, &key).await.unwrap().map(|t| t.id),
        Term::Author => taxonomy::author_by_slug(db, &key).await.unwrap().map(|a| a.id),
    };
    if let Some(id) = found {
        return id;
    }
    let id = match term {
        Term::Section => taxonomy::write::save_section(db, &desk, None, input(), now).await.unwrap().id,
        Term::Tag => taxonomy::write::save_tag(db, &desk, None, input(), now).await.unwrap().id,
        Term::Author => taxonomy::write::save_author(db, &desk, None, input(), now).await.unwrap().id,
    };
    // As the API's own writes do once committed.
    catalog.written(db).await;
    id
}

/// The `extensions.code` of the first GraphQL error.
pub fn error_code(resp: &Value) -> String {
    resp["errors"][0]["extensions"]["code"].as_str().unwrap_or("<none>").to_owned()
}

/// A Redis for the tests: `TEST_REDIS_URL`, else one on 127.0.0.1:6379,
/// else a `redis-server` of the test process's own on a free port, which
/// stops when the process ends (its shell waits on the process's pipe).
pub fn redis_url() -> String {
    static URL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    URL.get_or_init(|| {
        if let Ok(url) = std::env::var("TEST_REDIS_URL") {
            return url;
        }
        if std::net::TcpStream::connect("127.0.0.1:6379").is_ok() {
            return "redis://127.0.0.1:6379/0".into();
        }
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let script = format!(
            "redis-server --port {port} --bind 127.0.0.1 --save '' --appendonly no >/dev/null & pid=$!; read _; kill $pid"
        );
        let child = std::process::Command::new("sh")
            .args(["-c", &script])
            .stdin(std::process::Stdio::piped())
            .spawn()
            .expect("no Redis on 127.0.0.1:6379 and no redis-server to start (apt-get install redis-server)");
        // Never dropped: the pipe closes when the test process exits.
        std::mem::forget(child);
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return format!("redis://127.0.0.1:{port}/0");
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("the test's redis-server did not start on port {port}");
    })
    .clone()
}

/// The URL of a streaming replica of the test PostgreSQL server, for a
/// database of it (`postgres://…/NAME`): `TEST_REPLICA_URL`, else the one
/// `scripts/replica start` makes (or finds) on this machine.
pub fn replica_of(primary_db_url: &str) -> String {
    static BASE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let base = BASE.get_or_init(|| {
        if let Ok(url) = std::env::var("TEST_REPLICA_URL") {
            return url;
        }
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/replica");
        let out = std::process::Command::new(script).arg("start").output().expect("scripts/replica runs");
        assert!(out.status.success(), "scripts/replica start: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap().trim().lines().last().unwrap().to_owned()
    });
    let name = url::Url::parse(primary_db_url).unwrap().path().to_owned();
    let mut url = url::Url::parse(base).unwrap();
    url.set_path(&name);
    url.to_string()
}
