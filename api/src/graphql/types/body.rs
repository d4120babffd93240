use crate::domain::articles::ArticleBody;
use crate::domain::body::{self, Block as DBlock, Mark, Span as DSpan};
use async_graphql::{Enum, SimpleObject, Union};

/// One body, three forms: typed blocks for native rendering, sanitized HTML
/// for the web, plain text for search and speech.
#[derive(SimpleObject)]
pub struct Body {
    pub blocks: Vec<Block>,
    pub html: String,
    pub text: String,
}

impl Body {
    pub fn from_stored(b: &ArticleBody) -> Self {
        Self {
            blocks: body::parse_stored(&b.body_blocks).into_iter().map(Block::from).collect(),
            html: b.body_html.clone(),
            text: b.body_text.clone(),
        }
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum SpanMark {
    Bold,
    Italic,
    Code,
    Strikethrough,
}

/// A run of text with the same formatting and at most one link.
#[derive(SimpleObject)]
pub struct Span {
    pub text: String,
    pub marks: Vec<SpanMark>,
    pub href: Option<String>,
}

fn spans(s: Vec<DSpan>) -> Vec<Span> {
    s.into_iter()
        .map(|s| Span {
            text: s.text,
            marks: s
                .marks
                .into_iter()
                .map(|m| match m {
                    Mark::Bold => SpanMark::Bold,
                    Mark::Italic => SpanMark::Italic,
                    Mark::Code => SpanMark::Code,
                    Mark::Strikethrough => SpanMark::Strikethrough,
                })
                .collect(),
            href: s.href,
        })
        .collect()
}

#[derive(SimpleObject)]
pub struct ParagraphBlock {
    pub spans: Vec<Span>,
}

#[derive(SimpleObject)]
pub struct HeadingBlock {
    pub level: i32,
    pub spans: Vec<Span>,
}

#[derive(SimpleObject)]
pub struct QuoteBlock {
    pub spans: Vec<Span>,
    pub attribution: Option<String>,
}

#[derive(SimpleObject)]
pub struct ListItem {
    pub spans: Vec<Span>,
}

#[derive(SimpleObject)]
pub struct ListBlock {
    pub ordered: bool,
    pub items: Vec<ListItem>,
}

#[derive(SimpleObject)]
pub struct ImageBlock {
    pub url: String,
    pub alt: Option<String>,
    pub caption: Option<String>,
    pub credit: Option<String>,
}

#[derive(SimpleObject)]
pub struct EmbedBlock {
    pub url: String,
    pub provider: Option<String>,
    pub title: Option<String>,
}

#[derive(Union)]
pub enum Block {
    Paragraph(ParagraphBlock),
    Heading(HeadingBlock),
    Quote(QuoteBlock),
    List(ListBlock),
    Image(ImageBlock),
    Embed(EmbedBlock),
}

impl From<DBlock> for Block {
    fn from(b: DBlock) -> Self {
        match b {
            DBlock::Paragraph { spans: s } => Self::Paragraph(ParagraphBlock { spans: spans(s) }),
            DBlock::Heading { level, spans: s } => {
                Self::Heading(HeadingBlock { level: level.into(), spans: spans(s) })
            }
            DBlock::Quote { spans: s, attribution } => {
                Self::Quote(QuoteBlock { spans: spans(s), attribution })
            }
            DBlock::List { ordered, items } => Self::List(ListBlock {
                ordered,
                items: items.into_iter().map(|i| ListItem { spans: spans(i) }).collect(),
            }),
            DBlock::Image { url, alt, caption, credit, .. } => {
                Self::Image(ImageBlock { url, alt, caption, credit })
            }
            DBlock::Embed { url, provider, title } => Self::Embed(EmbedBlock { url, provider, title }),
        }
    }
}
