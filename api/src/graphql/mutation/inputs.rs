//! GraphQL input types and their conversion into domain inputs.

use crate::domain::articles::CommentsStatus as DomainComments;
use crate::domain::articles::input::{ArticleChanges, AudioInput as DomainAudio, BodyInput};
use crate::domain::body::{Block, Mark, Span};
use crate::error::AppResult;
use crate::graphql::ids::{self, Kind};
use crate::graphql::types::article::CommentsStatus;
use crate::graphql::types::body::SpanMark;
use async_graphql::{ID, InputObject, MaybeUndefined, OneofObject};
use uuid::Uuid;

fn maybe<T, U>(m: MaybeUndefined<T>, f: impl FnOnce(T) -> U) -> Option<Option<U>> {
    match m {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(f(v))),
    }
}

fn maybe_id(m: MaybeUndefined<ID>, kind: Kind, path: &str) -> AppResult<Option<Option<Uuid>>> {
    Ok(match m {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(ids::decode_as(&v, kind, path)?)),
    })
}

pub fn id_list(list: Option<Vec<ID>>, kind: Kind, path: &str) -> AppResult<Option<Vec<Uuid>>> {
    list.map(|l| {
        l.iter().enumerate().map(|(i, id)| ids::decode_as(id, kind, &format!("{path}[{i}]"))).collect()
    })
    .transpose()
}

#[derive(InputObject)]
pub struct SpanInput {
    pub text: String,
    #[graphql(default)]
    pub marks: Vec<SpanMark>,
    pub href: Option<String>,
}

#[derive(InputObject)]
pub struct SpansInput {
    pub spans: Vec<SpanInput>,
}

#[derive(InputObject)]
pub struct HeadingInput {
    pub level: i32,
    pub spans: Vec<SpanInput>,
}

#[derive(InputObject)]
pub struct QuoteInput {
    pub spans: Vec<SpanInput>,
    pub attribution: Option<String>,
}

#[derive(InputObject)]
pub struct ListInput {
    pub ordered: bool,
    pub items: Vec<SpansInput>,
}

#[derive(InputObject)]
pub struct ImageBlockInput {
    pub url: String,
    pub alt: Option<String>,
    pub caption: Option<String>,
    pub credit: Option<String>,
}

#[derive(InputObject)]
pub struct EmbedInput {
    pub url: String,
    pub provider: Option<String>,
    pub title: Option<String>,
}

/// One body block; give exactly one field.
#[derive(OneofObject)]
pub enum BlockInput {
    Paragraph(SpansInput),
    Heading(HeadingInput),
    Quote(QuoteInput),
    List(ListInput),
    Image(ImageBlockInput),
    Embed(EmbedInput),
}

fn spans(s: Vec<SpanInput>) -> Vec<Span> {
    s.into_iter()
        .map(|s| Span {
            text: s.text,
            marks: s
                .marks
                .into_iter()
                .map(|m| match m {
                    SpanMark::Bold => Mark::Bold,
                    SpanMark::Italic => Mark::Italic,
                    SpanMark::Code => Mark::Code,
                    SpanMark::Strikethrough => Mark::Strikethrough,
                })
                .collect(),
            href: s.href,
        })
        .collect()
}

impl From<BlockInput> for Block {
    fn from(b: BlockInput) -> Self {
        match b {
            BlockInput::Paragraph(p) => Block::Paragraph { spans: spans(p.spans) },
            BlockInput::Heading(h) => {
                Block::Heading { level: u8::try_from(h.level).unwrap_or(0), spans: spans(h.spans) }
            }
            BlockInput::Quote(q) => Block::Quote { spans: spans(q.spans), attribution: q.attribution },
            BlockInput::List(l) => Block::List {
                ordered: l.ordered,
                items: l.items.into_iter().map(|i| spans(i.spans)).collect(),
            },
            BlockInput::Image(i) => {
                Block::Image { url: i.url, alt: i.alt, caption: i.caption, credit: i.credit, media_id: None }
            }
            BlockInput::Embed(e) => Block::Embed { url: e.url, provider: e.provider, title: e.title },
        }
    }
}

#[derive(InputObject)]
pub struct AudioInput {
    pub url: String,
    pub duration_seconds: Option<i32>,
    pub mime_type: Option<String>,
}

/// An article's fields. On update, fields left out stay as they are and
/// `null` clears a nullable field. Give the body as Markdown or as blocks.
#[derive(InputObject, Default)]
pub struct ArticleInput {
    pub slug: Option<String>,
    pub external_id: MaybeUndefined<String>,
    pub headline: Option<String>,
    pub dek: MaybeUndefined<String>,
    pub dateline: MaybeUndefined<String>,
    pub body_markdown: Option<String>,
    pub body_blocks: Option<Vec<BlockInput>>,
    pub section_id: MaybeUndefined<ID>,
    pub tag_ids: Option<Vec<ID>>,
    pub author_ids: Option<Vec<ID>>,
    pub hero_image_id: MaybeUndefined<ID>,
    pub audio: MaybeUndefined<AudioInput>,
    pub seo_title: MaybeUndefined<String>,
    pub seo_description: MaybeUndefined<String>,
    pub canonical_url: MaybeUndefined<String>,
    pub comments_status: Option<CommentsStatus>,
}

impl ArticleInput {
    pub fn into_changes(self) -> AppResult<ArticleChanges> {
        let blocks = self.body_blocks.map(|b| b.into_iter().map(Block::from).collect());
        let body = BodyInput::from_parts(self.body_markdown, blocks).map_err(super::input_paths)?;
        Ok(ArticleChanges {
            slug: self.slug,
            external_id: maybe(self.external_id, |x| x),
            headline: self.headline,
            dek: maybe(self.dek, |x| x),
            dateline: maybe(self.dateline, |x| x),
            body,
            section_id: maybe_id(self.section_id, Kind::Section, "input.sectionId")?,
            tag_ids: id_list(self.tag_ids, Kind::Tag, "input.tagIds")?,
            author_ids: id_list(self.author_ids, Kind::Author, "input.authorIds")?,
            hero_image_id: maybe_id(self.hero_image_id, Kind::Media, "input.heroImageId")?,
            audio: maybe(self.audio, |a| DomainAudio {
                url: a.url,
                duration_seconds: a.duration_seconds,
                mime_type: a.mime_type,
            }),
            seo_title: maybe(self.seo_title, |x| x),
            seo_description: maybe(self.seo_description, |x| x),
            canonical_url: maybe(self.canonical_url, |x| x),
            comments_status: self.comments_status.map(|c| match c {
                CommentsStatus::Open => DomainComments::Open,
                CommentsStatus::Closed => DomainComments::Closed,
                CommentsStatus::Disabled => DomainComments::Disabled,
            }),
        })
    }
}

#[derive(InputObject, Default)]
pub struct SectionInput {
    pub slug: Option<String>,
    pub name: Option<String>,
    pub description: MaybeUndefined<String>,
}

#[derive(InputObject, Default)]
pub struct TagInput {
    pub slug: Option<String>,
    pub name: Option<String>,
}

#[derive(InputObject, Default)]
pub struct AuthorInput {
    pub slug: Option<String>,
    pub name: Option<String>,
    pub bio: MaybeUndefined<String>,
    pub avatar_id: MaybeUndefined<ID>,
}

#[derive(InputObject, Default)]
pub struct CreditInput {
    pub photographer: MaybeUndefined<String>,
    pub agency: MaybeUndefined<String>,
    pub rights_holder: MaybeUndefined<String>,
    pub license: MaybeUndefined<String>,
    pub license_expires_at: MaybeUndefined<chrono::DateTime<chrono::Utc>>,
}

#[derive(InputObject, Default)]
pub struct MediaInput {
    pub url: Option<String>,
    pub alt: MaybeUndefined<String>,
    pub caption: MaybeUndefined<String>,
    pub width: MaybeUndefined<i32>,
    pub height: MaybeUndefined<i32>,
    pub mime_type: MaybeUndefined<String>,
    pub credit: Option<CreditInput>,
}

impl MediaInput {
    pub fn into_domain(self) -> crate::domain::media::MediaInput {
        let c = self.credit.unwrap_or_default();
        crate::domain::media::MediaInput {
            url: self.url,
            alt: maybe(self.alt, |x| x),
            caption: maybe(self.caption, |x| x),
            width: maybe(self.width, |x| x),
            height: maybe(self.height, |x| x),
            mime_type: maybe(self.mime_type, |x| x),
            photographer: maybe(c.photographer, |x| x),
            agency: maybe(c.agency, |x| x),
            rights_holder: maybe(c.rights_holder, |x| x),
            license: maybe(c.license, |x| x),
            license_expires_at: maybe(c.license_expires_at, |x| x),
        }
    }
}

pub fn author_input(a: AuthorInput) -> AppResult<crate::domain::taxonomy::write::TermInput> {
    Ok(crate::domain::taxonomy::write::TermInput {
        slug: a.slug,
        name: a.name,
        about: maybe(a.bio, |x| x),
        avatar_id: maybe_id(a.avatar_id, Kind::Media, "input.avatarId")?,
    })
}
