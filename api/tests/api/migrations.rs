//! Migrations that move data, run against rows written before them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{Story, TestApp, t0};
use api::domain::sql::split_ids;
use chrono::TimeDelta;
use entity::{article, article_author, article_tag};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;

/// Stories saved before their links were copied onto their rows get the
/// copies, in the editor's order, from the migration that adds them.
#[actix_web::test]
async fn the_link_ids_migration_copies_every_storys_links_in_order() {
    let app = TestApp::spawn().await;
    let first = Story {
        section: Some("city"),
        tags: &["zoning", "budget", "council"],
        authors: &["sam", "ana"],
        body: None,
    };
    app.story("first", "First", Some(t0() - TimeDelta::hours(1)), first).await;
    let second = Story { section: None, tags: &["budget"], authors: &[], body: None };
    app.story("second", "Second", Some(t0() - TimeDelta::hours(2)), second).await;
    let db = &app.state.db;
    // The schema as it was before: no copies, the migration not yet run.
    for col in ["author_ids", "tag_ids"] {
        db.execute_unprepared(&format!("ALTER TABLE article DROP COLUMN {col}")).await.unwrap();
    }
    db.execute_unprepared("DELETE FROM seaql_migrations WHERE version = 'm20261206_000014_article_link_ids'")
        .await
        .unwrap();
    api::db::migrate(db).await.unwrap();

    for story in article::Entity::find().all(db).await.unwrap() {
        let tags: Vec<_> = article_tag::Entity::find()
            .filter(article_tag::Column::ArticleId.eq(story.id))
            .order_by_asc(article_tag::Column::Position)
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.tag_id)
            .collect();
        let authors: Vec<_> = article_author::Entity::find()
            .filter(article_author::Column::ArticleId.eq(story.id))
            .order_by_asc(article_author::Column::Position)
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.author_id)
            .collect();
        assert_eq!(split_ids(&story.tag_ids), tags, "{}", story.slug);
        assert_eq!(split_ids(&story.author_ids), authors, "{}", story.slug);
    }
    let r = app.gql("{ article(slug: \"first\") { tags { slug } authors { slug } } }", json!({})).await;
    assert_eq!(
        r["data"]["article"],
        json!({ "tags": [{ "slug": "zoning" }, { "slug": "budget" }, { "slug": "council" }],
                "authors": [{ "slug": "sam" }, { "slug": "ana" }] }),
        "{r}"
    );
}
