//! The domain's unit of work: a write that loses a lock race is run again
//! whole, whichever API it came through. Forced with a real lock: another
//! connection holds the row while every connection of the app gives up a
//! lock wait after 100 ms (PostgreSQL's `lock_timeout`, set on the test
//! database), then lets go.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::TestApp;
use api::graphql::ids::{Kind, encode};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement, TransactionTrait};
use serde_json::json;
use std::time::Duration;
use uuid::Uuid;

/// Holds `table`'s row `id` locked from another connection for `hold`.
async fn hold_row(url: &str, table: &str, id: Uuid, hold: Duration) -> tokio::task::JoinHandle<()> {
    let conn: DatabaseConnection = Database::connect(url).await.unwrap();
    let txn = conn.begin().await.unwrap();
    txn.execute_raw(Statement::from_sql_and_values(
        conn.get_database_backend(),
        format!("SELECT id FROM {table} WHERE id = $1 FOR UPDATE"),
        [id.into()],
    ))
    .await
    .unwrap();
    tokio::spawn(async move {
        tokio::time::sleep(hold).await;
        txn.commit().await.unwrap();
        conn.close().await.ok();
    })
}

#[actix_web::test]
async fn a_write_that_loses_a_lock_wait_is_run_again_through_rest_and_graphql_alike() {
    let (url, dir) = crate::common::fresh_database().await;
    if !url.starts_with("postgres") {
        // A lock wait bounded per database is PostgreSQL's; MariaDB's is
        // server-wide, and SQLite's writer lock is covered by the busy
        // handler's own wait.
        return;
    }
    let admin = Database::connect(&url).await.unwrap();
    let name = url.rsplit('/').next().unwrap().to_owned();
    admin.execute_unprepared(&format!("ALTER DATABASE {name} SET lock_timeout = '100ms'")).await.unwrap();
    admin.close().await.ok();
    let app = TestApp::spawn_with(url.clone(), dir, |c| c.webhooks.webhooks_allow_private = true).await;
    let key = app.key(&["content:write", "webhooks:manage"]).await;
    let article = |slug: &str| json!({ "slug": slug, "headline": "Locked", "bodyMarkdown": "x" });
    let mut articles = Vec::new();
    let mut endpoints = Vec::new();
    for i in 0..2 {
        let (s, _, a) =
            app.call("POST", "/v1/articles", Some(&key), Some(article(&format!("locked-{i}"))), &[]).await;
        assert_eq!(s, 201, "{a}");
        articles.push(Uuid::parse_str(a["id"].as_str().unwrap()).unwrap());
        let hook = json!({ "url": "http://127.0.0.1:9/hook", "events": ["article.published"] });
        let (s, _, e) = app.call("POST", "/v1/webhooks", Some(&key), Some(hook), &[]).await;
        assert_eq!(s, 201, "{e}");
        endpoints.push(Uuid::parse_str(e["id"].as_str().unwrap()).unwrap());
    }
    let hold = Duration::from_millis(400);

    for (table, id, over_rest) in [
        ("article", articles[0], true),
        ("article", articles[1], false),
        ("webhook_endpoint", endpoints[0], true),
        ("webhook_endpoint", endpoints[1], false),
    ] {
        let released = hold_row(&url, table, id, hold).await;
        let before = api::db::counters::lost_races();
        if over_rest {
            let path =
                if table == "article" { format!("/v1/articles/{id}") } else { format!("/v1/webhooks/{id}") };
            let (status, _, body) = app.call("DELETE", &path, Some(&key), None, &[]).await;
            assert_eq!(status, 204, "REST {table}: {body}");
        } else {
            let (field, kind) = if table == "article" {
                ("deleteArticle", Kind::Article)
            } else {
                ("deleteWebhookEndpoint", Kind::WebhookEndpoint)
            };
            let r = app
                .gql_as(
                    Some(&key),
                    &format!("mutation($id: ID!) {{ {field}(id: $id) {{ deletedId }} }}"),
                    json!({ "id": encode(kind, id).0 }),
                )
                .await;
            assert!(r["errors"].is_null(), "GraphQL {table}: {r}");
            assert_eq!(r["data"][field]["deletedId"], encode(kind, id).0);
        }
        assert!(
            api::db::counters::lost_races() > before,
            "{table}: the write waited out a lock and ran again"
        );
        released.await.unwrap();
    }
}
