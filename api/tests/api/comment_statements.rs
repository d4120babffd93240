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
    let app = TestApp::spawn().await;
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
    assert_eq!(costs[0], costs[1]);
    assert_eq!(costs[2], costs[3]);
    assert!(costs[3] <= 14, "{costs:?}");

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
    assert_eq!(rest[0], rest[1]);
    assert!(rest[2] <= rest[1] + 3, "a signed-in reader adds the session and reactions: {rest:?}");
}
