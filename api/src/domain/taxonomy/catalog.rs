//! Sections, tags and authors held in memory. A newsroom has hundreds or
//! thousands of them and changes them rarely, while every story read shows
//! some: the story's row carries its link ids (`author_ids`, `tag_ids`,
//! `section_id`) and the names come from here, so links cost no statement.
//!
//! Freshness: a write through this process puts the saved term here before
//! it returns, so the writer's instance never shows the old name. A term
//! this process has not seen (made by an import, or by another instance)
//! is read from the database the first time a story names it; terms are
//! never deleted, so a miss is always new. Renames made by another
//! instance arrive with the next full reload (`reload`, run by the
//! taxonomy worker).

use super::links::{LinkKinds, Links};
use super::{Author, Section, Tag, authors_by_id, sections_by_id, tags_by_id};
use crate::domain::articles::Article;
use crate::domain::sql::split_ids;
use crate::error::AppResult;
use entity::{author, section, tag};
use sea_orm::{ConnectionTrait, EntityTrait};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};
use uuid::Uuid;

#[derive(Default, Clone)]
struct Terms {
    sections: HashMap<Uuid, Section>,
    tags: HashMap<Uuid, Tag>,
    authors: HashMap<Uuid, Author>,
}

/// The terms of one process; see the module's notes on freshness.
#[derive(Default)]
pub struct Catalog {
    terms: RwLock<Arc<Terms>>,
}

/// Which ids of a set of stories the catalog lacks.
#[derive(Default)]
struct Missing {
    sections: Vec<Uuid>,
    tags: Vec<Uuid>,
    authors: Vec<Uuid>,
}

impl Missing {
    fn is_empty(&self) -> bool {
        self.sections.is_empty() && self.tags.is_empty() && self.authors.is_empty()
    }
}

impl Catalog {
    /// Every term, read in three statements.
    pub async fn reload(&self, db: &impl ConnectionTrait) -> AppResult<()> {
        let terms = Terms {
            sections: section::Entity::find().all(db).await?.into_iter().map(|s| (s.id, s)).collect(),
            tags: tag::Entity::find().all(db).await?.into_iter().map(|t| (t.id, t)).collect(),
            authors: author::Entity::find().all(db).await?.into_iter().map(|a| (a.id, a)).collect(),
        };
        *self.write() = Arc::new(terms);
        Ok(())
    }

    fn read(&self) -> Arc<Terms> {
        match self.terms.read() {
            Ok(t) => t.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Arc<Terms>> {
        self.terms.write().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn change(&self, f: impl FnOnce(&mut Terms)) {
        let mut guard = self.write();
        f(Arc::make_mut(&mut guard));
    }

    /// A section saved by this process.
    pub fn put_section(&self, s: &Section) {
        self.change(|t| {
            t.sections.insert(s.id, s.clone());
        });
    }

    pub fn put_tag(&self, tag: &Tag) {
        self.change(|t| {
            t.tags.insert(tag.id, tag.clone());
        });
    }

    pub fn put_author(&self, a: &Author) {
        self.change(|t| {
            t.authors.insert(a.id, a.clone());
        });
    }

    fn missing<'a>(&self, stories: impl Iterator<Item = &'a Article>, kinds: LinkKinds) -> Missing {
        let terms = self.read();
        let mut m = Missing::default();
        let (mut seen_tags, mut seen_authors) = (HashSet::new(), HashSet::new());
        for a in stories {
            if kinds.section
                && let Some(s) = a.section_id
                && !terms.sections.contains_key(&s)
                && !m.sections.contains(&s)
            {
                m.sections.push(s);
            }
            if kinds.tags {
                m.tags.extend(
                    split_ids(&a.tag_ids)
                        .into_iter()
                        .filter(|t| !terms.tags.contains_key(t) && seen_tags.insert(*t)),
                );
            }
            if kinds.authors {
                m.authors.extend(
                    split_ids(&a.author_ids)
                        .into_iter()
                        .filter(|x| !terms.authors.contains_key(x) && seen_authors.insert(*x)),
                );
            }
        }
        m
    }

    /// The links of each story, in the editor's order. No statement when
    /// every term is known; one per kind with an unknown term otherwise.
    pub async fn links<'a>(
        &self,
        db: &impl ConnectionTrait,
        stories: impl IntoIterator<Item = &'a Article> + Clone,
        kinds: LinkKinds,
    ) -> AppResult<HashMap<Uuid, Links>> {
        let missing = self.missing(stories.clone().into_iter(), kinds);
        if !missing.is_empty() {
            let sections = sections_by_id(db, &missing.sections).await?;
            let tags = tags_by_id(db, &missing.tags).await?;
            let authors = authors_by_id(db, &missing.authors).await?;
            self.change(|t| {
                t.sections.extend(sections);
                t.tags.extend(tags);
                t.authors.extend(authors);
            });
        }
        let terms = self.read();
        Ok(stories.into_iter().map(|a| (a.id, terms.links_of(a, kinds))).collect())
    }
}

impl Terms {
    fn links_of(&self, a: &Article, kinds: LinkKinds) -> Links {
        let pick = |text: &str, wanted: bool| if wanted { split_ids(text) } else { Vec::new() };
        Links {
            authors: pick(&a.author_ids, kinds.authors)
                .iter()
                .filter_map(|id| self.authors.get(id).cloned())
                .collect(),
            tags: pick(&a.tag_ids, kinds.tags).iter().filter_map(|id| self.tags.get(id).cloned()).collect(),
            section: a.section_id.filter(|_| kinds.section).and_then(|id| self.sections.get(&id).cloned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::samples;

    fn tag(n: u128, name: &str) -> Tag {
        Tag {
            id: Uuid::from_u128(n),
            slug: name.to_lowercase(),
            name: name.into(),
            created_at: samples::t0(),
            updated_at: samples::t0(),
        }
    }

    #[test]
    fn links_follow_the_stored_order_and_only_the_kinds_asked_for() {
        let c = Catalog::default();
        c.put_tag(&tag(1, "One"));
        c.put_tag(&tag(2, "Two"));
        let mut a = samples::story();
        a.tag_ids = format!("{},{}", Uuid::from_u128(2), Uuid::from_u128(1));
        let links = c.read().links_of(&a, LinkKinds::TAGS);
        assert_eq!(links.tags.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["Two", "One"]);
        assert!(c.read().links_of(&a, LinkKinds::AUTHORS).tags.is_empty());
    }

    #[test]
    fn a_rename_through_this_process_is_seen_at_once_and_unknown_ids_are_missing() {
        let c = Catalog::default();
        c.put_tag(&tag(1, "Old"));
        c.put_tag(&tag(1, "New"));
        let mut a = samples::story();
        a.tag_ids = format!("{},{}", Uuid::from_u128(1), Uuid::from_u128(3));
        assert_eq!(c.read().links_of(&a, LinkKinds::TAGS).tags[0].name, "New");
        let m = c.missing(std::iter::once(&a), LinkKinds::ALL);
        assert_eq!(m.tags, [Uuid::from_u128(3)]);
    }
}
