use super::body::Body;
use super::comment::{Comment, CommentConnection, CommentOrder, ThreadRead};
use super::media::Media;
use super::related::RelatedStory;
use super::taxonomy::{Author, Section, Tag};
use crate::domain::articles::{self, present};
use crate::domain::comments;
use crate::domain::comments::cursor::{Position, Scope};
use crate::domain::comments::read::{COMMENTS, FEATURED, REPLIES};
use crate::domain::comments::thread_page::{self, ThreadAsk};
use crate::domain::comments::threads::{self, ThreadState};
use crate::domain::comments::visibility::Viewer;
use crate::domain::pagination::RELATED;
use crate::domain::related;
use crate::domain::taxonomy::links::{LinkKinds, Links};
use crate::error::AppError;
use crate::graphql::ids::{self, Kind};
use crate::graphql::loaders::RelatedKey;
use crate::graphql::selection::size_asked;
use crate::graphql::{loaders, request, state};
use async_graphql::{Context, Enum, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use std::sync::Arc;

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::articles::Status")]
pub enum ArticleStatus {
    Draft,
    Scheduled,
    Published,
    Archived,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::articles::CommentsStatus")]
pub enum CommentsStatus {
    Open,
    Closed,
    Disabled,
}

/// Search-engine fields; empty ones fall back to headline and dek.
#[derive(SimpleObject)]
pub struct Seo {
    pub title: String,
    pub description: Option<String>,
    pub canonical_url: Option<String>,
}

#[derive(SimpleObject)]
pub struct Audio {
    pub url: String,
    pub duration_seconds: Option<i32>,
    pub mime_type: Option<String>,
}

#[derive(SimpleObject)]
pub struct Correction {
    pub text: String,
    pub published_at: DateTime<Utc>,
}

/// A story. The body and the first related stories come along when the
/// query that loaded the story asked for them; otherwise each is loaded
/// (batched) only if selected.
pub struct Article(
    pub articles::Article,
    pub Option<Arc<articles::ArticleBody>>,
    pub Option<Arc<PrefetchedRelated>>,
);

/// A related list read with its story: the first `size` items.
pub struct PrefetchedRelated {
    pub size: usize,
    pub items: Vec<related::RelatedItem>,
}

impl From<articles::Article> for Article {
    /// Stories read by a batch loader (related lists, nodes) reach the
    /// answer here, in the request's own task, where what it shows is noted.
    fn from(a: articles::Article) -> Self {
        crate::domain::freshness::shows_story(&a);
        Self(a, None, None)
    }
}

/// The longest related list the selection asks for, so that the story and
/// its list are read together; None when no valid `related` is selected.
pub fn related_size(ctx: &Context<'_>) -> Option<usize> {
    let fields = ctx.look_ahead().field("related").selection_fields();
    let sizes = fields.iter().filter_map(|f| size_asked(f, RELATED, None));
    sizes.max().and_then(|n| usize::try_from(n).ok())
}

/// How many first replies the selection under `comments` shows of each
/// comment, so the thread page reads them in its own statement: the size
/// every `replies` without `after` asks for, when they all agree and the
/// size is valid (a field that differs, or errs, reads its own).
fn inline_replies(ctx: &Context<'_>) -> u64 {
    let here = ctx.look_ahead();
    let fields = [here.field("edges").field("node").field("replies"), here.field("nodes").field("replies")];
    let mut sizes =
        fields.iter().flat_map(|f| f.selection_fields()).map(|f| size_asked(&f, REPLIES, Some("after")));
    let Some(Some(first)) = sizes.next() else { return 0 };
    if sizes.all(|s| s == Some(first)) { first } else { 0 }
}

impl Article {
    /// Names come from the catalog in memory; the ids are on the row.
    async fn links(&self, ctx: &Context<'_>, kinds: LinkKinds) -> Result<Links> {
        let st = state(ctx);
        Ok(st.catalog.links(&st.db, [&self.0], kinds).await?.remove(&self.0.id).unwrap_or_default())
    }
}

#[Object]
impl Article {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Article, self.0.id)
    }
    /// The plain UUID, as REST uses it.
    async fn uuid(&self) -> String {
        self.0.id.to_string()
    }
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// The integrator's own key, unique.
    async fn external_id(&self) -> Option<&str> {
        self.0.external_id.as_deref()
    }
    async fn headline(&self) -> &str {
        &self.0.headline
    }
    /// The standfirst under the headline.
    async fn dek(&self) -> Option<&str> {
        self.0.dek.as_deref()
    }
    /// Place line, e.g. "MEXICO CITY, MEXICO".
    async fn dateline(&self) -> Option<&str> {
        self.0.dateline.as_deref()
    }
    async fn status(&self, ctx: &Context<'_>) -> ArticleStatus {
        present::status(&self.0, request(ctx).now).into()
    }
    /// When the story went (or goes) live; null for drafts.
    async fn published_at(&self) -> Option<DateTime<Utc>> {
        self.0.published_at
    }
    /// Set while a story waits for its publish time.
    async fn scheduled_at(&self, ctx: &Context<'_>) -> Option<DateTime<Utc>> {
        present::scheduled_at(&self.0, request(ctx).now)
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// Increases on every write; send it back as `expectedVersion`.
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn word_count(&self) -> i32 {
        self.0.word_count
    }
    async fn reading_time_minutes(&self) -> i32 {
        articles::reading_time_minutes(&self.0)
    }
    /// As the editors set it, and CLOSED once the auto-close time has passed.
    async fn comments_status(&self, ctx: &Context<'_>) -> CommentsStatus {
        threads::status_now(&self.0, &state(ctx).community.comments, request(ctx).now).into()
    }
    /// Approved comments, kept in step with every comment change; 0 when
    /// comments are disabled.
    async fn comment_count(&self) -> i32 {
        crate::domain::articles::present::comment_count(&self.0)
    }
    /// The story's address on the publisher's site (`DATELINE_PUBLIC_URL_TEMPLATE`).
    async fn url(&self, ctx: &Context<'_>) -> Result<String> {
        let section = self.links(ctx, LinkKinds::SECTION).await?.section;
        Ok(crate::graphql::state(ctx).urls.of(&self.0, section.as_ref().map(|s| s.slug.as_str())))
    }
    async fn seo(&self) -> Seo {
        let s = present::seo(&self.0);
        Seo { title: s.title, description: s.description, canonical_url: s.canonical_url }
    }
    async fn audio(&self) -> Option<Audio> {
        present::audio(&self.0).map(|a| Audio {
            url: a.url,
            duration_seconds: a.duration_seconds,
            mime_type: a.mime_type,
        })
    }
    async fn body(&self, ctx: &Context<'_>) -> Result<Body> {
        if let Some(b) = &self.1 {
            return Ok(Body::from_stored(b));
        }
        let b = loaders(ctx).body.load_one(self.0.id).await?.ok_or(AppError::NotFound("article"))?;
        Ok(Body::from_stored(&b))
    }
    async fn hero_image(&self, ctx: &Context<'_>) -> Result<Option<Media>> {
        let Some(id) = self.0.hero_image_id else {
            return Ok(None);
        };
        Ok(loaders(ctx).media.load_one(id).await?.map(Media))
    }
    /// The byline, in order.
    async fn authors(&self, ctx: &Context<'_>) -> Result<Vec<Author>> {
        Ok(self.links(ctx, LinkKinds::AUTHORS).await?.authors.into_iter().map(Author).collect())
    }
    async fn section(&self, ctx: &Context<'_>) -> Result<Option<Section>> {
        Ok(self.links(ctx, LinkKinds::SECTION).await?.section.map(Section))
    }
    async fn tags(&self, ctx: &Context<'_>) -> Result<Vec<Tag>> {
        Ok(self.links(ctx, LinkKinds::TAGS).await?.tags.into_iter().map(Tag).collect())
    }
    /// The editor's curated stories, then automatic picks, each saying why
    /// it was chosen. At most 20.
    #[graphql(complexity = "RELATED.expected(Some(first)) * child_complexity + 1")]
    async fn related(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "RELATED.default")] first: i32,
    ) -> Result<Vec<RelatedStory>> {
        let key = RelatedKey {
            article_id: self.0.id,
            first: usize::try_from(RELATED.check(Some(first), "first")?).unwrap_or(0),
            at_micros: request(ctx).now.timestamp_micros(),
        };
        // The list read with the story starts with every shorter one.
        if let Some(read) = self.2.as_ref().filter(|r| r.size >= key.first) {
            return Ok(read.items.iter().take(key.first).cloned().map(RelatedStory).collect());
        }
        let items = loaders(ctx).related.load_one(key).await?.unwrap_or_default();
        Ok(items.into_iter().map(RelatedStory).collect())
    }
    /// Top-level comments, with their replies a page at a time. Empty when
    /// comments are disabled on the story.
    #[graphql(complexity = "COMMENTS.expected(first).max(1) * child_complexity + 1")]
    async fn comments(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        order_by: Option<CommentOrder>,
    ) -> Result<CommentConnection> {
        let limit = COMMENTS.check(first, "first")?;
        let sort = order_by.unwrap_or_default().into();
        let after =
            after.map(|a| Position::decode(&a, Scope::Article(self.0.id), sort, "after")).transpose()?;
        let r = request(ctx);
        let st = state(ctx);
        if threads::state(&self.0, &st.community.comments, r.now) == ThreadState::Disabled {
            return Ok(CommentConnection(Default::default(), None));
        }
        let replies = inline_replies(ctx);
        let ask = ThreadAsk { viewer: Viewer::of(&r.actor), sort, limit, after, replies };
        let (page, read) = ThreadRead::of(thread_page::read(&st.db, self.0.id, ask).await?, replies);
        Ok(CommentConnection(page, Some(read)))
    }
    /// Comments the moderators picked, most recently featured first.
    #[graphql(complexity = "FEATURED.expected(first).max(1) * child_complexity + 1")]
    async fn featured_comments(&self, ctx: &Context<'_>, first: Option<i32>) -> Result<Vec<Comment>> {
        let limit = FEATURED.check(first, "first")?;
        let r = request(ctx);
        let st = state(ctx);
        if threads::state(&self.0, &st.community.comments, r.now) == ThreadState::Disabled {
            return Ok(Vec::new());
        }
        Ok(comments::read::featured(&st.db, self.0.id, limit).await?.into_iter().map(Comment::from).collect())
    }
    /// Whether readers may comment now (OPEN), only read (CLOSED, also once
    /// the auto-close time has passed), or see nothing (DISABLED).
    async fn comments_open(&self, ctx: &Context<'_>) -> bool {
        threads::state(&self.0, &state(ctx).community.comments, request(ctx).now) == ThreadState::Open
    }
    /// Published corrections, oldest first.
    async fn corrections(&self, ctx: &Context<'_>) -> Result<Vec<Correction>> {
        let rows = loaders(ctx).corrections_by_article.load_one(self.0.id).await?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(|c| Correction { text: c.text, published_at: c.published_at })
            .collect())
    }
}
