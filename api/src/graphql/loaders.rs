//! DataLoaders: thin wrappers that batch the domain's batch queries. Built
//! once with the schema; they batch across concurrent resolvers and cache
//! nothing, so no request ever sees another's stale rows.

use crate::domain::articles::corrections::{self, Correction};
use crate::domain::media::{self, Media};
use crate::domain::taxonomy::{self, Author, Section, Tag};
use crate::error::AppError;
use async_graphql::dataloader::{DataLoader, Loader};
use sea_orm::DatabaseConnection;
use std::collections::HashMap;
use uuid::Uuid;

macro_rules! loader {
    ($name:ident, $value:ty, $f:path) => {
        pub struct $name(DatabaseConnection);

        impl Loader<Uuid> for $name {
            type Value = $value;
            type Error = AppError;

            async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
                $f(&self.0, keys).await
            }
        }
    };
}

loader!(AuthorsByArticle, Vec<Author>, taxonomy::authors_by_article);
loader!(TagsByArticle, Vec<Tag>, taxonomy::tags_by_article);
loader!(CorrectionsByArticle, Vec<Correction>, corrections::by_article);
loader!(SectionById, Section, taxonomy::sections_by_id);
loader!(MediaById, Media, media::by_id);

pub struct Loaders {
    pub authors_by_article: DataLoader<AuthorsByArticle>,
    pub tags_by_article: DataLoader<TagsByArticle>,
    pub corrections_by_article: DataLoader<CorrectionsByArticle>,
    pub section: DataLoader<SectionById>,
    pub media: DataLoader<MediaById>,
}

impl Loaders {
    pub fn new(db: &DatabaseConnection) -> Self {
        Self {
            authors_by_article: DataLoader::new(AuthorsByArticle(db.clone()), tokio::spawn),
            tags_by_article: DataLoader::new(TagsByArticle(db.clone()), tokio::spawn),
            corrections_by_article: DataLoader::new(CorrectionsByArticle(db.clone()), tokio::spawn),
            section: DataLoader::new(SectionById(db.clone()), tokio::spawn),
            media: DataLoader::new(MediaById(db.clone()), tokio::spawn),
        }
    }
}
