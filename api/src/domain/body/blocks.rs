//! The canonical body: what mobile apps render natively, with no HTML parser.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Block {
    Paragraph {
        spans: Vec<Span>,
    },
    Heading {
        #[serde(deserialize_with = "whole_level")]
        #[schema(minimum = 1, maximum = 6)]
        level: u8,
        spans: Vec<Span>,
    },
    Quote {
        spans: Vec<Span>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(pattern = "@text")]
        attribution: Option<String>,
    },
    List {
        ordered: bool,
        items: Vec<Vec<Span>>,
    },
    #[serde(rename_all = "camelCase")]
    Image {
        #[schema(pattern = "@web-url", max_length = 2000)]
        url: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(pattern = "@text")]
        alt: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(pattern = "@text")]
        caption: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(pattern = "@text")]
        credit: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        media_id: Option<Uuid>,
    },
    Embed {
        #[schema(pattern = "@web-url", max_length = 2000)]
        url: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(pattern = "@text")]
        provider: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(pattern = "@text")]
        title: Option<String>,
    },
}

/// JSON Schema counts `2.0` as an integer, so a client may send one.
fn whole_level<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u8, D::Error> {
    use serde::de::Error;
    let n = serde_json::Number::deserialize(d)?;
    let whole = n.as_u64().or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && *f >= 0.0).map(|f| f as u64));
    whole
        .and_then(|w| u8::try_from(w).ok())
        .ok_or_else(|| D::Error::custom("must be a whole number from 0 to 255"))
}

/// A run of text with the same marks and at most one link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Span {
    #[schema(pattern = "@text")]
    pub text: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub marks: Vec<Mark>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "@text")]
    pub href: Option<String>,
}

impl Span {
    pub fn plain(text: impl Into<String>) -> Self {
        Self { text: text.into(), marks: Vec::new(), href: None }
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "camelCase")]
pub enum Mark {
    Bold,
    Italic,
    Code,
    Strikethrough,
}

/// Only these link targets survive; `javascript:`, `data:` and the like are
/// dropped so no client has to know to distrust them. Browsers read `\` as
/// `/` and delete tabs and newlines from URLs, so `/\evil.example` and
/// `/<TAB>/evil.example` would lead off-site: any backslash or control
/// character makes a link unsafe.
pub fn safe_href(href: &str) -> Option<String> {
    let h = href.trim();
    if h.contains('\\') || h.chars().any(char::is_control) {
        return None;
    }
    let lower = h.to_ascii_lowercase();
    let ok = lower.starts_with("https://")
        || lower.starts_with("http://")
        || lower.starts_with("mailto:")
        || (h.starts_with('/') && !h.starts_with("//"))
        || h.starts_with('#');
    ok.then(|| h.to_owned())
}

fn clean_spans(spans: &[Span]) -> Vec<Span> {
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for s in spans {
        if s.text.is_empty() {
            continue;
        }
        let mut marks = s.marks.clone();
        marks.sort();
        marks.dedup();
        let span = Span { text: s.text.clone(), marks, href: s.href.as_deref().and_then(safe_href) };
        // Merge neighbours with identical formatting, so equal bodies have
        // one stored form.
        match out.last_mut() {
            Some(prev) if prev.marks == span.marks && prev.href == span.href => {
                prev.text.push_str(&span.text)
            }
            _ => out.push(span),
        }
    }
    out
}

/// Cleans links, merges spans and drops blocks left empty.
pub fn normalize(blocks: &[Block]) -> Vec<Block> {
    blocks
        .iter()
        .filter_map(|b| {
            let b = match b {
                Block::Paragraph { spans } => Block::Paragraph { spans: clean_spans(spans) },
                Block::Heading { level, spans } => {
                    Block::Heading { level: (*level).clamp(1, 6), spans: clean_spans(spans) }
                }
                Block::Quote { spans, attribution } => {
                    Block::Quote { spans: clean_spans(spans), attribution: attribution.clone() }
                }
                Block::List { ordered, items } => Block::List {
                    ordered: *ordered,
                    items: items.iter().map(|i| clean_spans(i)).filter(|i| !i.is_empty()).collect(),
                },
                Block::Image { url, .. } | Block::Embed { url, .. } if safe_href(url).is_none() => {
                    return None;
                }
                other => other.clone(),
            };
            let empty = match &b {
                Block::Paragraph { spans } | Block::Heading { spans, .. } | Block::Quote { spans, .. } => {
                    spans.is_empty()
                }
                Block::List { items, .. } => items.is_empty(),
                _ => false,
            };
            (!empty).then_some(b)
        })
        .collect()
}

fn spans_text(spans: &[Span]) -> String {
    spans.iter().map(|s| s.text.as_str()).collect()
}

/// Plain text for search indexes and word counts: blocks separated by blank lines.
pub fn to_text(blocks: &[Block]) -> String {
    let parts: Vec<String> = blocks
        .iter()
        .filter_map(|b| match b {
            Block::Paragraph { spans } | Block::Heading { spans, .. } => Some(spans_text(spans)),
            Block::Quote { spans, attribution } => Some(match attribution {
                Some(a) => format!("{} — {a}", spans_text(spans)),
                None => spans_text(spans),
            }),
            Block::List { items, .. } => {
                Some(items.iter().map(|i| spans_text(i)).collect::<Vec<_>>().join("\n"))
            }
            Block::Image { caption, .. } => caption.clone(),
            Block::Embed { title, .. } => title.clone(),
        })
        .collect();
    parts.join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::safe_href;

    #[test]
    fn links_that_browsers_would_send_off_site_are_dropped() {
        for bad in [
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "//evil.example",
            "javascript:x",
            "https:\\\\evil.example",
            "\\/evil.example",
        ] {
            assert_eq!(safe_href(bad), None, "{bad:?}");
        }
        for good in ["/politics/story", "#notes", "https://example.com/a?b=c", "mailto:desk@example.com"] {
            assert_eq!(safe_href(good).as_deref(), Some(good));
        }
    }
}
