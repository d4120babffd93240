//! The GraphQL read API, as a web frontend uses it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{Story, TestApp, error_code, t0};
use chrono::TimeDelta;
use serde_json::json;

const FULL: &str = r#"query($slug: String) { article(slug: $slug) {
  id slug headline dek dateline status publishedAt updatedAt
  heroImage { url alt caption width height credit { text photographer agency license } }
  corrections { text publishedAt }
  authors { name slug } section { name slug } tags { name slug }
  body { html text blocks { __typename
    ... on ParagraphBlock { spans { text marks href } }
    ... on QuoteBlock { spans { text } }
    ... on HeadingBlock { level spans { text } }
    ... on ListBlock { ordered items { spans { text } } } } }
  wordCount readingTimeMinutes audio { url durationSeconds mimeType } commentsStatus commentCount version
} }"#;

#[actix_web::test]
async fn the_reference_story_is_served_completely() {
    let app = TestApp::with_demo().await;
    let r = app.gql(FULL, json!({ "slug": "harris-amlo-migration-talks" })).await;
    let a = &r["data"]["article"];
    assert!(r["errors"].is_null(), "{r}");
    assert_eq!(a["dateline"], "MEXICO CITY, MEXICO");
    assert_eq!(a["dek"], "The conversation is unlikely to stay on immigration.");
    assert_eq!(a["status"], "PUBLISHED");
    assert_eq!(a["heroImage"]["credit"]["text"], "Photo: Hector Vivas/Getty Images");
    assert_eq!(a["heroImage"]["credit"]["photographer"], "Hector Vivas");
    assert_eq!(a["heroImage"]["credit"]["agency"], "Getty Images");
    assert_eq!(a["heroImage"]["width"], 2048);
    assert!(a["heroImage"]["caption"].as_str().unwrap().contains("National Palace"));
    assert_eq!(a["authors"][0]["slug"], "ana-ruiz");
    assert_eq!(a["authors"][1]["slug"], "sam-okafor");
    assert_eq!(a["section"]["slug"], "politics");
    assert_eq!(a["tags"].as_array().unwrap().len(), 4);
    assert_eq!(a["audio"]["mimeType"], "audio/mpeg");
    assert_eq!(a["audio"]["durationSeconds"], 412);
    assert_eq!(a["commentsStatus"], "OPEN");
    assert_eq!(a["corrections"].as_array().unwrap().len(), 1);
    let blocks = a["body"]["blocks"].as_array().unwrap();
    let kinds: Vec<&str> = blocks.iter().map(|b| b["__typename"].as_str().unwrap()).collect();
    assert!(
        kinds.contains(&"QuoteBlock") && kinds.contains(&"HeadingBlock") && kinds.contains(&"ListBlock"),
        "{kinds:?}"
    );
    let link = blocks
        .iter()
        .flat_map(|b| b["spans"].as_array().cloned().unwrap_or_default())
        .find(|s| !s["href"].is_null())
        .unwrap();
    assert_eq!(link["href"], "https://www.example.org/sembrando-vida-review");
    assert!(a["body"]["html"].as_str().unwrap().contains("<blockquote>"));
    assert!(a["body"]["html"].as_str().unwrap().contains("rel=\"noopener noreferrer\""));
    assert!(a["body"]["text"].as_str().unwrap().contains("Sembrando Vida"));
    let words = a["wordCount"].as_i64().unwrap();
    assert!(words > 100, "{words}");
    assert_eq!(a["readingTimeMinutes"], (words + 229) / 230);

    // The same story by its global id, and through node(id).
    let id = a["id"].as_str().unwrap();
    let by_id = app.gql("query($id: ID) { article(id: $id) { slug } }", json!({ "id": id })).await;
    assert_eq!(by_id["data"]["article"]["slug"], "harris-amlo-migration-talks");
    let node = app
        .gql("query($id: ID!) { node(id: $id) { id ... on Article { headline } } }", json!({ "id": id }))
        .await;
    assert_eq!(node["data"]["node"]["id"], id);
}

#[actix_web::test]
async fn unknown_and_hidden_articles_are_null() {
    let app = TestApp::with_demo().await;
    for slug in ["no-such-story", "Not A Slug"] {
        let q = format!("{{ article(slug: \"{slug}\") {{ id }} section(slug: \"{slug}\") {{ id }} }}");
        let r = app.gql(&q, json!({})).await;
        assert!(
            r["data"]["article"].is_null() && r["data"]["section"].is_null() && r["errors"].is_null(),
            "{r}"
        );
    }
    // Drafts are invisible to anonymous readers, by slug and in lists.
    let r = app.gql("{ article(slug: \"draft-border-budget\") { id } }", json!({})).await;
    assert!(r["data"]["article"].is_null(), "{r}");
    let r = app.gql("{ articles(first: 100) { totalCount edges { node { slug } } } }", json!({})).await;
    let slugs: Vec<&str> = r["data"]["articles"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["slug"].as_str().unwrap())
        .collect();
    assert!(!slugs.contains(&"draft-border-budget"));
    assert_eq!(r["data"]["articles"]["totalCount"], json!(slugs.len()), "{r}");
}

#[actix_web::test]
async fn scheduled_stories_appear_when_their_time_passes() {
    let app = TestApp::spawn().await;
    app.story("later", "Later", Some(t0() + TimeDelta::hours(2)), Story::default()).await;
    app.story("archived", "Archived", Some(t0() - TimeDelta::hours(2)), Story::default()).await;
    use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
    entity::article::Entity::update_many()
        .set(entity::article::ActiveModel {
            status: Set(entity::article::StoredStatus::Archived),
            ..Default::default()
        })
        .filter(entity::article::Column::Slug.eq("archived"))
        .exec(&app.state.db)
        .await
        .unwrap();
    let q = "{ article(slug: \"later\") { status } archived: article(slug: \"archived\") { status } articles { totalCount } }";
    let r = app.gql(q, json!({})).await;
    assert!(r["data"]["article"].is_null(), "{r}");
    assert!(r["data"]["archived"].is_null(), "{r}");
    assert_eq!(r["data"]["articles"]["totalCount"], 0);
    app.state.clock.advance(TimeDelta::hours(3));
    let r = app.gql(q, json!({})).await;
    assert_eq!(r["data"]["article"]["status"], "PUBLISHED", "{r}");
    assert_eq!(r["data"]["articles"]["totalCount"], 1);
}

#[actix_web::test]
async fn pages_forward_and_backward_with_cursors() {
    let app = TestApp::spawn().await;
    for i in 0..7 {
        // Two stories share each timestamp, so the id tie-breaker matters.
        app.story(
            &format!("s{i}"),
            &format!("Story {i}"),
            Some(t0() - TimeDelta::hours(i / 2)),
            Story::default(),
        )
        .await;
    }
    let q = "query($first: Int, $after: String, $last: Int, $before: String) {
      articles(first: $first, after: $after, last: $last, before: $before) {
        totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        edges { cursor node { slug } } } }";
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let r = app.gql(q, json!({ "first": 3, "after": after })).await;
        let c = &r["data"]["articles"];
        assert_eq!(c["totalCount"], 7, "{r}");
        for e in c["edges"].as_array().unwrap() {
            seen.push(e["node"]["slug"].as_str().unwrap().to_owned());
        }
        if !c["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            break;
        }
        after = c["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    assert_eq!(seen.len(), 7);
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 7, "no duplicates across pages: {seen:?}");

    // Backward from the end gives the same order as forward.
    let r = app.gql(q, json!({ "last": 3 })).await;
    let back: Vec<&str> = r["data"]["articles"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["slug"].as_str().unwrap())
        .collect();
    assert_eq!(back, seen[4..].iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(r["data"]["articles"]["pageInfo"]["hasPreviousPage"], true);
    let before = r["data"]["articles"]["pageInfo"]["startCursor"].as_str().unwrap().to_owned();
    let r = app.gql(q, json!({ "last": 2, "before": before })).await;
    let prev: Vec<&str> = r["data"]["articles"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["slug"].as_str().unwrap())
        .collect();
    assert_eq!(prev, seen[2..4].iter().map(String::as_str).collect::<Vec<_>>());

    // Oldest first is the exact reverse.
    let r = app
        .gql("{ articles(first: 10, orderBy: PUBLISHED_AT_ASC) { edges { node { slug } } } }", json!({}))
        .await;
    let mut asc: Vec<String> = r["data"]["articles"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["slug"].as_str().unwrap().to_owned())
        .collect();
    asc.reverse();
    assert_eq!(asc, seen);
}

#[actix_web::test]
async fn filters_by_section_tag_author_date_and_search() {
    let app = TestApp::spawn().await;
    let h = |n| Some(t0() - TimeDelta::hours(n));
    app.story(
        "solar",
        "Solar farms spread",
        h(1),
        Story {
            section: Some("climate"),
            tags: &["energy"],
            authors: &["ana"],
            body: Some("Panels cover the desert near the reservoir."),
        },
    )
    .await;
    app.story(
        "vote",
        "Turnout rises",
        h(30),
        Story {
            section: Some("politics"),
            tags: &["elections"],
            authors: &["sam"],
            body: Some("Voters queued for hours at the precinct."),
        },
    )
    .await;
    app.story(
        "wind",
        "Offshore wind stalls",
        h(50),
        Story {
            section: Some("climate"),
            tags: &["energy", "shipping"],
            authors: &["sam"],
            body: Some("Turbines wait at the port for vessels."),
        },
    )
    .await;
    let slugs = |r: &serde_json::Value| -> Vec<String> {
        r["data"]["articles"]["edges"]
            .as_array()
            .unwrap_or(&vec![])
            .iter()
            .map(|e| e["node"]["slug"].as_str().unwrap().to_owned())
            .collect()
    };
    let q = "query($f: ArticleFilterInput) { articles(filter: $f) { totalCount edges { node { slug } } } }";
    assert_eq!(slugs(&app.gql(q, json!({ "f": { "section": "climate" } })).await), ["solar", "wind"]);
    assert_eq!(slugs(&app.gql(q, json!({ "f": { "tag": "shipping" } })).await), ["wind"]);
    assert_eq!(slugs(&app.gql(q, json!({ "f": { "author": "sam" } })).await), ["vote", "wind"]);
    assert_eq!(slugs(&app.gql(q, json!({ "f": { "author": "sam", "tag": "energy" } })).await), ["wind"]);
    let since = (t0() - TimeDelta::hours(40)).to_rfc3339();
    assert_eq!(slugs(&app.gql(q, json!({ "f": { "publishedAfter": since } })).await), ["solar", "vote"]);
    let until = (t0() - TimeDelta::hours(10)).to_rfc3339();
    assert_eq!(slugs(&app.gql(q, json!({ "f": { "publishedBefore": until } })).await), ["vote", "wind"]);
    // Full text over the body and headline, in each backend's own index.
    assert_eq!(slugs(&app.gql(q, json!({ "f": { "search": "turbines port" } })).await), ["wind"]);
    assert_eq!(slugs(&app.gql(q, json!({ "f": { "search": "Turnout" } })).await), ["vote"]);
    assert_eq!(
        slugs(&app.gql(q, json!({ "f": { "search": "desert", "section": "politics" } })).await),
        Vec::<String>::new()
    );
    // Operators and quotes in a search are plain words, never syntax errors.
    let r = app.gql(q, json!({ "f": { "search": "\"desert\" OR (*" } })).await;
    assert!(r["errors"].is_null(), "{r}");
    assert_eq!(slugs(&r), ["solar"], "the words are `desert` and a stop word: {r}");
    for s in ["\"desert\"", "-desert", "desert*", "(desert)", "the desert"] {
        assert_eq!(slugs(&app.gql(q, json!({ "f": { "search": s } })).await), ["solar"], "{s}");
    }
    assert_eq!(
        slugs(&app.gql(q, json!({ "f": { "search": "desert OR wind" } })).await),
        Vec::<String>::new()
    );
    // Only words no backend searches alike: nothing is found, on all three.
    for s in ["the", "0", "to be or not"] {
        let r = app.gql(q, json!({ "f": { "search": s } })).await;
        assert!(r["errors"].is_null(), "{s}: {r}");
        assert_eq!(slugs(&r), Vec::<String>::new(), "{s}");
    }
    // Taxonomy objects list their own stories.
    let r = app.gql("{ section(slug: \"climate\") { name articles(first: 5) { totalCount } } tags { slug } authors { slug } }", json!({})).await;
    assert_eq!(r["data"]["section"]["articles"]["totalCount"], 2, "{r}");
    assert_eq!(r["data"]["tags"].as_array().unwrap().len(), 3);
}

#[actix_web::test]
async fn bad_input_gets_bad_user_input_naming_the_argument() {
    let app = TestApp::with_demo().await;
    let cases = [
        ("{ articles(first: 101) { totalCount } }", "first"),
        ("{ articles(first: -1) { totalCount } }", "first"),
        ("{ articles(last: 500) { totalCount } }", "last"),
        ("{ articles(after: \"not-a-cursor\") { totalCount } }", "after"),
        ("{ articles(filter: { section: \"Not A Slug!\" }) { totalCount } }", "filter.section"),
        ("{ articles(filter: { search: \"  !!  \" }) { totalCount } }", "filter.search"),
        ("{ article(id: \"bm9wZQ\") { id } }", "id"),
        ("{ node(id: \"%%%\") { id } }", "id"),
    ];
    for (q, path) in cases {
        let r = app.gql(q, json!({})).await;
        assert_eq!(error_code(&r), "BAD_USER_INPUT", "{q}: {r}");
        assert_eq!(r["errors"][0]["extensions"]["fields"][0]["path"], path, "{q}: {r}");
    }
    // A value of the wrong type is caught before execution, with the same code.
    let r =
        app.gql("{ articles(filter: { publishedAfter: \"yesterday\" }) { totalCount } }", json!({})).await;
    assert_eq!(error_code(&r), "BAD_USER_INPUT", "{r}");
    // Taxonomy lists share one page-size rule with REST.
    let r = app.gql("{ tags(first: 501) { slug } }", json!({})).await;
    assert_eq!(
        (error_code(&r), &r["errors"][0]["extensions"]["fields"][0]["path"]),
        ("BAD_USER_INPUT".to_owned(), &json!("first")),
        "{r}"
    );
    // A document that does not parse says so, with the parser's position.
    for q in ["{ articles(first: 2", "{ articles { totalCount } } }", "query {"] {
        let r = app.gql(q, json!({})).await;
        assert_eq!(error_code(&r), "GRAPHQL_PARSE_FAILED", "{q}: {r}");
        assert!(r["errors"][0]["message"].as_str().unwrap().contains("-->"), "{q}: {r}");
    }
    // An unknown field is a validation error, not a parse error.
    let r = app.gql("{ nope }", json!({})).await;
    assert_eq!(error_code(&r), "GRAPHQL_VALIDATION_FAILED", "{r}");
}

#[actix_web::test]
async fn over_deep_and_over_complex_queries_are_refused() {
    let app = TestApp::with_demo().await;
    let deep = "{ articles { edges { node { section { articles { edges { node { section { articles { edges { node { section { articles { edges { node { slug } } } } } } } } } } } } } } } }";
    let r = app.gql(deep, json!({})).await;
    assert!(r["data"].is_null(), "{r}");
    assert_eq!(error_code(&r), "QUERY_TOO_COMPLEX", "{r}");
    let wide = "{ articles(first: 100) { edges { node { tags { articles(first: 100) { edges { node { slug headline dek } } } } } } } }";
    let r = app.gql(wide, json!({})).await;
    assert_eq!(error_code(&r), "QUERY_TOO_COMPLEX", "{r}");
}
