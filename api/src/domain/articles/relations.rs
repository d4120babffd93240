//! Everything shown beside a page of articles, loaded in a fixed number of
//! statements (the REST path; GraphQL batches the same queries through its
//! DataLoaders): links from the catalog in memory, pictures in one,
//! corrections in one.

use super::Article;
use super::corrections::{self, Correction};
use crate::domain::media::{self, Media};
use crate::domain::taxonomy::catalog::Catalog;
use crate::domain::taxonomy::links::{LinkKinds, Links};
use crate::error::AppResult;
use sea_orm::ConnectionTrait;
use std::collections::HashMap;
use uuid::Uuid;

#[derive(Default)]
pub struct ArticleRelations {
    pub links: HashMap<Uuid, Links>,
    pub media: HashMap<Uuid, Media>,
    pub corrections: HashMap<Uuid, Vec<Correction>>,
}

impl ArticleRelations {
    pub async fn load(db: &impl ConnectionTrait, catalog: &Catalog, articles: &[Article]) -> AppResult<Self> {
        if articles.is_empty() {
            return Ok(Self::default());
        }
        let ids: Vec<Uuid> = articles.iter().map(|a| a.id).collect();
        let links = catalog.links(db, articles, LinkKinds::ALL).await?;
        let mut media_ids: Vec<Uuid> = articles.iter().filter_map(|a| a.hero_image_id).collect();
        media_ids.extend(links.values().flat_map(|l| &l.authors).filter_map(|a| a.avatar_id));
        media_ids.sort_unstable();
        media_ids.dedup();
        Ok(Self {
            media: media::by_id(db, &media_ids).await?,
            corrections: corrections::by_article(db, &ids).await?,
            links,
        })
    }

    pub fn links(&self, article: &Article) -> Option<&Links> {
        self.links.get(&article.id)
    }
}
