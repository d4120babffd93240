use super::input_paths;
use super::inputs::{ArticleInput, id_list};
use crate::domain::accounts::policy;
use crate::domain::articles::{lifecycle, present, write};
use crate::domain::related;
use crate::graphql::ids::{self, Kind};
use crate::graphql::types::article::{Article, ArticleStatus};
use crate::graphql::{request, state};
use async_graphql::{Context, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

/// The article after a write.
#[derive(SimpleObject)]
pub struct ArticlePayload {
    /// Always given, whoever wrote.
    pub id: ID,
    pub slug: String,
    /// The version to send as `expectedVersion` next time.
    pub version: i32,
    pub status: ArticleStatus,
    /// The whole story; null when it is not public and the key lacks
    /// `content:read-drafts` (writing does not grant reading drafts).
    pub article: Option<Article>,
}

#[derive(SimpleObject)]
pub struct DeleteArticlePayload {
    pub deleted_id: ID,
}

fn payload(ctx: &Context<'_>, a: crate::domain::articles::Article) -> ArticlePayload {
    let r = request(ctx);
    let visible = policy::may_see_written(&r.actor, crate::domain::articles::is_public(&a, r.now));
    ArticlePayload {
        id: ids::encode(Kind::Article, a.id),
        slug: a.slug.clone(),
        version: a.version,
        status: present::status(&a, r.now).into(),
        article: visible.then(|| Article::from(a)),
    }
}

#[derive(Default)]
pub struct ArticleMutation;

/// Every article mutation needs a key with the `content:write` scope.
#[Object]
impl ArticleMutation {
    /// Creates a draft.
    async fn create_article(&self, ctx: &Context<'_>, input: ArticleInput) -> Result<ArticlePayload> {
        let r = request(ctx);
        let changes = input.into_changes()?;
        let a = write::create(&state(ctx).db, &r.actor, changes.clone(), r.now).await;
        Ok(payload(ctx, a.map_err(input_paths)?))
    }

    /// Changes the fields given; fails with CONFLICT unless the article is
    /// still at `expectedVersion`.
    async fn update_article(
        &self,
        ctx: &Context<'_>,
        id: ID,
        expected_version: i32,
        input: ArticleInput,
    ) -> Result<ArticlePayload> {
        let r = request(ctx);
        let id = ids::decode_as(&id, Kind::Article, "id")?;
        let changes = input.into_changes()?;
        Ok(payload(
            ctx,
            { write::update(&state(ctx).db, &r.actor, id, Some(expected_version), changes.clone(), r.now) }
                .await
                .map_err(input_paths)?,
        ))
    }

    /// Publishes now, or at `at` (in the future) without any job to run.
    async fn publish_article(
        &self,
        ctx: &Context<'_>,
        id: ID,
        at: Option<DateTime<Utc>>,
    ) -> Result<ArticlePayload> {
        let r = request(ctx);
        let id = ids::decode_as(&id, Kind::Article, "id")?;
        Ok(payload(ctx, lifecycle::publish(&state(ctx).db, &r.actor, id, at, r.now).await?))
    }

    /// Publishes a correction to the story, dated now: an editorial event
    /// of its own (CORRECTED in the change feed, `article.corrected`).
    async fn add_correction(
        &self,
        ctx: &Context<'_>,
        article_id: ID,
        text: String,
    ) -> Result<ArticlePayload> {
        let r = request(ctx);
        let id = ids::decode_as(&article_id, Kind::Article, "articleId")?;
        let db = &state(ctx).db;
        let (a, _) = crate::domain::articles::corrections::add(db, &r.actor, id, &text, r.now).await?;
        Ok(payload(ctx, a))
    }

    /// Back to draft.
    async fn unpublish_article(&self, ctx: &Context<'_>, id: ID) -> Result<ArticlePayload> {
        let r = request(ctx);
        let id = ids::decode_as(&id, Kind::Article, "id")?;
        Ok(payload(ctx, lifecycle::unpublish(&state(ctx).db, &r.actor, id, r.now).await?))
    }

    async fn archive_article(&self, ctx: &Context<'_>, id: ID) -> Result<ArticlePayload> {
        let r = request(ctx);
        let id = ids::decode_as(&id, Kind::Article, "id")?;
        Ok(payload(ctx, lifecycle::archive(&state(ctx).db, &r.actor, id, r.now).await?))
    }

    async fn delete_article(&self, ctx: &Context<'_>, id: ID) -> Result<DeleteArticlePayload> {
        let r = request(ctx);
        let id = ids::decode_as(&id, Kind::Article, "id")?;
        let deleted = lifecycle::delete(&state(ctx).db, &r.actor, id, None, r.now).await?;
        Ok(DeleteArticlePayload { deleted_id: ids::encode(Kind::Article, deleted) })
    }

    /// Replaces the editor's curated related list, in order.
    async fn set_related_articles(
        &self,
        ctx: &Context<'_>,
        id: ID,
        related_ids: Vec<ID>,
    ) -> Result<ArticlePayload> {
        let r = request(ctx);
        let id = ids::decode_as(&id, Kind::Article, "id")?;
        let related = id_list(Some(related_ids), Kind::Article, "relatedIds")?.unwrap_or_default();
        Ok(payload(ctx, related::set_curated(&state(ctx).db, &r.actor, id, &related, r.now).await?))
    }
}
