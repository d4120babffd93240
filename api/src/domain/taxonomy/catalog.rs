//! Sections, tags and authors held in memory. A newsroom has hundreds or
//! thousands of them and changes them rarely, while every story read shows
//! some: the story's row carries its link ids (`author_ids`, `tag_ids`,
//! `section_id`) and the names come from here, so links cost no statement.
//!
//! Freshness: a write of a term through this process reloads the catalog
//! once its transaction has committed (the adapters call [`Catalog::reload`]
//! after the write returns), so the writer's instance never shows the old
//! name after the write's answer, nor a name whose write failed. A term
//! this process has not seen (made by an import, or by another instance)
//! is read from the database the first time a story names it; terms are
//! never deleted, so a miss is always new. Renames made by another
//! instance arrive with the next reload by the taxonomy worker.
//!
//! Reloads read three tables with awaits between them, so two may overlap:
//! each takes a number when it starts, and a reload that started before
//! the one last installed is dropped rather than bring back older names.

use super::links::{LinkKinds, Links};
use super::{Author, Section, Tag, authors_by_id, sections_by_id, tags_by_id};
use crate::domain::articles::Article;
use crate::domain::freshness::{Changed, Versions};
use crate::domain::sql::split_ids;
use crate::error::AppResult;
use entity::{author, section, tag};
use sea_orm::{ConnectionTrait, EntityTrait};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use uuid::Uuid;

#[derive(Default, Clone, PartialEq)]
struct Terms {
    sections: HashMap<Uuid, Section>,
    tags: HashMap<Uuid, Tag>,
    authors: HashMap<Uuid, Author>,
}

/// The terms of one process; see the module's notes on freshness.
#[derive(Default)]
pub struct Catalog {
    terms: RwLock<Installed>,
    /// Numbers the reloads in the order they start.
    started: AtomicU64,
    /// Told when a reload brings other names than those held.
    versions: Arc<Versions>,
}

#[derive(Default)]
struct Installed {
    terms: Arc<Terms>,
    /// The number of the reload these terms came from.
    reload: u64,
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
    pub fn new(versions: Arc<Versions>) -> Self {
        Self { versions, ..Self::default() }
    }

    /// Reads every term again. Called at start, by the taxonomy worker, and
    /// by the adapters after a term's write has committed.
    pub async fn reload(&self, db: &impl ConnectionTrait) -> AppResult<()> {
        let number = self.started.fetch_add(1, Ordering::SeqCst) + 1;
        let terms = Terms {
            sections: section::Entity::find().all(db).await?.into_iter().map(|s| (s.id, s)).collect(),
            tags: tag::Entity::find().all(db).await?.into_iter().map(|t| (t.id, t)).collect(),
            authors: author::Entity::find().all(db).await?.into_iter().map(|a| (a.id, a)).collect(),
        };
        let mut installed = self.write();
        if number <= installed.reload {
            return Ok(());
        }
        let differs = *installed.terms != terms;
        *installed = Installed { terms: Arc::new(terms), reload: number };
        if differs {
            // Answers read with the names held until now are out of date,
            // even those read after the write that changed them committed.
            // Published before the lock is let go: a reload that compares
            // next finds nothing new, and its caller must not return first.
            self.versions.publish(&[Changed::Content]);
        }
        Ok(())
    }

    /// After a write of a term has committed: its new name shows at once.
    /// A failed reload fails no write (the write has committed); the
    /// worker's next reload brings the name.
    pub async fn written(&self, db: &impl ConnectionTrait) {
        if let Err(e) = self.reload(db).await {
            tracing::warn!(error = %e, "could not read sections, tags and authors again after a write");
        }
    }

    fn read(&self) -> Arc<Terms> {
        match self.terms.read() {
            Ok(t) => Arc::clone(&t.terms),
            Err(poisoned) => Arc::clone(&poisoned.into_inner().terms),
        }
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Installed> {
        self.terms.write().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Adds terms read on first sight, keeping any already held (a reload
    /// may have installed a newer row meanwhile); returns what is now held.
    fn add(&self, sections: Vec<Section>, tags: Vec<Tag>, authors: Vec<Author>) -> Arc<Terms> {
        let mut installed = self.write();
        let t = Arc::make_mut(&mut installed.terms);
        for s in sections {
            t.sections.entry(s.id).or_insert(s);
        }
        for tag in tags {
            t.tags.entry(tag.id).or_insert(tag);
        }
        for a in authors {
            t.authors.entry(a.id).or_insert(a);
        }
        Arc::clone(&installed.terms)
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
        let terms = if missing.is_empty() {
            self.read()
        } else {
            async fn of<T>(
                ids: &[Uuid],
                read: impl Future<Output = AppResult<HashMap<Uuid, T>>>,
            ) -> AppResult<Vec<T>> {
                if ids.is_empty() { Ok(Vec::new()) } else { Ok(read.await?.into_values().collect()) }
            }
            let sections = of(&missing.sections, sections_by_id(db, &missing.sections)).await?;
            let tags = of(&missing.tags, tags_by_id(db, &missing.tags)).await?;
            let authors = of(&missing.authors, authors_by_id(db, &missing.authors)).await?;
            self.add(sections, tags, authors)
        };
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
        c.add(Vec::new(), vec![tag(1, "One"), tag(2, "Two")], Vec::new());
        let mut a = samples::story();
        a.tag_ids = format!("{},{}", Uuid::from_u128(2), Uuid::from_u128(1));
        let links = c.read().links_of(&a, LinkKinds::TAGS);
        assert_eq!(links.tags.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["Two", "One"]);
        assert!(c.read().links_of(&a, LinkKinds::AUTHORS).tags.is_empty());
    }

    #[test]
    fn a_term_read_on_first_sight_never_replaces_one_held_and_unknown_ids_are_missing() {
        let c = Catalog::default();
        c.add(Vec::new(), vec![tag(1, "Newer")], Vec::new());
        let held = c.add(Vec::new(), vec![tag(1, "Older")], Vec::new());
        assert_eq!(held.tags[&Uuid::from_u128(1)].name, "Newer");
        let mut a = samples::story();
        a.tag_ids = format!("{},{}", Uuid::from_u128(1), Uuid::from_u128(3));
        let m = c.missing(std::iter::once(&a), LinkKinds::ALL);
        assert_eq!(m.tags, [Uuid::from_u128(3)]);
    }
}
