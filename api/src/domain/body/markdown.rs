//! Markdown in, canonical blocks out. Raw HTML in Markdown is dropped, not
//! passed through: editors who need an embed send an embed block.

use super::blocks::{Block, Mark, Span};
use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

#[derive(Default)]
struct Builder {
    blocks: Vec<Block>,
    spans: Vec<Span>,
    marks: Vec<Mark>,
    href: Option<String>,
    heading: Option<u8>,
    quote_depth: usize,
    quote_spans: Vec<Span>,
    list: Option<(bool, Vec<Vec<Span>>)>,
    image: Option<(String, String)>,
    /// Inside a raw `<script>` or `<style>`: its text is code, not prose.
    in_raw_code: bool,
}

impl Builder {
    fn text(&mut self, t: &str) {
        if let Some((_, alt)) = &mut self.image {
            alt.push_str(t);
            return;
        }
        let mut marks = self.marks.clone();
        marks.sort();
        marks.dedup();
        self.spans.push(Span { text: t.to_owned(), marks, href: self.href.clone() });
    }

    /// Ends a paragraph-like run; where it lands depends on the container.
    fn flush(&mut self) {
        let spans = std::mem::take(&mut self.spans);
        if spans.is_empty() {
            return;
        }
        if let Some((_, items)) = &mut self.list {
            match items.last_mut() {
                Some(item) => {
                    if !item.is_empty() {
                        item.push(Span::plain(" "));
                    }
                    item.extend(spans);
                }
                None => items.push(spans),
            }
        } else if self.quote_depth > 0 {
            if !self.quote_spans.is_empty() {
                self.quote_spans.push(Span::plain("\n"));
            }
            self.quote_spans.extend(spans);
        } else if let Some(level) = self.heading.take() {
            self.blocks.push(Block::Heading { level, spans });
        } else {
            self.blocks.push(Block::Paragraph { spans });
        }
    }
}

fn level(l: HeadingLevel) -> u8 {
    match l {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

pub fn from_markdown(md: &str) -> Vec<Block> {
    let mut b = Builder::default();
    for event in Parser::new_ext(md, Options::ENABLE_STRIKETHROUGH) {
        match event {
            Event::Start(Tag::Heading { level: l, .. }) => {
                b.flush();
                b.heading = Some(level(l));
            }
            Event::End(TagEnd::Heading(_)) | Event::End(TagEnd::Paragraph) => b.flush(),
            Event::End(TagEnd::CodeBlock) => {
                b.flush();
                b.marks.pop();
            }
            Event::Start(Tag::CodeBlock(_)) => {
                b.flush();
                b.marks.push(Mark::Code);
            }
            Event::Start(Tag::BlockQuote(_)) => {
                b.flush();
                b.quote_depth += 1;
            }
            Event::End(TagEnd::BlockQuote(_)) => {
                b.flush();
                b.quote_depth = b.quote_depth.saturating_sub(1);
                if b.quote_depth == 0 {
                    let spans = std::mem::take(&mut b.quote_spans);
                    b.blocks.push(Block::Quote { spans, attribution: None });
                }
            }
            Event::Start(Tag::List(start)) => {
                b.flush();
                if b.list.is_none() {
                    b.list = Some((start.is_some(), Vec::new()));
                }
            }
            Event::End(TagEnd::List(_)) => {
                b.flush();
                // Nested lists are flattened into the outer list's items.
                if let Some((ordered, items)) = b.list.take() {
                    b.blocks.push(Block::List { ordered, items });
                }
            }
            Event::Start(Tag::Item) => {
                b.flush();
                if let Some((_, items)) = &mut b.list {
                    items.push(Vec::new());
                }
            }
            Event::End(TagEnd::Item) => b.flush(),
            Event::Start(Tag::Emphasis) => b.marks.push(Mark::Italic),
            Event::Start(Tag::Strong) => b.marks.push(Mark::Bold),
            Event::Start(Tag::Strikethrough) => b.marks.push(Mark::Strikethrough),
            Event::End(TagEnd::Emphasis) | Event::End(TagEnd::Strong) | Event::End(TagEnd::Strikethrough) => {
                b.marks.pop();
            }
            Event::Start(Tag::Link { dest_url, .. }) => b.href = Some(dest_url.to_string()),
            Event::End(TagEnd::Link) => b.href = None,
            Event::Start(Tag::Image { dest_url, .. }) => {
                b.flush();
                b.image = Some((dest_url.to_string(), String::new()));
            }
            Event::End(TagEnd::Image) => {
                if let Some((url, alt)) = b.image.take() {
                    let alt = (!alt.is_empty()).then_some(alt);
                    b.blocks.push(Block::Image { url, alt, caption: None, credit: None, media_id: None });
                }
            }
            Event::Html(h) | Event::InlineHtml(h) => {
                let h = h.to_ascii_lowercase();
                if h.contains("<script") || h.contains("<style") {
                    b.in_raw_code = true;
                }
                if h.contains("</script") || h.contains("</style") {
                    b.in_raw_code = false;
                }
            }
            Event::Text(_) if b.in_raw_code => {}
            Event::Text(t) => b.text(&t),
            Event::Code(t) => {
                b.marks.push(Mark::Code);
                b.text(&t);
                b.marks.pop();
            }
            Event::SoftBreak => b.text(" "),
            Event::HardBreak => b.text("\n"),
            // Raw HTML, footnotes, rules: not part of the canonical body.
            _ => {}
        }
    }
    b.flush();
    super::blocks::normalize(&b.blocks)
}
