//! Sections, tags and authors come from memory: a story's read costs no
//! statement for its links, a rename through this instance shows at once,
//! a term made elsewhere shows the first time a story names it, and a
//! rename made elsewhere shows after the reload step.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{Story, TestApp, t0};
use api::domain::accounts::{Actor, Scope};
use api::domain::taxonomy::write::{TermInput, save_tag};
use api::workers::Worker;
use api::workers::taxonomy::CatalogReload;
use chrono::TimeDelta;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

const TAGS: &str =
    "query($slug: String) { article(slug: $slug) { tags { name } authors { name } section { name } } }";

async fn tag_names(app: &TestApp, slug: &str) -> (Vec<String>, Vec<String>) {
    let r = app.gql(TAGS, json!({ "slug": slug })).await;
    let graphql = r["data"]["article"]["tags"].as_array().unwrap_or_else(|| panic!("{r}"));
    let (status, body) = app.get_json(&format!("/v1/articles/{slug}")).await;
    assert_eq!(status, 200, "{body}");
    let names = |v: &[serde_json::Value]| v.iter().map(|t| t["name"].as_str().unwrap().to_owned()).collect();
    (names(graphql), names(body["tags"].as_array().unwrap()))
}

#[actix_web::test]
async fn links_cost_no_statement_and_renames_here_show_at_once() {
    let app = TestApp::spawn_configured(crate::common::uncached).await;
    let opts = Story { section: Some("city"), tags: &["budget", "council"], authors: &["ana"], body: None };
    app.story("story", "A story", Some(t0() - TimeDelta::hours(1)), opts).await;

    let (r, sql) = app.statements_of(app.gql(TAGS, json!({ "slug": "story" }))).await;
    assert_eq!(r["data"]["article"]["tags"], json!([{ "name": "BUDGET" }, { "name": "COUNCIL" }]), "{r}");
    assert_eq!(r["data"]["article"]["authors"], json!([{ "name": "ANA" }]));
    assert_eq!(r["data"]["article"]["section"], json!({ "name": "CITY" }));
    assert_eq!(sql.len(), 1, "the story's row only: {sql:#?}");

    let key = app.key(&["content:write"]).await;
    let (_, tags) = app.get_json("/v1/tags").await;
    let budget = tags.as_array().unwrap().iter().find(|t| t["slug"] == "budget").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, _, body) = app
        .call("PATCH", &format!("/v1/tags/{budget}"), Some(&key), Some(json!({ "name": "City budget" })), &[])
        .await;
    assert_eq!(status, 200, "{body}");
    let (graphql, rest) = tag_names(&app, "story").await;
    assert_eq!(graphql, ["City budget", "COUNCIL"]);
    assert_eq!(rest, graphql);

    let r = app
        .gql_as(
            Some(&key),
            "mutation($id: ID!) { updateTag(id: $id, input: { name: \"Council\" }) { tag { name } } }",
            json!({ "id": tag_id(&app, "council").await }),
        )
        .await;
    assert!(r["errors"].is_null(), "{r}");
    assert_eq!(tag_names(&app, "story").await.0, ["City budget", "Council"]);
}

async fn tag_id(app: &TestApp, slug: &str) -> String {
    let r = app.gql("{ tags(first: 50) { id slug } }", json!({})).await;
    let tags = r["data"]["tags"].as_array().unwrap_or_else(|| panic!("{r}"));
    tags.iter().find(|t| t["slug"] == slug).unwrap()["id"].as_str().unwrap().to_owned()
}

#[actix_web::test]
async fn terms_made_elsewhere_show_on_first_sight_and_renames_after_the_reload_step() {
    let app = TestApp::spawn().await;
    let db = &app.state.db;
    let now = app.state.clock.now();
    let desk = Actor::api_key(uuid::Uuid::nil(), vec![Scope::ContentWrite]);
    // Another instance on the same database: writes this one's catalog
    // does not hear of.
    let input =
        |name: &str| TermInput { slug: Some("storms".into()), name: Some(name.into()), ..Default::default() };
    let made = save_tag(db, &desk, None, input("Storms"), now).await.unwrap();
    let opts = Story { section: None, tags: &["storms"], authors: &[], body: None };
    app.story("storm-story", "Storm", Some(t0() - TimeDelta::hours(1)), opts).await;
    assert_eq!(tag_names(&app, "storm-story").await, (vec!["Storms".to_owned()], vec!["Storms".to_owned()]));

    save_tag(db, &desk, Some(made.id), input("Winter storms"), now).await.unwrap();
    // Until this instance reads its terms again, the name it has is shown.
    assert_eq!(tag_names(&app, "storm-story").await.0, ["Storms"]);
    let mut reload = CatalogReload {
        db: db.clone(),
        catalog: Arc::clone(&app.state.catalog),
        every: Duration::from_secs(30),
    };
    reload.tick().await;
    assert_eq!(
        tag_names(&app, "storm-story").await,
        (vec!["Winter storms".to_owned()], vec!["Winter storms".to_owned()])
    );
}
