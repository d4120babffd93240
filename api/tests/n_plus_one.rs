//! A page of articles costs the same number of SQL statements whatever its
//! size: relations are batch-loaded, never fetched per article.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::TimeDelta;
use common::{Story, TestApp, t0};
use serde_json::json;

async fn seeded(n: i64) -> TestApp {
    let app = TestApp::spawn().await;
    for i in 0..n {
        let tags =
            [["energy", "grid"], ["courts", "juries"], ["energy", "courts"]][usize::try_from(i % 3).unwrap()];
        let section = ["climate", "politics"][usize::try_from(i % 2).unwrap()];
        let authors = [["ana"], ["sam"], ["lee"]][usize::try_from(i % 3).unwrap()];
        app.story(
            &format!("story-{i}"),
            &format!("Story {i}"),
            Some(t0() - TimeDelta::minutes(i)),
            Story { section: Some(section), tags: &tags, authors: &authors, body: None },
        )
        .await;
    }
    app
}

const PAGE: &str = "query($n: Int) { articles(first: $n) { totalCount edges { node {
  headline authors { name slug } section { name } tags { name } heroImage { url } corrections { text } } } } }";

async fn graphql_cost(app: &TestApp, n: i64) -> u64 {
    let before = app.statements();
    let r = app.gql(PAGE, json!({ "n": n })).await;
    assert_eq!(r["data"]["articles"]["edges"].as_array().unwrap().len(), usize::try_from(n).unwrap(), "{r}");
    assert_eq!(r["data"]["articles"]["edges"][0]["node"]["authors"].as_array().unwrap().len(), 1);
    app.statements() - before
}

async fn rest_cost(app: &TestApp, n: i64) -> u64 {
    let before = app.statements();
    let (status, body) = app.get_json(&format!("/v1/articles?limit={n}")).await;
    assert_eq!(status, 200);
    assert_eq!(body["items"].as_array().unwrap().len(), usize::try_from(n).unwrap());
    assert_eq!(body["items"][0]["tags"].as_array().unwrap().len(), 2);
    app.statements() - before
}

#[actix_web::test]
async fn listing_50_articles_costs_what_listing_5_does() {
    let app = seeded(50).await;
    let small = graphql_cost(&app, 5).await;
    let large = graphql_cost(&app, 50).await;
    eprintln!("GraphQL statements: 5 articles = {small}, 50 articles = {large}");
    assert_eq!(small, large);
    assert!(large <= 8, "page + count + relations, got {large}");

    let small = rest_cost(&app, 5).await;
    let large = rest_cost(&app, 50).await;
    eprintln!("REST statements: 5 articles = {small}, 50 articles = {large}");
    assert_eq!(small, large);
    assert!(large <= 8, "page + relations, got {large}");
}
