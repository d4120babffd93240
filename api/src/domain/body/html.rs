//! HTML derived from blocks. Text is escaped while rendering, and the result
//! still passes through an ammonia allowlist: every HTML leaving Dateline is
//! sanitized, even HTML Dateline wrote itself.

use super::blocks::{Block, Mark, Span};
use std::collections::HashSet;
use std::sync::LazyLock;

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    b.tags(HashSet::from([
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "cite",
        "ul",
        "ol",
        "li",
        "a",
        "em",
        "strong",
        "code",
        "s",
        "figure",
        "figcaption",
        "img",
        "br",
    ]))
    .tag_attributes(std::collections::HashMap::from([
        ("a", HashSet::from(["href"])),
        ("img", HashSet::from(["src", "alt"])),
        ("figure", HashSet::from(["class"])),
    ]))
    .url_schemes(HashSet::from(["http", "https", "mailto"]))
    .link_rel(Some("noopener noreferrer"));
    b
});

pub fn sanitize_html(html: &str) -> String {
    SANITIZER.clean(html).to_string()
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn spans(out: &mut String, spans: &[Span]) {
    for s in spans {
        let mut open = String::new();
        let mut close = Vec::new();
        if let Some(href) = &s.href {
            open.push_str(&format!("<a href=\"{}\">", escape(href)));
            close.push("</a>");
        }
        for m in &s.marks {
            let (o, c) = match m {
                Mark::Bold => ("<strong>", "</strong>"),
                Mark::Italic => ("<em>", "</em>"),
                Mark::Code => ("<code>", "</code>"),
                Mark::Strikethrough => ("<s>", "</s>"),
            };
            open.push_str(o);
            close.push(c);
        }
        out.push_str(&open);
        out.push_str(&escape(&s.text).replace('\n', "<br>"));
        for c in close.iter().rev() {
            out.push_str(c);
        }
    }
}

pub fn to_html(blocks: &[Block]) -> String {
    let mut out = String::new();
    for b in blocks {
        match b {
            Block::Paragraph { spans: s } => {
                out.push_str("<p>");
                spans(&mut out, s);
                out.push_str("</p>");
            }
            Block::Heading { level, spans: s } => {
                out.push_str(&format!("<h{level}>"));
                spans(&mut out, s);
                out.push_str(&format!("</h{level}>"));
            }
            Block::Quote { spans: s, attribution } => {
                out.push_str("<blockquote><p>");
                spans(&mut out, s);
                out.push_str("</p>");
                if let Some(a) = attribution {
                    out.push_str(&format!("<cite>{}</cite>", escape(a)));
                }
                out.push_str("</blockquote>");
            }
            Block::List { ordered, items } => {
                let tag = if *ordered { "ol" } else { "ul" };
                out.push_str(&format!("<{tag}>"));
                for item in items {
                    out.push_str("<li>");
                    spans(&mut out, item);
                    out.push_str("</li>");
                }
                out.push_str(&format!("</{tag}>"));
            }
            Block::Image { url, alt, caption, credit, .. } => {
                out.push_str(&format!(
                    "<figure><img src=\"{}\" alt=\"{}\">",
                    escape(url),
                    escape(alt.as_deref().unwrap_or(""))
                ));
                let cap: Vec<&str> = [caption.as_deref(), credit.as_deref()].into_iter().flatten().collect();
                if !cap.is_empty() {
                    out.push_str(&format!("<figcaption>{}</figcaption>", escape(&cap.join(" "))));
                }
                out.push_str("</figure>");
            }
            Block::Embed { url, title, .. } => {
                out.push_str(&format!(
                    "<figure class=\"embed\"><a href=\"{}\">{}</a></figure>",
                    escape(url),
                    escape(title.as_deref().unwrap_or(url))
                ));
            }
        }
    }
    sanitize_html(&out)
}
