use super::input_paths;
use super::inputs::{AuthorInput, MediaInput, SectionInput, TagInput, author_input};
use crate::domain::media;
use crate::domain::taxonomy::write::{self, TermInput};
use crate::graphql::ids::{self, Kind};
use crate::graphql::types::media::Media;
use crate::graphql::types::taxonomy::{Author, Section, Tag};
use crate::graphql::{request, state};
use async_graphql::{Context, ID, MaybeUndefined, Object, Result, SimpleObject};

#[derive(SimpleObject)]
pub struct SectionPayload {
    pub section: Section,
}

#[derive(SimpleObject)]
pub struct TagPayload {
    pub tag: Tag,
}

#[derive(SimpleObject)]
pub struct AuthorPayload {
    pub author: Author,
}

#[derive(SimpleObject)]
pub struct MediaPayload {
    pub media: Media,
}

fn section_input(i: SectionInput) -> TermInput {
    let about = match i.description {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(v)),
    };
    TermInput { slug: i.slug, name: i.name, about, avatar_id: None }
}

fn tag_input(i: TagInput) -> TermInput {
    TermInput { slug: i.slug, name: i.name, ..Default::default() }
}

#[derive(Default)]
pub struct TaxonomyMutation;

/// Every mutation here needs a key with the `content:write` scope. Like
/// every write, each is run again whole if it loses a deadlock.
#[Object]
impl TaxonomyMutation {
    async fn create_section(&self, ctx: &Context<'_>, input: SectionInput) -> Result<SectionPayload> {
        let r = request(ctx);
        let input = section_input(input);
        let s = write::save_section(&state(ctx).db, &r.actor, None, input.clone(), r.now)
            .await
            .map_err(input_paths)?;
        state(ctx).catalog.written(&state(ctx).db).await;
        Ok(SectionPayload { section: Section(s) })
    }

    async fn update_section(&self, ctx: &Context<'_>, id: ID, input: SectionInput) -> Result<SectionPayload> {
        let r = request(ctx);
        let id = ids::decode_as(&id, Kind::Section, "id")?;
        let input = section_input(input);
        let s = write::save_section(&state(ctx).db, &r.actor, Some(id), input.clone(), r.now)
            .await
            .map_err(input_paths)?;
        state(ctx).catalog.written(&state(ctx).db).await;
        Ok(SectionPayload { section: Section(s) })
    }

    async fn create_tag(&self, ctx: &Context<'_>, input: TagInput) -> Result<TagPayload> {
        let r = request(ctx);
        let input = tag_input(input);
        let t = write::save_tag(&state(ctx).db, &r.actor, None, input.clone(), r.now)
            .await
            .map_err(input_paths)?;
        state(ctx).catalog.written(&state(ctx).db).await;
        Ok(TagPayload { tag: Tag(t) })
    }

    async fn update_tag(&self, ctx: &Context<'_>, id: ID, input: TagInput) -> Result<TagPayload> {
        let r = request(ctx);
        let id = ids::decode_as(&id, Kind::Tag, "id")?;
        let input = tag_input(input);
        let t = write::save_tag(&state(ctx).db, &r.actor, Some(id), input.clone(), r.now)
            .await
            .map_err(input_paths)?;
        state(ctx).catalog.written(&state(ctx).db).await;
        Ok(TagPayload { tag: Tag(t) })
    }

    async fn create_author(&self, ctx: &Context<'_>, input: AuthorInput) -> Result<AuthorPayload> {
        let r = request(ctx);
        let input = author_input(input)?;
        let a = write::save_author(&state(ctx).db, &r.actor, None, input.clone(), r.now)
            .await
            .map_err(input_paths)?;
        state(ctx).catalog.written(&state(ctx).db).await;
        Ok(AuthorPayload { author: Author(a) })
    }

    async fn update_author(&self, ctx: &Context<'_>, id: ID, input: AuthorInput) -> Result<AuthorPayload> {
        let r = request(ctx);
        let id = ids::decode_as(&id, Kind::Author, "id")?;
        let input = author_input(input)?;
        let a = write::save_author(&state(ctx).db, &r.actor, Some(id), input.clone(), r.now)
            .await
            .map_err(input_paths)?;
        state(ctx).catalog.written(&state(ctx).db).await;
        Ok(AuthorPayload { author: Author(a) })
    }

    async fn create_media(&self, ctx: &Context<'_>, input: MediaInput) -> Result<MediaPayload> {
        let r = request(ctx);
        let input = input.into_domain();
        let m =
            media::save(&state(ctx).db, &r.actor, None, input.clone(), r.now).await.map_err(input_paths)?;
        Ok(MediaPayload { media: Media(m) })
    }

    async fn update_media(&self, ctx: &Context<'_>, id: ID, input: MediaInput) -> Result<MediaPayload> {
        let r = request(ctx);
        let id = ids::decode_as(&id, Kind::Media, "id")?;
        let input = input.into_domain();
        let m = media::save(&state(ctx).db, &r.actor, Some(id), input.clone(), r.now)
            .await
            .map_err(input_paths)?;
        Ok(MediaPayload { media: Media(m) })
    }
}
