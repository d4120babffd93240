//! A page of articles costs the same number of SQL statements whatever its
//! size: relations are batch-loaded, never fetched per article.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{Story, TestApp, t0};
use chrono::TimeDelta;
use serde_json::json;

async fn seeded(n: i64) -> TestApp {
    let app = TestApp::spawn_configured(crate::common::uncached).await;
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

/// The article page a reader opens: the story with its body, byline,
/// section and tags, and five related stories.
const ARTICLE_PAGE: &str = "query($slug: String) { article(slug: $slug) { headline dek body { html } publishedAt
  authors { name } section { name } tags { name } related(first: 5) { article { headline slug publishedAt } } } }";

#[actix_web::test]
async fn an_article_page_costs_one_statement_and_reads_a_body_only_when_asked() {
    let app = seeded(30).await;
    app.refresh_related().await;
    let (r, sql) = app.statements_of(app.gql(ARTICLE_PAGE, json!({ "slug": "story-4" }))).await;
    assert!(r["errors"].is_null(), "{r}");
    let a = &r["data"]["article"];
    assert!(a["body"]["html"].as_str().unwrap().contains("short test story"), "{r}");
    assert_eq!(a["related"].as_array().unwrap().len(), 5, "{r}");
    assert_eq!(a["tags"].as_array().unwrap().len(), 2);
    // The story with its body and its related list in one statement. Links
    // are on the rows, their names in memory.
    assert_eq!(sql.len(), 1, "{sql:#?}");
    assert_eq!(sql.iter().filter(|s| s.contains("body_html")).count(), 1, "{sql:#?}");

    let no_body = ARTICLE_PAGE.replace("body { html }", "");
    let (r, sql) = app.statements_of(app.gql(&no_body, json!({ "slug": "story-4" }))).await;
    assert!(r["errors"].is_null(), "{r}");
    assert_eq!(sql.len(), 1, "{sql:#?}");
    assert!(sql.iter().all(|s| !s.contains("body_")), "no body bytes without a body field: {sql:#?}");

    // A body asked for on a list item comes batched, in one statement for the page.
    let q = "{ articles(first: 10) { edges { node { body { text } } } } }";
    let (r, sql) = app.statements_of(app.gql(q, json!({}))).await;
    assert!(r["errors"].is_null(), "{r}");
    assert_eq!(sql.len(), 2, "{sql:#?}");
}

#[actix_web::test]
async fn a_section_page_and_rest_reads_cost_a_fixed_few_statements() {
    let app = seeded(60).await;
    app.refresh_related().await;
    let q = "{ articles(first: 20, filter: { section: \"climate\" }) { edges { node { headline slug dek publishedAt authors { name } } } } }";
    let (r, sql) = app.statements_of(app.gql(q, json!({}))).await;
    assert_eq!(r["data"]["articles"]["edges"].as_array().unwrap().len(), 20, "{r}");
    // The section's id, the page, the bylines.
    assert_eq!(sql.len(), 1, "{sql:#?}");
    assert!(sql.iter().all(|s| !s.contains("body_")), "{sql:#?}");
    // Bylines only: neither tags nor sections are read for them.
    assert!(sql.iter().all(|s| !s.contains("article_tag") && !s.contains("JOIN section")), "{sql:#?}");
    assert!(r["data"]["articles"]["edges"][0]["node"]["authors"][0]["name"].is_string(), "{r}");

    let ((status, body), sql) = app.statements_of(app.get_json("/v1/articles/story-4")).await;
    assert_eq!(status, 200);
    assert!(body["body"]["html"].is_string());
    // Story and body, corrections (no pictures here; links are on the row).
    assert_eq!(sql.len(), 2, "{sql:#?}");
    let ((status, body), sql) = app.statements_of(app.get_json("/v1/articles/story-4/related?limit=5")).await;
    assert_eq!((status, body["items"].as_array().unwrap().len()), (200, 5), "{body}");
    // The source with its list, the corrections of the stories listed.
    assert_eq!(sql.len(), 2, "{sql:#?}");
    assert!(sql.iter().all(|s| !s.contains("body_")), "{sql:#?}");
}
