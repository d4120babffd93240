//! Authors, sections and tags. Reads of stories take their names from the
//! `catalog` held in memory.

pub mod catalog;
pub mod links;
pub mod write;

use crate::domain::pagination::TERMS;
use crate::domain::slug::Slug;
use crate::domain::surrogate::{Key, Terms};
use crate::error::AppResult;
use entity::{author, section, tag};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;
use uuid::Uuid;

pub type Author = author::Model;
pub type Section = section::Model;
pub type Tag = tag::Model;

pub async fn sections_by_id(db: &impl ConnectionTrait, ids: &[Uuid]) -> AppResult<HashMap<Uuid, Section>> {
    let rows = section::Entity::find().filter(section::Column::Id.is_in(ids.iter().copied())).all(db).await?;
    Ok(rows.into_iter().map(|s| (s.id, s)).collect())
}

pub async fn authors_by_id(db: &impl ConnectionTrait, ids: &[Uuid]) -> AppResult<HashMap<Uuid, Author>> {
    let rows = author::Entity::find().filter(author::Column::Id.is_in(ids.iter().copied())).all(db).await?;
    Ok(rows.into_iter().map(|a| (a.id, a)).collect())
}

pub async fn tags_by_id(db: &impl ConnectionTrait, ids: &[Uuid]) -> AppResult<HashMap<Uuid, Tag>> {
    let rows = tag::Entity::find().filter(tag::Column::Id.is_in(ids.iter().copied())).all(db).await?;
    Ok(rows.into_iter().map(|t| (t.id, t)).collect())
}

// Slugs are unique: lookups by slug read all (at most one) rows instead of
// adding a LIMIT, which SQLite would re-plan on every call.
pub async fn section_by_slug(db: &impl ConnectionTrait, slug: &Slug) -> AppResult<Option<Section>> {
    shows(Terms::Sections);
    Ok(section::Entity::find()
        .filter(section::Column::Slug.eq(slug.as_str()))
        .all(db)
        .await?
        .into_iter()
        .next())
}

pub async fn tag_by_slug(db: &impl ConnectionTrait, slug: &Slug) -> AppResult<Option<Tag>> {
    shows(Terms::Tags);
    Ok(tag::Entity::find().filter(tag::Column::Slug.eq(slug.as_str())).all(db).await?.into_iter().next())
}

pub async fn author_by_slug(db: &impl ConnectionTrait, slug: &Slug) -> AppResult<Option<Author>> {
    shows(Terms::Authors);
    Ok(author::Entity::find()
        .filter(author::Column::Slug.eq(slug.as_str()))
        .all(db)
        .await?
        .into_iter()
        .next())
}

/// Term pages and lists show the terms of one kind, whichever write of
/// that kind changes them (a new term answers a lookup that found none).
fn shows(kind: Terms) {
    crate::domain::freshness::shows([Key::Terms(kind)]);
}

/// Largest list of authors, tags or sections returned in one call.
fn max_list() -> u64 {
    u64::try_from(TERMS.max).unwrap_or(0)
}

pub async fn list_sections(db: &impl ConnectionTrait) -> AppResult<Vec<Section>> {
    shows(Terms::Sections);
    Ok(section::Entity::find().order_by_asc(section::Column::Name).limit(max_list()).all(db).await?)
}

/// Tags by slug, keyset-paged on the unique slug.
pub async fn list_tags(
    db: &impl ConnectionTrait,
    after_slug: Option<&str>,
    limit: u64,
) -> AppResult<Vec<Tag>> {
    shows(Terms::Tags);
    let mut q = tag::Entity::find().order_by_asc(tag::Column::Slug).limit(limit.min(max_list()));
    if let Some(s) = after_slug {
        q = q.filter(tag::Column::Slug.gt(s));
    }
    Ok(q.all(db).await?)
}

/// Authors by slug, keyset-paged on the unique slug.
pub async fn list_authors(
    db: &impl ConnectionTrait,
    after_slug: Option<&str>,
    limit: u64,
) -> AppResult<Vec<Author>> {
    shows(Terms::Authors);
    let mut q = author::Entity::find().order_by_asc(author::Column::Slug).limit(limit.min(max_list()));
    if let Some(s) = after_slug {
        q = q.filter(author::Column::Slug.gt(s));
    }
    Ok(q.all(db).await?)
}
