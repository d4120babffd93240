//! Creating and renaming sections, tags and authors. Each write is one
//! transaction with its change-feed entry; slugs are checked for format and
//! uniqueness with every failing field named.

use super::{Author, Section, Tag};
use crate::domain::accounts::{Actor, policy};
use crate::domain::slug;
use crate::domain::sync::{self, Action, Change, Entity as Kind};
use crate::domain::tx;
use crate::error::{AppError, AppResult, Validator};
use chrono::{DateTime, Utc};
use entity::{author, media, section, tag};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    TransactionSession, TransactionTrait,
};
use uuid::Uuid;

/// Fields shared by sections, tags and authors. `None` leaves a field as
/// it is; `Some(None)` clears a nullable one.
#[derive(Debug, Clone, Default)]
pub struct TermInput {
    pub slug: Option<String>,
    pub name: Option<String>,
    /// Section description or author bio.
    pub about: Option<Option<String>>,
    /// Author avatar.
    pub avatar_id: Option<Option<Uuid>>,
}

const MAX_NAME: usize = 200;
const MAX_ABOUT: usize = 5000;

impl TermInput {
    fn check(&self, creating: bool, v: &mut Validator) {
        if creating {
            v.check(self.slug.is_some(), "input.slug", "is required");
            v.check(self.name.is_some(), "input.name", "is required");
        }
        if let Some(s) = &self.slug {
            v.check(slug::is_valid(s), "input.slug", "must be lowercase letters, digits and single hyphens");
        }
        if let Some(n) = &self.name {
            let len = n.trim().chars().count();
            v.check(len > 0 && len <= MAX_NAME, "input.name", "must be 1 to 200 characters");
        }
        if let Some(Some(a)) = &self.about {
            v.check(a.chars().count() <= MAX_ABOUT, "input.about", "must be at most 5000 characters");
        }
    }
}

fn clean(s: Option<String>) -> Option<String> {
    s.map(|x| x.trim().to_owned()).filter(|x| !x.is_empty())
}

macro_rules! slug_taken {
    ($txn:expr, $entity:ident, $slug:expr, $own:expr) => {{
        let mut q = $entity::Entity::find().filter($entity::Column::Slug.eq($slug.as_str()));
        if let Some(id) = $own {
            q = q.filter($entity::Column::Id.ne(id));
        }
        q.count($txn).await? > 0
    }};
}

pub async fn save_section<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    id: Option<Uuid>,
    input: TermInput,
    now: DateTime<Utc>,
) -> AppResult<Section> {
    policy::can_write_content(actor)?;
    let mut v = Validator::new();
    input.check(id.is_none(), &mut v);
    let txn = tx::begin(db).await?;
    let current = match id {
        Some(id) => {
            Some(section::Entity::find_by_id(id).one(&txn).await?.ok_or(AppError::NotFound("section"))?)
        }
        None => None,
    };
    if let Some(s) = &input.slug
        && slug_taken!(&txn, section, s, id)
    {
        v.push("input.slug", "is already used by another section");
    }
    v.finish()?;
    let mut row: section::ActiveModel = match current {
        Some(c) => c.into(),
        None => section::ActiveModel {
            id: Set(Uuid::now_v7()),
            description: Set(None),
            created_at: Set(now),
            ..Default::default()
        },
    };
    if let Some(s) = input.slug {
        row.slug = Set(s);
    }
    if let Some(n) = input.name {
        row.name = Set(n.trim().to_owned());
    }
    if let Some(a) = input.about {
        row.description = Set(clean(a));
    }
    row.updated_at = Set(now);
    let saved = if id.is_some() {
        section::Entity::update(row).exec(&txn).await?
    } else {
        section::Entity::insert(row).exec_with_returning(&txn).await?
    };
    record(&txn, Kind::Section, saved.id, id.is_none(), &saved.slug, now).await?;
    txn.commit().await?;
    Ok(saved)
}

pub async fn save_tag<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    id: Option<Uuid>,
    input: TermInput,
    now: DateTime<Utc>,
) -> AppResult<Tag> {
    policy::can_write_content(actor)?;
    let mut v = Validator::new();
    input.check(id.is_none(), &mut v);
    let txn = tx::begin(db).await?;
    let current = match id {
        Some(id) => Some(tag::Entity::find_by_id(id).one(&txn).await?.ok_or(AppError::NotFound("tag"))?),
        None => None,
    };
    if let Some(s) = &input.slug
        && slug_taken!(&txn, tag, s, id)
    {
        v.push("input.slug", "is already used by another tag");
    }
    v.finish()?;
    let mut row: tag::ActiveModel = match current {
        Some(c) => c.into(),
        None => tag::ActiveModel { id: Set(Uuid::now_v7()), created_at: Set(now), ..Default::default() },
    };
    if let Some(s) = input.slug {
        row.slug = Set(s);
    }
    if let Some(n) = input.name {
        row.name = Set(n.trim().to_owned());
    }
    row.updated_at = Set(now);
    let saved = if id.is_some() {
        tag::Entity::update(row).exec(&txn).await?
    } else {
        tag::Entity::insert(row).exec_with_returning(&txn).await?
    };
    record(&txn, Kind::Tag, saved.id, id.is_none(), &saved.slug, now).await?;
    txn.commit().await?;
    Ok(saved)
}

pub async fn save_author<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    id: Option<Uuid>,
    input: TermInput,
    now: DateTime<Utc>,
) -> AppResult<Author> {
    policy::can_write_content(actor)?;
    let mut v = Validator::new();
    input.check(id.is_none(), &mut v);
    let txn = tx::begin(db).await?;
    let current = match id {
        Some(id) => {
            Some(author::Entity::find_by_id(id).one(&txn).await?.ok_or(AppError::NotFound("author"))?)
        }
        None => None,
    };
    if let Some(s) = &input.slug
        && slug_taken!(&txn, author, s, id)
    {
        v.push("input.slug", "is already used by another author");
    }
    if let Some(Some(m)) = input.avatar_id
        && media::Entity::find_by_id(m).count(&txn).await? == 0
    {
        v.push("input.avatarId", "no such media");
    }
    v.finish()?;
    let mut row: author::ActiveModel = match current {
        Some(c) => c.into(),
        None => author::ActiveModel {
            id: Set(Uuid::now_v7()),
            bio: Set(None),
            avatar_id: Set(None),
            created_at: Set(now),
            ..Default::default()
        },
    };
    if let Some(s) = input.slug {
        row.slug = Set(s);
    }
    if let Some(n) = input.name {
        row.name = Set(n.trim().to_owned());
    }
    if let Some(a) = input.about {
        row.bio = Set(clean(a));
    }
    if let Some(a) = input.avatar_id {
        row.avatar_id = Set(a);
    }
    row.updated_at = Set(now);
    let saved = if id.is_some() {
        author::Entity::update(row).exec(&txn).await?
    } else {
        author::Entity::insert(row).exec_with_returning(&txn).await?
    };
    record(&txn, Kind::Author, saved.id, id.is_none(), &saved.slug, now).await?;
    txn.commit().await?;
    Ok(saved)
}

async fn record(
    db: &impl ConnectionTrait,
    kind: Kind,
    id: Uuid,
    created: bool,
    slug: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let action = if created { Action::Created } else { Action::Updated };
    sync::record(db, Change { entity: kind, id, action, version: None, slug: Some(slug) }, now).await
}
