//! Filters shared by GraphQL `articles(filter:)` and REST `GET /v1/articles`.

use super::Status;
use super::search;
use crate::domain::slug;
use crate::error::{AppResult, Validator};
use chrono::{DateTime, Utc};
use entity::article::Column;
use entity::{article, article_author, article_tag, author, section, tag};
use sea_orm::sea_query::{Expr, ExprTrait, Query, SubQueryStatement};
use sea_orm::{ColumnTrait, Condition, DatabaseBackend};

pub const MAX_SEARCH_LEN: usize = 200;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ArticleOrder {
    #[default]
    NewestFirst,
    OldestFirst,
}

#[derive(Debug, Clone, Default)]
pub struct ArticleFilter {
    pub order: ArticleOrder,
    /// Section slug.
    pub section: Option<String>,
    /// Tag slug.
    pub tag: Option<String>,
    /// Author slug.
    pub author: Option<String>,
    pub published_after: Option<DateTime<Utc>>,
    pub published_before: Option<DateTime<Utc>>,
    /// Full-text query over headline, dek and body.
    pub search: Option<String>,
    /// Only stories in this state (as clients see states at `now`).
    pub status: Option<Status>,
}

fn status_condition(status: Status, now: DateTime<Utc>) -> Condition {
    let stored = Column::Status.eq(status.stored());
    match status {
        Status::Draft | Status::Archived => Condition::all().add(stored),
        Status::Scheduled => Condition::all().add(stored).add(Column::PublishedAt.gt(now)),
        Status::Published => Condition::all().add(stored).add(Column::PublishedAt.lte(now)),
    }
}

impl ArticleFilter {
    /// The surrogate keys of the list this filter takes.
    pub fn list_keys(&self) -> Vec<crate::domain::surrogate::Key> {
        let other = self.search.is_some()
            || self.published_after.is_some()
            || self.published_before.is_some()
            || self.status.is_some();
        crate::domain::surrogate::of_list(
            self.section.as_deref(),
            self.tag.as_deref(),
            self.author.as_deref(),
            other,
        )
    }

    /// Checks every field, each named as in the filter (`section`, `search`).
    pub fn validate(&self) -> AppResult<()> {
        let mut v = Validator::new();
        for (name, value) in [("section", &self.section), ("tag", &self.tag), ("author", &self.author)] {
            if let Some(s) = value {
                slug::check(&mut v, name, s);
            }
        }
        // Each date is valid alone; only the pair is refused.
        if let (Some(a), Some(b)) = (self.published_after, self.published_before)
            && a > b
        {
            v.refuse("publishedBefore", "must not be earlier than publishedAfter");
        }
        if let Some(q) = &self.search {
            let path = "search";
            if q.chars().count() > MAX_SEARCH_LEN {
                v.push(path, format!("must be at most {MAX_SEARCH_LEN} characters"));
            } else if !search::has_words(q) {
                v.push(path, "must contain at least one word");
            }
        }
        v.finish()
    }

    pub fn condition(&self, backend: DatabaseBackend, now: DateTime<Utc>) -> Condition {
        let mut c = Condition::all();
        if let Some(status) = self.status {
            c = c.add(status_condition(status, now));
        }
        if let Some(s) = &self.section {
            // Equality (slugs are unique) lets the planner walk the
            // (section, status, date) index instead of filtering a date scan.
            let id = Query::select()
                .column(section::Column::Id)
                .from(section::Entity)
                .and_where(section::Column::Slug.eq(s.as_str()))
                .to_owned();
            c = c.add(
                Expr::col((article::Entity, Column::SectionId))
                    .eq(Expr::SubQuery(None, Box::new(SubQueryStatement::SelectStatement(id)))),
            );
        }
        if let Some(t) = &self.tag {
            c = c.add(
                Column::Id.in_subquery(
                    Query::select()
                        .column((article_tag::Entity, article_tag::Column::ArticleId))
                        .from(article_tag::Entity)
                        .inner_join(
                            tag::Entity,
                            Expr::col((tag::Entity, tag::Column::Id))
                                .equals((article_tag::Entity, article_tag::Column::TagId)),
                        )
                        .and_where(Expr::col((tag::Entity, tag::Column::Slug)).eq(t.as_str()))
                        .to_owned(),
                ),
            );
        }
        if let Some(a) = &self.author {
            c = c.add(
                Column::Id.in_subquery(
                    Query::select()
                        .column((article_author::Entity, article_author::Column::ArticleId))
                        .from(article_author::Entity)
                        .inner_join(
                            author::Entity,
                            Expr::col((author::Entity, author::Column::Id))
                                .equals((article_author::Entity, article_author::Column::AuthorId)),
                        )
                        .and_where(Expr::col((author::Entity, author::Column::Slug)).eq(a.as_str()))
                        .to_owned(),
                ),
            );
        }
        if let Some(a) = self.published_after {
            c = c.add(Column::PublishedAt.gte(a));
        }
        if let Some(b) = self.published_before {
            c = c.add(Column::PublishedAt.lt(b));
        }
        if let Some(q) = &self.search {
            c = c.add(search::matches(backend, q));
        }
        c
    }
}
