//! Loaders: thin wrappers that batch the domain's batch queries through
//! [`Batcher`]. Built once with the schema; they batch across concurrent
//! resolvers and cache nothing, so no request ever sees another's stale
//! rows.

use super::batch::Batcher;
use crate::domain::accounts::users::{self, User};
use crate::domain::articles::corrections::{self, Correction};
use crate::domain::articles::{self, ArticleBody};
use crate::domain::comments::read::CommentPage;
use crate::domain::comments::visibility::Viewer;
use crate::domain::comments::{self, Comment};
use crate::domain::media::{self, Media};
use crate::domain::related;
use crate::error::AppError;
use async_graphql::dataloader::Loader;
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

loader!(BodyByArticle, ArticleBody, articles::bodies);
loader!(CorrectionsByArticle, Vec<Correction>, corrections::by_article);
loader!(MediaById, Media, media::by_id);
loader!(UsersById, User, users::by_ids);
loader!(CommentsById, Comment, comments::read::by_ids);

/// Whether one person reacted to one comment.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Reacted {
    pub user: Uuid,
    pub comment: Uuid,
}

pub struct ReactionsOf(DatabaseConnection);

impl Loader<Reacted> for ReactionsOf {
    type Value = bool;
    type Error = AppError;

    async fn load(&self, keys: &[Reacted]) -> Result<HashMap<Reacted, bool>, AppError> {
        let mut out = HashMap::new();
        let mut by_user: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
        for k in keys {
            by_user.entry(k.user).or_default().push(k.comment);
        }
        for (user, ids) in by_user {
            let yes = comments::read::reacted(&self.0, user, &ids).await?;
            out.extend(ids.into_iter().map(|c| (Reacted { user, comment: c }, yes.contains(&c))));
        }
        Ok(out)
    }
}

/// The first replies of one comment, as one viewer may see them.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct RepliesKey {
    pub parent: Uuid,
    pub limit: u64,
    pub viewer: Viewer,
}

/// Every `replies` field of a response without a cursor, in one windowed
/// statement per page size.
pub struct FirstReplies(DatabaseConnection);

impl Loader<RepliesKey> for FirstReplies {
    type Value = CommentPage;
    type Error = AppError;

    async fn load(&self, keys: &[RepliesKey]) -> Result<HashMap<RepliesKey, CommentPage>, AppError> {
        let mut groups: HashMap<(u64, Viewer), Vec<Uuid>> = HashMap::new();
        for k in keys {
            groups.entry((k.limit, k.viewer)).or_default().push(k.parent);
        }
        let mut out = HashMap::new();
        for ((limit, viewer), parents) in groups {
            let pages = comments::read::first_replies(&self.0, &parents, viewer, limit).await?;
            out.extend(pages.into_iter().map(|(parent, page)| (RepliesKey { parent, limit, viewer }, page)));
        }
        Ok(out)
    }
}

/// One related list: the source article, how many items, and the instant
/// visibility is judged at (so a batch never mixes two "nows").
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct RelatedKey {
    pub article_id: Uuid,
    pub first: usize,
    pub at_micros: i64,
}

/// Batches every `related` field of a response into one domain call.
pub struct RelatedLists(DatabaseConnection);

impl Loader<RelatedKey> for RelatedLists {
    type Value = Vec<related::RelatedItem>;
    type Error = AppError;

    async fn load(&self, keys: &[RelatedKey]) -> Result<HashMap<RelatedKey, Self::Value>, Self::Error> {
        let mut out = HashMap::new();
        let mut by_instant: HashMap<i64, Vec<RelatedKey>> = HashMap::new();
        for k in keys {
            by_instant.entry(k.at_micros).or_default().push(*k);
        }
        for (at, group) in by_instant {
            let now = chrono::DateTime::from_timestamp_micros(at).unwrap_or_default();
            let mut ids: Vec<Uuid> = group.iter().map(|k| k.article_id).collect();
            ids.sort_unstable();
            ids.dedup();
            let first = group.iter().map(|k| k.first).max().unwrap_or(0);
            let mut lists = related::lists(&self.0, &ids, first, now).await?;
            for k in group {
                let mut list = lists.get(&k.article_id).cloned().unwrap_or_default();
                list.truncate(k.first);
                out.insert(k, list);
            }
            lists.clear();
        }
        Ok(out)
    }
}

#[derive(Clone)]
pub struct Loaders {
    pub related: Batcher<RelatedKey, RelatedLists>,
    pub body: Batcher<Uuid, BodyByArticle>,
    pub corrections_by_article: Batcher<Uuid, CorrectionsByArticle>,
    pub media: Batcher<Uuid, MediaById>,
    pub users: Batcher<Uuid, UsersById>,
    pub comments: Batcher<Uuid, CommentsById>,
    pub reacted: Batcher<Reacted, ReactionsOf>,
    pub replies: Batcher<RepliesKey, FirstReplies>,
}

/// The loaders of each read replica, in the order of `db::replicas`.
pub struct ReplicaLoaders(pub Vec<Loaders>);

impl Loaders {
    pub fn new(db: &DatabaseConnection) -> Self {
        Self {
            related: Batcher::new(RelatedLists(db.clone())),
            body: Batcher::new(BodyByArticle(db.clone())),
            corrections_by_article: Batcher::new(CorrectionsByArticle(db.clone())),
            media: Batcher::new(MediaById(db.clone())),
            users: Batcher::new(UsersById(db.clone())),
            comments: Batcher::new(CommentsById(db.clone())),
            reacted: Batcher::new(ReactionsOf(db.clone())),
            replies: Batcher::new(FirstReplies(db.clone())),
        }
    }
}
