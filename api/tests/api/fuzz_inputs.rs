//! Property-based fuzzing of everything Dateline parses itself: GraphQL
//! documents before the engine sees them, cursors, global ids, filters,
//! Markdown and block bodies, and `If-Match`. None may panic or overflow
//! the stack, and what they accept must be well-formed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use api::domain::articles::ArticleFilter;
use api::domain::body::{self, from_markdown};
use api::domain::pagination::Cursor;
use api::graphql::ids;
use api::graphql::limits::{self, DocumentLimits};
use api::rest::article_input::ArticleWrite;
use api::rest::write_support::{parse_body, parse_if_match};
use chrono::Utc;
use proptest::prelude::*;
use sea_orm::DatabaseBackend;

/// Fragments of GraphQL syntax, so random documents nest, quote and
/// comment in all the ways the lexical scan must follow.
fn graphql_soup() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "{",
        "}",
        "[",
        "]",
        "(",
        ")",
        "a",
        "articles",
        "\"",
        "\"\"\"",
        "\\",
        "#",
        "\n",
        "...",
        ":",
        "$v",
        "1",
        "on",
        "fragment F",
        "query",
        "@include(if: true)",
        " ",
        ",",
        "\u{0}",
        "é",
    ]);
    prop::collection::vec(pieces, 0..4_000).prop_map(|v| v.concat())
}

fn config() -> ProptestConfig {
    ProptestConfig { cases: 400, failure_persistence: None, ..ProptestConfig::default() }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn graphql_documents_are_judged_without_panicking(doc in graphql_soup()) {
        let mut req = async_graphql::Request::new(doc);
        let _ = limits::check(&mut req, &DocumentLimits::default());
    }

    #[test]
    fn deep_brackets_are_always_refused(depth in 33usize..200_000, kind in 0usize..3) {
        let (open, close) = [("[", "]"), ("{a:", "}"), ("(", ")")][kind];
        let doc = format!("{{ a(b: {}1{}) }}", open.repeat(depth), close.repeat(depth));
        let mut req = async_graphql::Request::new(doc);
        prop_assert!(limits::check(&mut req, &DocumentLimits::default()).is_err());
    }

    #[test]
    fn cursors_decode_or_are_refused(s in any::<String>(), micros in 0i64..4_000_000_000_000_000, id in any::<u128>()) {
        let _ = Cursor::decode(&s, "after");
        let c = Cursor { at: chrono::DateTime::from_timestamp_micros(micros).unwrap(), id: uuid::Uuid::from_u128(id) };
        prop_assert_eq!(Cursor::decode(&c.encode(), "after").unwrap(), c);
    }

    #[test]
    fn global_ids_decode_or_are_refused(s in any::<String>()) {
        if let Ok((kind, uuid)) = ids::decode(&s, "id") {
            prop_assert_eq!(ids::decode(&ids::encode(kind, uuid), "id").unwrap(), (kind, uuid));
        }
    }

    #[test]
    fn filters_validate_and_build_on_every_backend(search in any::<String>(), section in any::<String>()) {
        let f = ArticleFilter { search: Some(search), section: Some(section), ..Default::default() };
        if f.validate().is_ok() {
            for backend in [DatabaseBackend::Sqlite, DatabaseBackend::Postgres, DatabaseBackend::MySql] {
                let _ = f.condition(backend, Utc::now());
            }
        }
    }

    #[test]
    fn markdown_renders_to_safe_html(md in any::<String>()) {
        let blocks = from_markdown(&md);
        if let Ok(r) = body::render(&blocks) {
            let html = r.html.to_ascii_lowercase();
            prop_assert!(!html.contains("<script"), "{}", r.html);
            prop_assert!(!html.contains("javascript:"), "{}", r.html);
            for href in html.split("href=\"").skip(1).filter_map(|rest| rest.split('"').next()) {
                prop_assert!(!href.starts_with("//") && !href.contains('\\'), "{}", r.html);
                prop_assert!(!href.chars().any(char::is_control), "{}", r.html);
            }
        }
    }

    #[test]
    fn block_bodies_parse_or_are_refused(text in any::<String>(), href in any::<String>(), level in any::<i32>()) {
        let body = serde_json::json!({ "slug": "s", "headline": "h", "bodyBlocks": [
            { "type": "paragraph", "spans": [{ "text": text, "href": href }] },
            { "type": "heading", "level": level, "spans": [{ "text": "x" }] },
        ]});
        if let Ok(w) = parse_body::<ArticleWrite>(body.to_string().as_bytes())
            && let Ok(changes) = w.into_changes()
            && let Some(b) = changes.body
        {
            let _ = body::render(&b.blocks());
        }
    }

    #[test]
    fn json_bodies_of_any_bytes_are_refused_cleanly(bytes in prop::collection::vec(any::<u8>(), 0..2_000)) {
        let _ = parse_body::<ArticleWrite>(&bytes).map(|w| w.into_changes());
    }

    #[test]
    fn if_match_values_parse_or_are_refused(bytes in prop::collection::vec(any::<u8>(), 0..64), v in 0..=i32::MAX) {
        let _ = parse_if_match(&bytes);
        prop_assert_eq!(parse_if_match(format!("W/\"{v}-abc\"").as_bytes()).unwrap(), v);
    }
}
