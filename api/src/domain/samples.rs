//! Rows and callers for the unit tests of pure rules.

use super::accounts::{Actor, Member, Role, Scope};
use chrono::{DateTime, TimeZone, Utc};
use entity::article::{CommentsStatus, StoredStatus};
use entity::comment::CommentStatus;
use uuid::Uuid;

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).single().unwrap_or_default()
}

pub fn story() -> entity::article::Model {
    entity::article::Model {
        id: Uuid::nil(),
        slug: "s".into(),
        external_id: None,
        headline: "Headline".into(),
        dek: Some("Dek".into()),
        dateline: None,
        status: StoredStatus::Published,
        published_at: Some(t0()),
        section_id: None,
        hero_image_id: None,
        seo_title: None,
        seo_description: None,
        canonical_url: None,
        audio_url: None,
        audio_duration_seconds: None,
        audio_mime_type: None,
        comments_status: CommentsStatus::Open,
        comment_count: 0,
        comment_moderation: None,
        word_count: 0,
        version: 1,
        feed_public: true,
        author_ids: String::new(),
        tag_ids: String::new(),
        created_at: t0(),
        updated_at: t0(),
    }
}

pub fn comment(author: Uuid, status: CommentStatus) -> entity::comment::Model {
    entity::comment::Model {
        id: Uuid::from_u128(7),
        article_id: Uuid::nil(),
        user_id: author,
        parent_id: None,
        root_id: None,
        reply_to_id: None,
        depth: 0,
        body_raw: "words".into(),
        body_html: "<p>words</p>".into(),
        body_text: "words".into(),
        status,
        hold_reason: None,
        revision: 1,
        reply_count: 0,
        reaction_count: 0,
        flag_count: 0,
        featured_at: None,
        created_at: t0(),
        edited_at: None,
        updated_at: t0(),
    }
}

pub fn person(n: u128, role: Role) -> Actor {
    Actor::member(Member {
        id: Uuid::from_u128(n),
        role,
        banned: false,
        suspended_until: None,
        session_hash: String::new(),
    })
}

pub fn key(scopes: &[Scope]) -> Actor {
    Actor::api_key(Uuid::from_u128(99), scopes.to_vec())
}
