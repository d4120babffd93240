//! Counts never drift: 50 clients post, reply, react and delete at once,
//! then every count is recomputed from the rows and none needs repair. And
//! the recount does repair a count that was broken behind Dateline's back.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{Story, TestApp, t0};
use chrono::TimeDelta;
use serde_json::json;

const REACT: &str = "mutation($id: ID!) { reactToComment(id: $id) { comment { id } } }";
const DELETE: &str = "mutation($id: ID!) { deleteComment(id: $id) { comment { id } } }";

#[actix_web::test]
async fn fifty_concurrent_clients_leave_no_count_to_repair() {
    let app = TestApp::spawn_configured(|c| c.db.db_max_connections = 8).await;
    let article = app.story("busy", "Busy", Some(t0() - TimeDelta::hours(1)), Story::default()).await;
    let mut people = Vec::new();
    for i in 0..50 {
        people.push(app.person(&format!("Client {i}"), "READER").await.0);
    }
    let mut tops = Vec::new();
    for (i, token) in people.iter().enumerate().take(5) {
        tops.push(app.comment(token, article, None, &format!("seed {i}")).await);
    }
    let work = people.iter().enumerate().map(|(i, token)| {
        let app = &app;
        let tops = &tops;
        async move {
            let parent = &tops[i % tops.len()];
            let mine = app.comment(token, article, Some(parent), &format!("reply from {i}")).await;
            for t in tops.iter().take(1 + i % 3) {
                let r = app.gql_as(Some(token), REACT, json!({ "id": t })).await;
                assert!(r["errors"].is_null(), "{r}");
            }
            let r = app.gql_as(Some(token), REACT, json!({ "id": mine })).await;
            assert!(r["errors"].is_null(), "{r}");
            if i % 4 == 0 {
                let r = app.gql_as(Some(token), DELETE, json!({ "id": mine })).await;
                assert!(r["errors"].is_null(), "{r}");
            }
            // A second tap takes one reaction back.
            if i % 5 == 0 {
                let r = app.gql_as(Some(token), REACT, json!({ "id": tops[0] })).await;
                assert!(r["errors"].is_null(), "{r}");
            }
        }
    });
    futures_util::future::join_all(work).await;

    let repairs = api::domain::comments::recount::recount(&app.state.db).await.unwrap();
    assert!(repairs.is_empty(), "counts drifted: {repairs:?}");
    // And the counts say what a reader sees: 5 top-level + 50 replies - 13 deleted.
    let r = app.gql("{ article(slug: \"busy\") { commentCount } }", json!({})).await;
    assert_eq!(r["data"]["article"]["commentCount"], 5 + 50 - 13, "{r}");
}

#[actix_web::test]
async fn the_recount_repairs_and_reports_what_drifted() {
    let app = TestApp::spawn().await;
    let article = app.story("drift", "Drift", Some(t0() - TimeDelta::hours(1)), Story::default()).await;
    let (a, _) = app.person("A", "READER").await;
    let top = app.comment(&a, article, None, "top").await;
    app.comment(&a, article, Some(&top), "reply").await;
    use sea_orm::{ConnectionTrait, Statement};
    let db = &app.state.db;
    db.execute_raw(Statement::from_string(
        db.get_database_backend(),
        "UPDATE article SET comment_count = 99",
    ))
    .await
    .unwrap();
    db.execute_raw(Statement::from_string(
        db.get_database_backend(),
        "UPDATE comment SET reply_count = 7, reaction_count = 3",
    ))
    .await
    .unwrap();
    let repairs = api::domain::comments::recount::recount(db).await.unwrap();
    let mut what: Vec<(&str, i64, i64)> = repairs.iter().map(|r| (r.what, r.stored, r.actual)).collect();
    what.sort();
    assert_eq!(
        what,
        [
            ("article.commentCount", 99, 2),
            ("comment.reactionCount", 3, 0),
            ("comment.reactionCount", 3, 0),
            ("comment.replyCount", 7, 0),
            ("comment.replyCount", 7, 1),
        ]
    );
    assert!(api::domain::comments::recount::recount(db).await.unwrap().is_empty());
}

#[actix_web::test]
async fn both_apis_tell_the_same_comment_count_of_a_disabled_thread() {
    let app = TestApp::spawn().await;
    let id = app.story("quiet", "Quiet", Some(t0() - TimeDelta::hours(1)), Story::default()).await;
    let (alice, _) = app.person("Alice", "READER").await;
    app.comment(&alice, id, None, "one").await;
    app.comment(&alice, id, None, "two").await;
    let key = app.key(&["content:write"]).await;
    let read = async || {
        let g = app.gql("{ article(slug: \"quiet\") { commentCount } }", json!({})).await;
        let (_, r) = app.get_json("/v1/articles/quiet").await;
        (g["data"]["article"]["commentCount"].clone(), r["commentCount"].clone())
    };
    assert_eq!(read().await, (json!(2), json!(2)));
    let (s, _, b) = app
        .call(
            "PATCH",
            &format!("/v1/articles/{id}"),
            Some(&key),
            Some(json!({ "commentsStatus": "DISABLED" })),
            &[],
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["commentCount"], 0, "the write's answer agrees: {b}");
    assert_eq!(read().await, (json!(0), json!(0)), "disabled: none shown, in either API");
    let (s, _, _) = app
        .call(
            "PATCH",
            &format!("/v1/articles/{id}"),
            Some(&key),
            Some(json!({ "commentsStatus": "OPEN" })),
            &[],
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(read().await, (json!(2), json!(2)), "the stored count comes back with the thread");
}
