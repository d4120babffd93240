use super::ids::{self, Kind};
use super::types::article::{Article, ArticleStatus, PrefetchedRelated, related_size};
use super::types::connection::{ArticleConnection, RelayArgs, articles_connection};
use super::types::media::Media;
use super::types::node::Node;
use super::types::taxonomy::{Author, Section, Tag};
use super::{request, state};
use crate::domain::accounts::policy;
use crate::domain::articles::Audience;
use crate::domain::articles::{self, ArticleFilter, ArticleKey, ArticleOrder};
use crate::domain::pagination::TERMS;
use crate::domain::related;
use crate::domain::slug::Slug;
use crate::domain::{media, taxonomy};
use crate::error::AppError;
use async_graphql::{Context, Enum, ID, InputObject, MergedObject, Object, Result};
use chrono::{DateTime, Utc};
use std::sync::Arc;

#[derive(InputObject, Default)]
pub struct ArticleFilterInput {
    /// Section slug.
    pub section: Option<String>,
    /// Tag slug.
    pub tag: Option<String>,
    /// Author slug.
    pub author: Option<String>,
    /// Published at or after this instant.
    pub published_after: Option<DateTime<Utc>>,
    /// Published before this instant.
    pub published_before: Option<DateTime<Utc>>,
    /// Full-text search over headline, dek and body; all words must match
    /// (stop words such as "the" and words of one or two letters are left out).
    pub search: Option<String>,
    /// Only stories in this state; states other than PUBLISHED need `preview: true`.
    pub status: Option<ArticleStatus>,
}

impl From<ArticleFilterInput> for ArticleFilter {
    fn from(f: ArticleFilterInput) -> Self {
        Self {
            section: f.section,
            tag: f.tag,
            author: f.author,
            published_after: f.published_after,
            published_before: f.published_before,
            search: f.search,
            status: f.status.map(Into::into),
            ..Default::default()
        }
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Default)]
pub enum ArticleOrderBy {
    #[default]
    PublishedAtDesc,
    PublishedAtAsc,
}

#[derive(Default)]
pub struct ContentQuery;

#[Object]
impl ContentQuery {
    /// One article by id or slug; null when it does not exist or is not
    /// visible to the caller.
    async fn article(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        slug: Option<String>,
        #[graphql(default)] preview: bool,
    ) -> Result<Option<Article>> {
        let key = match (id, slug) {
            (Some(id), None) => ArticleKey::Id(ids::decode_as(&id, Kind::Article, "id")?),
            (None, Some(slug)) => match Slug::parse(&slug) {
                Some(s) => ArticleKey::Slug(s),
                // No story can have it.
                None => return Ok(None),
            },
            _ => return Err(AppError::field("id", "give exactly one of id or slug").into()),
        };
        let r = request(ctx);
        let audience = policy::audience(&r.actor, preview)?;
        let db = &state(ctx).db;
        // A page that shows the body, the related list or both gets them
        // in the same statement as the story.
        let body = ctx.look_ahead().field("body").exists();
        if let Some(size) = related_size(ctx) {
            let found = related::with_story(db, &key, audience, body, size, r.now).await?;
            return Ok(found.map(|(a, b, items)| {
                Article(a, b.map(Arc::new), Some(Arc::new(PrefetchedRelated { size, items })))
            }));
        }
        if body {
            let found = articles::find_with_body(db, audience, r.now, &key).await?;
            return Ok(found.map(|(a, b)| Article(a, Some(Arc::new(b)), None)));
        }
        Ok(articles::find(db, audience, r.now, &key).await?.map(Article::from))
    }

    /// Articles, newest first unless `orderBy` says otherwise.
    #[graphql(complexity = "super::types::connection::page_cost(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn articles(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<ArticleFilterInput>,
        #[graphql(default)] order_by: ArticleOrderBy,
        #[graphql(default)] preview: bool,
    ) -> Result<ArticleConnection> {
        let audience = policy::audience(&request(ctx).actor, preview)?;
        let order = match order_by {
            ArticleOrderBy::PublishedAtDesc => ArticleOrder::NewestFirst,
            ArticleOrderBy::PublishedAtAsc => ArticleOrder::OldestFirst,
        };
        let filter = ArticleFilter { order, ..filter.unwrap_or_default().into() };
        Ok(articles_connection(ctx, filter, RelayArgs { first, after, last, before }, audience).await?)
    }

    /// Any object by its global id.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Node>> {
        let (kind, uuid) = ids::decode(&id, "id")?;
        let db = &state(ctx).db;
        let r = request(ctx);
        let one = [uuid];
        Ok(match kind {
            Kind::Article => articles::find(db, Audience::Public, r.now, &ArticleKey::Id(uuid))
                .await?
                .map(|a| Node::Article(Article::from(a))),
            Kind::Author => {
                taxonomy::authors_by_id(db, &one).await?.remove(&uuid).map(|a| Node::Author(Author(a)))
            }
            Kind::Section => {
                taxonomy::sections_by_id(db, &one).await?.remove(&uuid).map(|s| Node::Section(Section(s)))
            }
            Kind::Tag => taxonomy::tags_by_id(db, &one).await?.remove(&uuid).map(|t| Node::Tag(Tag(t))),
            Kind::Media => media::by_id(db, &one).await?.remove(&uuid).map(|m| Node::Media(Media(m))),
            // Comments have `comment(id)`, webhooks `webhookEndpoint(id)`;
            // people are not browsable.
            Kind::Comment | Kind::User | Kind::WebhookEndpoint | Kind::WebhookDelivery => None,
        })
    }

    async fn sections(&self, ctx: &Context<'_>) -> Result<Vec<Section>> {
        Ok(taxonomy::list_sections(&state(ctx).db).await?.into_iter().map(Section).collect())
    }

    async fn section(&self, ctx: &Context<'_>, slug: String) -> Result<Option<Section>> {
        let Some(slug) = Slug::parse(&slug) else { return Ok(None) };
        Ok(taxonomy::section_by_slug(&state(ctx).db, &slug).await?.map(Section))
    }

    /// Tags in slug order; pass the last slug seen as `after` for more.
    async fn tags(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "TERMS.default")] first: i32,
        after: Option<String>,
    ) -> Result<Vec<Tag>> {
        let limit = TERMS.check(Some(first), "first")?;
        Ok(taxonomy::list_tags(&state(ctx).db, after.as_deref(), limit).await?.into_iter().map(Tag).collect())
    }

    async fn tag(&self, ctx: &Context<'_>, slug: String) -> Result<Option<Tag>> {
        let Some(slug) = Slug::parse(&slug) else { return Ok(None) };
        Ok(taxonomy::tag_by_slug(&state(ctx).db, &slug).await?.map(Tag))
    }

    /// Authors in slug order; pass the last slug seen as `after` for more.
    async fn authors(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "TERMS.default")] first: i32,
        after: Option<String>,
    ) -> Result<Vec<Author>> {
        let limit = TERMS.check(Some(first), "first")?;
        Ok(taxonomy::list_authors(&state(ctx).db, after.as_deref(), limit)
            .await?
            .into_iter()
            .map(Author)
            .collect())
    }

    async fn author(&self, ctx: &Context<'_>, slug: String) -> Result<Option<Author>> {
        let Some(slug) = Slug::parse(&slug) else { return Ok(None) };
        Ok(taxonomy::author_by_slug(&state(ctx).db, &slug).await?.map(Author))
    }
}

/// Every query: content, then people and discussions.
#[derive(MergedObject, Default)]
pub struct Query(ContentQuery, super::community::CommunityQuery, super::integrators::IntegratorQuery);
