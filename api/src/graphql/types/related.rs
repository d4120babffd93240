use super::article::Article;
use super::taxonomy::Tag;
use crate::domain::related::{self, Reason};
use crate::domain::taxonomy::links::LinkKinds;
use crate::graphql::state;
use async_graphql::{Context, Enum, Object, Result};

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum RelatedReason {
    /// Chosen by an editor.
    Curated,
    /// Picked for the tags it shares; rarer tags weigh more.
    SharedTags,
    /// Picked from the same section; no tag in common.
    SameSection,
}

/// A story in a related list, with why it is there.
pub struct RelatedStory(pub related::RelatedItem);

#[Object]
impl RelatedStory {
    async fn article(&self) -> Article {
        Article::from(self.0.article.clone())
    }
    async fn reason(&self) -> RelatedReason {
        match self.0.reason {
            Reason::Curated => RelatedReason::Curated,
            Reason::SharedTags => RelatedReason::SharedTags,
            Reason::SameSection => RelatedReason::SameSection,
        }
    }
    /// Σ ln(1 + N/df) over shared tags, plus 0.5 for the same section; 0 for curated.
    async fn score(&self) -> f64 {
        self.0.score
    }
    /// The tags behind an automatic pick.
    async fn shared_tags(&self, ctx: &Context<'_>) -> Result<Vec<Tag>> {
        if self.0.shared_tag_ids.is_empty() {
            return Ok(Vec::new());
        }
        let st = state(ctx);
        let article = &self.0.article;
        let tags = st
            .catalog
            .links(&st.db, [article], LinkKinds::TAGS)
            .await?
            .remove(&article.id)
            .unwrap_or_default()
            .tags;
        Ok(self.0.shared_tags(&tags).cloned().map(Tag).collect())
    }
}
