use super::connection::{ArticleConnection, RelayArgs, articles_connection};
use super::media::Media;
use crate::domain::articles::ArticleFilter;
use crate::domain::articles::Audience;
use crate::domain::taxonomy;
use crate::graphql::ids::{self, Kind};
use crate::graphql::loaders;
use async_graphql::{Context, ID, Object, Result};

pub struct Author(pub taxonomy::Author);
pub struct Section(pub taxonomy::Section);
pub struct Tag(pub taxonomy::Tag);

#[Object]
impl Author {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Author, self.0.id)
    }
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn bio(&self) -> Option<&str> {
        self.0.bio.as_deref()
    }
    async fn avatar(&self, ctx: &Context<'_>) -> Result<Option<Media>> {
        let Some(id) = self.0.avatar_id else {
            return Ok(None);
        };
        Ok(loaders(ctx).media.load_one(id).await?.map(Media))
    }
    /// This author's stories, newest first.
    #[graphql(complexity = "super::connection::page_cost(first, last, child_complexity)")]
    async fn articles(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<ArticleConnection> {
        let filter = ArticleFilter { author: Some(self.0.slug.clone()), ..Default::default() };
        Ok(articles_connection(ctx, filter, RelayArgs { first, after, last, before }, Audience::Public)
            .await?)
    }
}

#[Object]
impl Section {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Section, self.0.id)
    }
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// Stories in this section, newest first.
    #[graphql(complexity = "super::connection::page_cost(first, last, child_complexity)")]
    async fn articles(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<ArticleConnection> {
        let filter = ArticleFilter { section: Some(self.0.slug.clone()), ..Default::default() };
        Ok(articles_connection(ctx, filter, RelayArgs { first, after, last, before }, Audience::Public)
            .await?)
    }
}

#[Object]
impl Tag {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Tag, self.0.id)
    }
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Stories with this tag, newest first.
    #[graphql(complexity = "super::connection::page_cost(first, last, child_complexity)")]
    async fn articles(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<ArticleConnection> {
        let filter = ArticleFilter { tag: Some(self.0.slug.clone()), ..Default::default() };
        Ok(articles_connection(ctx, filter, RelayArgs { first, after, last, before }, Audience::Public)
            .await?)
    }
}
