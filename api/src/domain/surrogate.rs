//! Surrogate keys: what a cacheable answer depends on, named so that a
//! cache in front (a CDN, Varnish) can drop every answer a write changed.
//!
//! An answer lists the keys of what it showed (`freshness::shows`): each
//! story with its section, tags and authors, each comment thread, and the
//! lists it was taken from. A write names the keys whose answers it changes
//! (`freshness::purge`); they are purged once it commits. A write the public
//! never sees (a draft edit) names none.

use crate::domain::journal::outbox::Subscribers;
use crate::domain::sql::split_ids;
use crate::error::AppResult;
use entity::article::Model as Article;
use entity::{author, comment, section, tag};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use std::fmt;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Key {
    /// Every answer: purged by the rare writes that may show anywhere
    /// (a person's name or standing, media, a recount).
    All,
    /// Answers too large to list their keys; purged by every write.
    Overflow,
    Story(Uuid),
    Section(Uuid),
    Tag(Uuid),
    Author(Uuid),
    /// A story's comments, their counts and reactions.
    Thread(Uuid),
    /// A story's related list.
    Related(Uuid),
    /// A lookup that found no public story: a story published under that
    /// name would answer it.
    Missing,
    List(List),
    /// The lists of sections, tags or authors.
    Terms(Terms),
}

/// The story lists (and feeds and sitemaps) an answer was taken from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum List {
    /// Every public story: the front list, the main feeds, the sitemaps.
    Front,
    Section(String),
    Tag(String),
    Author(String),
    /// Narrowed any other way (search, dates, status).
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Terms {
    Sections,
    Tags,
    Authors,
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::All => f.write_str("dateline"),
            Self::Overflow => f.write_str("overflow"),
            Self::Story(id) => write!(f, "story:{id}"),
            Self::Section(id) => write!(f, "section:{id}"),
            Self::Tag(id) => write!(f, "tag:{id}"),
            Self::Author(id) => write!(f, "author:{id}"),
            Self::Thread(id) => write!(f, "thread:{id}"),
            Self::Related(id) => write!(f, "related:{id}"),
            Self::Missing => f.write_str("missing"),
            Self::List(List::Front) => f.write_str("list:front"),
            Self::List(List::Section(s)) => write!(f, "list:section:{s}"),
            Self::List(List::Tag(s)) => write!(f, "list:tag:{s}"),
            Self::List(List::Author(s)) => write!(f, "list:author:{s}"),
            Self::List(List::Other) => f.write_str("list:other"),
            Self::Terms(Terms::Sections) => f.write_str("terms:sections"),
            Self::Terms(Terms::Tags) => f.write_str("terms:tags"),
            Self::Terms(Terms::Authors) => f.write_str("terms:authors"),
        }
    }
}

/// What showing a story shows: the story and the terms printed with it.
pub fn shown_with(a: &Article) -> impl Iterator<Item = Key> + '_ {
    std::iter::once(Key::Story(a.id))
        .chain(a.section_id.map(Key::Section))
        .chain(split_ids(&a.tag_ids).into_iter().map(Key::Tag))
        .chain(split_ids(&a.author_ids).into_iter().map(Key::Author))
}

/// The keys a public change to a story purges: the story and its related
/// list, every list it is in (as it stands, and as it stood before the
/// write when that is given: the lists it left), and lookups that found
/// nothing. One statement per kind of term, whatever is given.
pub async fn of_story(db: &impl ConnectionTrait, stories: &[&Article]) -> AppResult<Vec<Key>> {
    let mut keys = vec![Key::List(List::Front), Key::List(List::Other), Key::Missing];
    let (mut sections, mut tags, mut authors) = (Vec::new(), Vec::new(), Vec::new());
    for a in stories {
        keys.extend([Key::Story(a.id), Key::Related(a.id)]);
        sections.extend(a.section_id);
        tags.extend(split_ids(&a.tag_ids));
        authors.extend(split_ids(&a.author_ids));
    }
    for slug in slugs::<section::Entity>(db, section::Column::Id, section::Column::Slug, &sections).await? {
        keys.push(Key::List(List::Section(slug)));
    }
    for slug in slugs::<tag::Entity>(db, tag::Column::Id, tag::Column::Slug, &tags).await? {
        keys.push(Key::List(List::Tag(slug)));
    }
    for slug in slugs::<author::Entity>(db, author::Column::Id, author::Column::Slug, &authors).await? {
        keys.push(Key::List(List::Author(slug)));
    }
    keys.sort();
    keys.dedup();
    Ok(keys)
}

/// Names as changed what a change to a person (name, role, standing,
/// deletion) changes: the threads their comments are in, which show their
/// byline. Someone who never commented shows nowhere, and purges nothing.
/// Read before their comments are removed.
pub async fn purge_person(
    db: &impl ConnectionTrait,
    person: Uuid,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<()> {
    let threads: Vec<Uuid> = comment::Entity::find()
        .select_only()
        .column(comment::Column::ArticleId)
        .distinct()
        .filter(comment::Column::UserId.eq(person))
        .into_tuple()
        .all(db)
        .await?;
    purge(db, threads.into_iter().map(Key::Thread).collect(), now).await
}

async fn slugs<E: EntityTrait>(
    db: &impl ConnectionTrait,
    id: E::Column,
    slug: E::Column,
    ids: &[Uuid],
) -> AppResult<Vec<String>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    Ok(E::find().select_only().column(slug).filter(id.is_in(ids)).into_tuple().all(db).await?)
}

/// The keys of a list narrowed by `section`, `tag`, `author` (slugs), and
/// whether it is narrowed any other way.
pub fn of_list(section: Option<&str>, tag: Option<&str>, author: Option<&str>, other: bool) -> Vec<Key> {
    let mut keys = Vec::new();
    if let Some(s) = section {
        keys.push(Key::List(List::Section(s.to_owned())));
    }
    if let Some(t) = tag {
        keys.push(Key::List(List::Tag(t.to_owned())));
    }
    if let Some(a) = author {
        keys.push(Key::List(List::Author(a.to_owned())));
    }
    if other {
        keys.push(Key::List(List::Other));
    }
    if keys.is_empty() {
        keys.push(Key::List(List::Front));
    }
    keys
}

/// The header value naming `keys` (`All` first), joined by `separator`;
/// past `max` bytes the answer is named `Overflow` instead, which every
/// purge includes.
pub fn header_value(keys: &[Key], separator: &str, max: usize) -> String {
    let mut sorted: Vec<&Key> = keys.iter().collect();
    sorted.sort();
    sorted.dedup();
    let mut out = Key::All.to_string();
    for k in sorted.into_iter().filter(|k| **k != Key::All) {
        out.push_str(separator);
        out.push_str(&k.to_string());
    }
    if out.len() > max { format!("{}{separator}{}", Key::All, Key::Overflow) } else { out }
}

/// Names `keys` as changed by the running write: purged from the cache in
/// front once it commits (`freshness::purge`), and sent as a `cache.purge`
/// webhook, whose delivery commits with the write.
pub async fn purge(
    db: &impl ConnectionTrait,
    keys: Vec<Key>,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<()> {
    if keys.is_empty() {
        return Ok(());
    }
    let subscribers = Subscribers::load(db).await?;
    purge_for(db, &subscribers, keys, now).await
}

/// [`purge`], for a write that has read the webhook subscribers already.
pub async fn purge_for(
    db: &impl ConnectionTrait,
    subscribers: &Subscribers,
    keys: Vec<Key>,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<()> {
    if keys.is_empty() {
        return Ok(());
    }
    let named = to_purge(&keys);
    crate::domain::freshness::purge(keys);
    crate::domain::journal::outbox::cache_purge(db, subscribers, &named, now).await
}

/// The keys a purge sends: what the writes named, and every answer too
/// large to list its keys.
pub fn to_purge(named: &[Key]) -> Vec<String> {
    let mut keys: Vec<String> = named.iter().map(Key::to_string).collect();
    keys.push(Key::Overflow.to_string());
    keys.sort();
    keys.dedup();
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_named_once_in_order_and_collapse_when_too_long() {
        let s = Uuid::from_u128(7);
        let keys = [Key::Thread(s), Key::Story(s), Key::Story(s), Key::List(List::Section("sport".into()))];
        let v = header_value(&keys, " ", 4096);
        assert_eq!(
            v,
            format!("dateline story:{s} thread:{s} list:section:sport"),
            "sorted by kind, duplicates once"
        );
        assert_eq!(header_value(&keys, ",", 40), "dateline,overflow");
        assert_eq!(header_value(&[], " ", 100), "dateline");
    }

    #[test]
    fn a_list_narrowed_by_nothing_is_the_front_list() {
        assert_eq!(of_list(None, None, None, false), [Key::List(List::Front)]);
        assert_eq!(
            of_list(Some("sport"), None, None, true),
            [Key::List(List::Section("sport".into())), Key::List(List::Other)]
        );
        assert!(to_purge(&[Key::Story(Uuid::nil())]).contains(&"overflow".to_owned()));
    }
}
