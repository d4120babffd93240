//! Every comment and account mutation, GraphQL and REST, tried by every
//! kind of caller: anonymous, a revoked key, a content key, a moderation
//! key, the comment's author, another reader, a banned reader, a moderator
//! and an admin. Each answer is the expected code, and a refused attempt
//! changes nothing in the database.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{Story, TestApp, error_code, t0};
use chrono::TimeDelta;
use sea_orm::{EntityTrait, PaginatorTrait, QueryOrder};
use serde_json::{Value, json};
use std::collections::HashMap;

async fn fingerprint(app: &TestApp) -> String {
    let db = &app.state.db;
    let comments: Vec<String> = entity::comment::Entity::find()
        .order_by_asc(entity::comment::Column::Id)
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|c| {
            format!(
                "{}:{}:{}:{}:{}:{}:{:?}:{}",
                c.id,
                c.status.as_str(),
                c.body_raw,
                c.reply_count,
                c.reaction_count,
                c.flag_count,
                c.featured_at,
                c.revision
            )
        })
        .collect();
    let users: Vec<String> = entity::app_user::Entity::find()
        .order_by_asc(entity::app_user::Column::Id)
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|u| {
            format!(
                "{}:{}:{}:{:?}",
                u.id,
                u.role.as_str(),
                sea_orm::ActiveEnum::to_value(&u.status),
                u.suspended_until
            )
        })
        .collect();
    let articles: Vec<String> = entity::article::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|a| format!("{}:{}:{:?}", a.id, a.comment_count, a.comment_moderation))
        .collect();
    format!(
        "{comments:?} {users:?} {articles:?} reactions={} flags={} log={} events={}",
        entity::comment_reaction::Entity::find().count(db).await.unwrap(),
        entity::comment_flag::Entity::find().count(db).await.unwrap(),
        entity::moderation_action::Entity::find().count(db).await.unwrap(),
        entity::comment_event::Entity::find().count(db).await.unwrap(),
    )
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Who {
    Anonymous,
    RevokedKey,
    ContentKey,
    ModerationKey,
    Author,
    OtherReader,
    Banned,
    Moderator,
    Admin,
}

const EVERYONE: [Who; 9] = [
    Who::Anonymous,
    Who::RevokedKey,
    Who::ContentKey,
    Who::ModerationKey,
    Who::Author,
    Who::OtherReader,
    Who::Banned,
    Who::Moderator,
    Who::Admin,
];

/// What each caller gets: "ok" or the refusal code.
fn expected(op: &str, who: Who) -> &'static str {
    use Who::*;
    match (who, op) {
        (Anonymous, _) | (RevokedKey, _) => "UNAUTHENTICATED",
        // People take part; keys do not.
        (ContentKey | ModerationKey, "post" | "edit" | "react" | "flag") => "FORBIDDEN",
        (Banned, "post" | "react" | "flag" | "edit") => "FORBIDDEN",
        (Author, "flag") => "BAD_USER_INPUT",
        (_, "post" | "react" | "flag") => "ok",
        (Author, "edit" | "delete") => "ok",
        (_, "edit") => "FORBIDDEN",
        (ModerationKey | Moderator | Admin, "delete" | "moderate" | "feature" | "premod" | "ban") => "ok",
        (_, "delete" | "moderate" | "feature" | "premod" | "ban") => "FORBIDDEN",
        (Admin, "role") => "ok",
        (_, "role") => "FORBIDDEN",
        _ => "?",
    }
}

#[actix_web::test]
async fn every_caller_against_every_comment_mutation() {
    let app = TestApp::spawn().await;
    let article = app.story("matrix", "Matrix", Some(t0() - TimeDelta::hours(1)), Story::default()).await;
    let mut tokens: HashMap<Who, Option<String>> = HashMap::new();
    tokens.insert(Who::Anonymous, None);
    tokens.insert(Who::RevokedKey, Some(app.revoked_key().await));
    tokens.insert(Who::ContentKey, Some(app.key(&["content:write", "content:read-drafts"]).await));
    tokens.insert(Who::ModerationKey, Some(app.key(&["comments:moderate"]).await));
    let (author, _) = app.person("Author", "READER").await;
    tokens.insert(Who::Author, Some(author.clone()));
    tokens.insert(Who::OtherReader, Some(app.person("Other", "READER").await.0));
    let (banned, banned_id) = app.person("Banned", "READER").await;
    tokens.insert(Who::Banned, Some(banned));
    tokens.insert(Who::Moderator, Some(app.person("Moderator", "MODERATOR").await.0));
    tokens.insert(Who::Admin, Some(app.person("Admin", "ADMIN").await.0));
    let (_, target_user) = app.person("Target", "READER").await;
    let target_gid = api::graphql::ids::encode(api::graphql::ids::Kind::User, target_user).0;
    let article_gid = api::graphql::ids::encode(api::graphql::ids::Kind::Article, article).0;
    // The banned reader's own comment, written before the ban.
    let banned_comment =
        app.comment(tokens[&Who::Banned].as_deref().unwrap(), article, None, "before my ban").await;
    api::domain::people::standing::change(
        &app.state.db,
        &api::domain::accounts::Actor::system(),
        banned_id,
        api::domain::people::standing::Change::Ban,
        None,
        t0(),
    )
    .await
    .unwrap();
    // Banned, they may still delete their own words.
    let r = app
        .gql_as(
            tokens[&Who::Banned].as_deref(),
            "mutation($id: ID!) { deleteComment(id: $id) { comment { status } } }",
            json!({ "id": banned_comment }),
        )
        .await;
    assert_eq!(r["data"]["deleteComment"]["comment"]["status"], "DELETED", "{r}");

    let ops = ["post", "edit", "delete", "react", "flag", "moderate", "feature", "premod", "ban", "role"];
    let mut tried = 0;
    for op in ops {
        for who in EVERYONE {
            for api in ["graphql", "rest"] {
                if api == "rest" && matches!(op, "feature" | "premod" | "ban" | "role") {
                    continue; // GraphQL only, for now.
                }
                app.clock_tick();
                // A fresh comment by the author for each attempt.
                let target = app.comment(&author, article, None, &format!("target {op} {who:?} {api}")).await;
                let uuid = api::domain::token::decode(&target).unwrap().split_once(':').unwrap().1.to_owned();
                let token = tokens[&who].as_deref();
                let before = fingerprint(&app).await;
                let outcome = match api {
                    "graphql" => {
                        let (q, vars) = match op {
                            "post" => (
                                "mutation($a: ID!, $b: String!) { postComment(input: { articleId: $a, body: $b }) { comment { id } } }",
                                json!({ "a": article_gid, "b": format!("new words {who:?} {api}") }),
                            ),
                            "edit" => (
                                "mutation($id: ID!) { editComment(id: $id, body: \"edited\") { comment { id } } }",
                                json!({ "id": target }),
                            ),
                            "delete" => (
                                "mutation($id: ID!) { deleteComment(id: $id) { comment { id } } }",
                                json!({ "id": target }),
                            ),
                            "react" => (
                                "mutation($id: ID!) { reactToComment(id: $id) { comment { id } } }",
                                json!({ "id": target }),
                            ),
                            "flag" => (
                                "mutation($id: ID!) { flagComment(id: $id, reason: SPAM) { comment { id } } }",
                                json!({ "id": target }),
                            ),
                            "moderate" => (
                                "mutation($id: ID!) { moderateComment(id: $id, status: REJECTED) { comment { id } } }",
                                json!({ "id": target }),
                            ),
                            "feature" => (
                                "mutation($id: ID!) { featureComment(id: $id) { comment { id } } }",
                                json!({ "id": target }),
                            ),
                            "premod" => (
                                "mutation($a: ID!) { setCommentModeration(articleId: $a, moderation: POST) { articleId } }",
                                json!({ "a": article_gid }),
                            ),
                            "ban" => (
                                "mutation($u: ID!) { suspendUser(id: $u, until: \"2026-07-01T00:00:00Z\") { user { id } } }",
                                json!({ "u": target_gid }),
                            ),
                            "role" => (
                                "mutation($u: ID!) { setUserRole(id: $u, role: READER) { user { id } } }",
                                json!({ "u": target_gid }),
                            ),
                            _ => unreachable!(),
                        };
                        let r = app.gql_as(token, q, vars).await;
                        if r["errors"].is_null() { "ok".to_owned() } else { error_code(&r) }
                    }
                    _ => {
                        let (method, path, body): (&str, String, Option<Value>) = match op {
                            "post" => (
                                "POST",
                                "/v1/articles/matrix/comments".into(),
                                Some(json!({ "body": format!("new words {who:?} {api}") })),
                            ),
                            "edit" => {
                                ("PATCH", format!("/v1/comments/{uuid}"), Some(json!({ "body": "edited" })))
                            }
                            "delete" => ("DELETE", format!("/v1/comments/{uuid}"), None),
                            "react" => ("POST", format!("/v1/comments/{uuid}/reactions"), None),
                            "flag" => (
                                "POST",
                                format!("/v1/comments/{uuid}/flags"),
                                Some(json!({ "reason": "SPAM" })),
                            ),
                            "moderate" => (
                                "POST",
                                format!("/v1/comments/{uuid}/moderation"),
                                Some(json!({ "status": "REJECTED" })),
                            ),
                            _ => unreachable!(),
                        };
                        let (status, headers, p) = app.call(method, &path, token, body, &[]).await;
                        if (200..300).contains(&status) {
                            "ok".to_owned()
                        } else {
                            assert_eq!(headers["content-type"], "application/problem+json");
                            p["code"].as_str().unwrap().to_owned()
                        }
                    }
                };
                let want = expected(op, who);
                assert_eq!(outcome, want, "{api} {op} as {who:?}");
                if want != "ok" {
                    assert_eq!(
                        fingerprint(&app).await,
                        before,
                        "{api} {op} as {who:?} was refused but changed something"
                    );
                }
                tried += 1;
            }
        }
    }
    assert_eq!(tried, 9 * (10 * 2 - 4));
}
