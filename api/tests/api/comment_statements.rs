//! The article page with its thread (the story, 5 related stories, 20
//! top-level comments each with its first 3 replies, their authors and
//! counts) costs the same number of SQL statements whatever the page sizes,
//! in GraphQL and in REST.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{Story, TestApp, t0};
use chrono::TimeDelta;
use serde_json::json;

const PAGE: &str = r#"query($top: Int, $replies: Int) { article(slug: "busy") {
  headline commentCount body { html } authors { name } tags { name }
  related(first: 5) { article { headline } }
  comments(first: $top) { edges { cursor node { id body { html } replyCount reactionCount viewerHasReacted editedAt
    author { displayName isStaff }
    replies(first: $replies) { nodes { id body { text } replyCount reactionCount viewerHasReacted author { displayName isStaff } }
      pageInfo { hasNextPage endCursor } } } }
    pageInfo { hasNextPage endCursor } } } }"#;

async fn seeded() -> (TestApp, String) {
    let app = TestApp::spawn_configured(crate::common::uncached).await;
    let opts = Story { section: Some("city"), tags: &["council", "budget"], authors: &["ana"], body: None };
    let article = app.story("busy", "A busy thread", Some(t0() - TimeDelta::hours(2)), opts).await;
    for i in 0..6 {
        app.story(&format!("other-{i}"), &format!("Other {i}"), Some(t0() - TimeDelta::hours(3 + i)), opts)
            .await;
    }
    app.refresh_related().await;
    let mut people = Vec::new();
    for i in 0..5 {
        people.push(app.person(&format!("Person {i}"), if i == 0 { "MODERATOR" } else { "READER" }).await.0);
    }
    for t in 0..22 {
        app.clock_tick();
        let top = app.comment(&people[t % 5], article, None, &format!("top {t}")).await;
        for r in 0..4 {
            app.comment(&people[(t + r + 1) % 5], article, Some(&top), &format!("reply {r} to {t}")).await;
        }
    }
    let viewer = people[1].clone();
    (app, viewer)
}

#[actix_web::test]
async fn the_article_page_with_its_thread_costs_a_constant_number_of_statements() {
    let (app, viewer) = seeded().await;
    let mut costs = Vec::new();
    for (token, top, replies) in
        [(None, 2, 1), (None, 20, 3), (Some(viewer.as_str()), 2, 1), (Some(viewer.as_str()), 20, 3)]
    {
        let before = app.statements();
        let r = app.gql_as(token, PAGE, json!({ "top": top, "replies": replies })).await;
        let cost = app.statements() - before;
        let edges = r["data"]["article"]["comments"]["edges"].as_array().unwrap_or_else(|| panic!("{r}"));
        assert_eq!(edges.len(), top, "{r}");
        assert_eq!(edges[0]["node"]["replies"]["nodes"].as_array().unwrap().len(), replies);
        assert_eq!(r["data"]["article"]["related"].as_array().unwrap().len(), 5);
        assert_eq!(r["data"]["article"]["commentCount"], 22 * 5);
        costs.push(cost);
    }
    eprintln!("GraphQL statements (anonymous small, large; signed in small, large): {costs:?}");
    // The story with its body and related list; the thread page with its
    // replies, bylines and (signed in) reactions; a reader's session.
    assert_eq!(costs, [2, 2, 3, 3]);

    let mut rest = Vec::new();
    for (token, limit, replies) in [(None, 2, 1), (None, 20, 3), (Some(viewer.as_str()), 20, 3)] {
        let before = app.statements();
        let path = format!("/v1/articles/busy/comments?limit={limit}&replies={replies}");
        let (status, _, body) = app.call("GET", &path, token, None, &[]).await;
        let cost = app.statements() - before;
        assert_eq!(status, 200);
        assert_eq!(body["items"].as_array().unwrap().len(), limit);
        assert_eq!(body["items"][0]["replies"]["items"].as_array().unwrap().len(), replies);
        rest.push(cost);
    }
    eprintln!("REST statements (anonymous small, large; signed in large): {rest:?}");
    // The story; the thread page; a signed-in reader's session.
    assert_eq!(rest, [2, 2, 3]);
}

/// Replies asked for in two sizes under one page: each field gets its own
/// size (one of them read beside the page, the other on its own).
#[actix_web::test]
async fn replies_of_two_sizes_under_one_page_are_each_right() {
    let (app, viewer) = seeded().await;
    let q = r#"{ article(slug: "busy") { comments(first: 2) { nodes { uuid
        one: replies(first: 1) { nodes { body { text } } pageInfo { hasNextPage } }
        three: replies(first: 3) { nodes { body { text } } pageInfo { hasNextPage } } } } } }"#;
    let r = app.gql_as(Some(&viewer), q, json!({})).await;
    let nodes = r["data"]["article"]["comments"]["nodes"].as_array().unwrap_or_else(|| panic!("{r}"));
    assert_eq!(nodes.len(), 2);
    for n in nodes {
        let texts = |k: &str| {
            n[k]["nodes"].as_array().unwrap().iter().map(|c| c["body"]["text"].clone()).collect::<Vec<_>>()
        };
        assert_eq!(texts("one").len(), 1, "{r}");
        assert_eq!(texts("three").len(), 3, "{r}");
        assert_eq!(texts("one")[0], texts("three")[0], "{r}");
        assert_eq!(
            (n["one"]["pageInfo"]["hasNextPage"].as_bool(), n["three"]["pageInfo"]["hasNextPage"].as_bool()),
            (Some(true), Some(true))
        );
    }
}
