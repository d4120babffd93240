//! Everything shown beside a page of articles, loaded in a fixed number of
//! statements (the REST path; GraphQL batches the same queries through its
//! DataLoaders).

use super::Article;
use super::corrections::{self, Correction};
use crate::domain::media::{self, Media};
use crate::domain::taxonomy::{self, Author, Section, Tag};
use crate::error::AppResult;
use sea_orm::ConnectionTrait;
use std::collections::HashMap;
use uuid::Uuid;

#[derive(Default)]
pub struct ArticleRelations {
    pub authors: HashMap<Uuid, Vec<Author>>,
    pub tags: HashMap<Uuid, Vec<Tag>>,
    pub sections: HashMap<Uuid, Section>,
    pub media: HashMap<Uuid, Media>,
    pub corrections: HashMap<Uuid, Vec<Correction>>,
}

impl ArticleRelations {
    pub async fn load(db: &impl ConnectionTrait, articles: &[Article]) -> AppResult<Self> {
        if articles.is_empty() {
            return Ok(Self::default());
        }
        let ids: Vec<Uuid> = articles.iter().map(|a| a.id).collect();
        let section_ids: Vec<Uuid> = articles.iter().filter_map(|a| a.section_id).collect();
        let authors = taxonomy::authors_by_article(db, &ids).await?;
        let mut media_ids: Vec<Uuid> = articles.iter().filter_map(|a| a.hero_image_id).collect();
        media_ids.extend(authors.values().flatten().filter_map(|a| a.avatar_id));
        Ok(Self {
            tags: taxonomy::tags_by_article(db, &ids).await?,
            sections: taxonomy::sections_by_id(db, &section_ids).await?,
            media: media::by_id(db, &media_ids).await?,
            corrections: corrections::by_article(db, &ids).await?,
            authors,
        })
    }
}
