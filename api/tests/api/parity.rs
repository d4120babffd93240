//! Both APIs read each resource through the same domain view, so every
//! field they share says the same thing: a story, a comment, a webhook
//! delivery and a change-feed entry, each read through GraphQL and REST.

use crate::common::{Story, TestApp, t0};
use chrono::TimeDelta;
use serde_json::{Value, json};

/// Every field of `graphql` that REST also has, compared; the fields
/// compared are returned, so a test also shows it compared something.
fn same_shared_fields(what: &str, graphql: &Value, rest: &Value, skip: &[&str]) -> Vec<String> {
    let (Some(g), Some(r)) = (graphql.as_object(), rest.as_object()) else {
        panic!("{what}: not objects: {graphql} / {rest}");
    };
    let mut compared = Vec::new();
    for (k, v) in g {
        if skip.contains(&k.as_str()) {
            continue;
        }
        let Some(rv) = r.get(k) else { continue };
        // Instants compare as instants: GraphQL writes `+00:00`, REST `Z`.
        let instant = |x: &Value| x.as_str().and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok());
        match (instant(v), instant(rv)) {
            (Some(a), Some(b)) => assert_eq!(a, b, "{what}.{k}: GraphQL {v} / REST {rv}"),
            _ => assert_eq!(v, rv, "{what}.{k}: GraphQL {v} / REST {rv}"),
        }
        compared.push(k.clone());
    }
    compared
}

#[actix_web::test]
async fn a_story_and_a_comment_read_the_same_through_both_apis() {
    let app = TestApp::spawn().await;
    let id = app.story("twin", "Twin", Some(t0() - TimeDelta::hours(2)), Story::default()).await;
    let (alice, _) = app.person("Alice", "READER").await;
    let comment = app.comment(&alice, id, None, "Same **both** ways").await;

    let g = app
        .gql(
            "{ article(slug: \"twin\") { slug headline dek dateline status publishedAt scheduledAt createdAt \
             updatedAt version wordCount readingTimeMinutes commentsStatus commentCount url externalId } }",
            json!({}),
        )
        .await;
    let (_, r) = app.get_json("/v1/articles/twin").await;
    let compared = same_shared_fields("article", &g["data"]["article"], &r, &[]);
    assert!(compared.len() >= 15, "{compared:?}");

    let g = app
        .gql(
            "query($id: ID!) { comment(id: $id) { uuid status depth replyCount reactionCount \
             createdAt editedAt body { html text } } }",
            json!({ "id": comment }),
        )
        .await;
    let (_, r) = app.get_json(&format!("/v1/articles/{id}/comments")).await;
    let rest = r["items"][0].clone();
    let uuid = rest["id"].as_str().unwrap().to_owned();
    let mut g = g["data"]["comment"].clone();
    g["id"] = g["uuid"].take();
    let compared = same_shared_fields("comment", &g, &rest, &["uuid"]);
    assert!(compared.len() >= 7, "{compared:?} / {rest}");

    // As a moderator sees a flagged comment, and as its author sees themself.
    let (moderator, _) = app.person("Mo", "MODERATOR").await;
    let (s, _, _) = app
        .call(
            "POST",
            &format!("/v1/comments/{uuid}/flags"),
            Some(&moderator),
            Some(json!({ "reason": "SPAM" })),
            &[],
        )
        .await;
    assert_eq!(s, 200);
    let g = app
        .gql_as(
            Some(&moderator),
            "query($id: ID!) { comment(id: $id) { status holdReason flagCount body { html text } author { displayName isStaff } } }",
            json!({ "id": comment }),
        )
        .await;
    let (_, _, r) = app
        .call(
            "GET",
            &format!("/v1/moderation/queue?status={}", g["data"]["comment"]["status"].as_str().unwrap()),
            Some(&moderator),
            None,
            &[],
        )
        .await;
    let rest = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == uuid.as_str())
        .cloned()
        .unwrap_or_else(|| panic!("{r}"));
    let compared = same_shared_fields("moderated comment", &g["data"]["comment"], &rest, &["author"]);
    assert!(compared.contains(&"flagCount".to_owned()), "{compared:?} / {rest}");
    same_shared_fields("byline", &g["data"]["comment"]["author"], &rest["author"], &[]);

    // A held comment: why it waits is shown alike.
    let gid = app.gql("{ article(slug: \"twin\") { id } }", json!({})).await["data"]["article"]["id"].clone();
    let r = app
        .gql_as(
            Some(&moderator),
            "mutation($a: ID!) { setCommentModeration(articleId: $a, moderation: PRE) { __typename } }",
            json!({ "a": gid }),
        )
        .await;
    assert!(r["errors"].is_null(), "{r}");
    let held = app.comment(&alice, id, None, "Wait for me").await;
    let g = app
        .gql_as(
            Some(&moderator),
            "query($id: ID!) { comment(id: $id) { status holdReason flagCount } }",
            json!({ "id": held }),
        )
        .await;
    assert_eq!(g["data"]["comment"]["holdReason"], "PRE_MODERATION", "{g}");
    let (_, _, r) = app.call("GET", "/v1/moderation/queue", Some(&moderator), None, &[]).await;
    let compared = same_shared_fields("held comment", &g["data"]["comment"], &r["items"][0], &[]);
    assert_eq!(compared, ["flagCount", "holdReason", "status"], "{r}");

    let g = app
        .gql_as(
            Some(&alice),
            "{ me { uuid displayName email role isStaff banned suspendedUntil createdAt } }",
            json!({}),
        )
        .await;
    let (_, _, rest) = app.call("GET", "/v1/me", Some(&alice), None, &[]).await;
    let mut g = g["data"]["me"].clone();
    g["id"] = g["uuid"].take();
    let compared = same_shared_fields("account", &g, &rest, &["uuid"]);
    assert!(compared.len() >= 7, "{compared:?} / {rest}");
}

#[actix_web::test]
async fn a_delivery_and_a_change_read_the_same_through_both_apis() {
    let app = TestApp::spawn_configured(|c| c.webhooks.webhooks_allow_private = true).await;
    let key = app.key(&["webhooks:manage", "content:write", "sync:read"]).await;
    let (s, _, e) = app
        .call(
            "POST",
            "/v1/webhooks",
            Some(&key),
            Some(json!({ "url": "http://127.0.0.1:9/hook", "events": ["article.published"] })),
            &[],
        )
        .await;
    assert_eq!(s, 201, "{e}");
    let (s, _, a) = app
        .call(
            "POST",
            "/v1/articles",
            Some(&key),
            Some(json!({ "slug": "sent", "headline": "Sent", "bodyMarkdown": "x" })),
            &[],
        )
        .await;
    assert_eq!(s, 201, "{a}");
    let aid = a["id"].as_str().unwrap().to_owned();
    let (s, _, _) = app.call("POST", &format!("/v1/articles/{aid}/publish"), Some(&key), None, &[]).await;
    assert_eq!(s, 200);
    // One attempt, refused by the closed port: a delivery with every field set.
    app.deliver_webhooks().await;

    let eid = e["id"].as_str().unwrap();
    let (_, _, rest) = app.call("GET", &format!("/v1/webhooks/{eid}"), Some(&key), None, &[]).await;
    let g = app
        .gql_as(
            Some(&key),
            "{ webhookEndpoints { url description events enabled disabledReason failingSince createdAt updatedAt } }",
            json!({}),
        )
        .await;
    let mut g = g["data"]["webhookEndpoints"][0].clone();
    // GraphQL's enum ARTICLE_PUBLISHED is REST's article.published.
    let dotted: Vec<String> = g["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap().to_lowercase().replacen('_', ".", 1))
        .collect();
    g["events"] = json!(dotted);
    assert_eq!(rest["events"], json!(["article.published"]));
    let compared = same_shared_fields("endpoint", &g, &rest, &[]);
    assert!(compared.len() >= 8, "{compared:?} / {rest}");
    let (_, _, list) =
        app.call("GET", &format!("/v1/webhooks/{eid}/deliveries"), Some(&key), None, &[]).await;
    let rest = list["items"][0].clone();
    let g = app
        .gql_as(
            Some(&key),
            "{ webhookEndpoints { deliveries(first: 5) { nodes { eventType status attempts nextAttemptAt \
             lastStatusCode lastError createdAt deliveredAt payload messageId } } } }",
            json!({}),
        )
        .await;
    let mut g = g["data"]["webhookEndpoints"][0]["deliveries"]["nodes"][0].clone();
    // GraphQL's enum ARTICLE_PUBLISHED is REST's article.published.
    g["eventType"] = json!(g["eventType"].as_str().unwrap().to_lowercase().replacen('_', ".", 1));
    assert_eq!(g["messageId"], format!("msg_{}", rest["id"].as_str().unwrap().replace('-', "")));
    // REST gives the payload as JSON, GraphQL as the text sent.
    g["payload"] = serde_json::from_str(g["payload"].as_str().unwrap()).unwrap();
    let compared = same_shared_fields("delivery", &g, &rest, &[]);
    assert!(compared.len() >= 9, "{compared:?}");
    assert_eq!(rest["status"], "PENDING");
    assert_eq!(rest["attempts"], 1);

    let (_, _, feed) = app.call("GET", "/v1/sync?limit=10", Some(&key), None, &[]).await;
    let g = app
        .gql_as(
            Some(&key),
            "{ changes(first: 10) { edges { node { cursor event entity at externalId } } } }",
            json!({}),
        )
        .await;
    let nodes: Vec<Value> = g["data"]["changes"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{g}"))
        .iter()
        .map(|e| e["node"].clone())
        .collect();
    let items = feed["items"].as_array().unwrap();
    assert_eq!(nodes.len(), items.len());
    assert!(!items.is_empty());
    for (gn, rn) in nodes.iter().zip(items) {
        let mut gn = gn.clone();
        // GraphQL's enums are upper case; REST's names are the feed's own.
        gn["entity"] = json!(gn["entity"].as_str().unwrap().to_lowercase());
        let compared = same_shared_fields("change", &gn, rn, &[]);
        assert!(compared.len() >= 4, "{compared:?}");
    }
}

#[actix_web::test]
async fn an_unknown_stored_value_is_an_error_not_a_guess() {
    use sea_orm::ConnectionTrait;
    let app = TestApp::spawn().await;
    let id = app.story("odd", "Odd", Some(t0() - TimeDelta::hours(1)), Story::default()).await;
    let (alice, _) = app.person("Alice", "READER").await;
    let cid = app.comment(&alice, id, None, "fine").await;
    let read =
        || app.gql_as(Some(&alice), "query($id: ID!) { comment(id: $id) { status } }", json!({ "id": cid }));
    assert_eq!(read().await["data"]["comment"]["status"], "APPROVED");
    // A value no version of Dateline writes (say, by hand in the database):
    // it used to read as PENDING.
    app.state.db.execute_unprepared("UPDATE comment SET status = 'ODD'").await.unwrap();
    let r = read().await;
    assert_eq!(r["errors"][0]["extensions"]["code"], "INTERNAL_SERVER_ERROR", "{r}");
    assert!(!r.to_string().contains("ODD"), "no stored value in the answer: {r}");
}
