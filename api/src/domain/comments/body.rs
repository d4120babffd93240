//! Comment bodies: plain text with light Markdown (emphasis, links, quotes,
//! code, lists), stored as written and served as sanitized HTML and plain
//! text, both rendered once on write. Raw HTML in a body is shown as text,
//! never passed through, and the HTML still goes through an ammonia
//! allowlist; links get `rel="nofollow ugc noopener"`.

use crate::domain::text::{self, Lines};
use crate::error::{AppError, AppResult, Validator};
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use std::collections::HashSet;
use std::sync::LazyLock;

pub const MAX_CHARS: usize = 5_000;

/// The most HTML a body may render to. Markdown can multiply a body's
/// size (each `>` opens a nested quote), and MariaDB's `TEXT` column holds
/// 65,535 bytes; a body past this is refused rather than failing to store.
pub const MAX_HTML_BYTES: usize = 60_000;

#[derive(Clone)]
pub struct Rendered {
    pub raw: String,
    pub html: String,
    pub text: String,
}

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::empty();
    b.add_tags(["p", "br", "em", "strong", "a", "blockquote", "code", "pre", "ul", "ol", "li", "del"])
        .add_tag_attributes("a", ["href"])
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .link_rel(Some("nofollow ugc noopener"))
        .strip_comments(true);
    b
});

/// Checks a body as a reader sent it; `path` names the field.
pub fn check(path: &str, raw: &str) -> AppResult<()> {
    let mut v = Validator::new();
    v.check(!text::is_blank(raw), path, "must not be empty");
    v.check(raw.chars().count() <= MAX_CHARS, path, &format!("must be at most {MAX_CHARS} characters"));
    text::check(&mut v, path, raw, Lines::Multi);
    v.finish()
}

pub fn render(raw: &str) -> Rendered {
    let raw = raw.trim().to_owned();
    let mut plain = String::new();
    let events: Vec<Event<'_>> = Parser::new_ext(&raw, Options::ENABLE_STRIKETHROUGH)
        .map(|e| match e {
            // Raw HTML is text the reader typed, shown as typed.
            Event::Html(h) | Event::InlineHtml(h) => Event::Text(h),
            // Headings and images are not part of a comment's formatting;
            // their text stays.
            Event::Start(Tag::Heading { .. }) => Event::Start(Tag::Paragraph),
            Event::End(TagEnd::Heading(_)) => Event::End(TagEnd::Paragraph),
            other => other,
        })
        .inspect(|e| match e {
            Event::Text(t) | Event::Code(t) => plain.push_str(t),
            Event::SoftBreak | Event::HardBreak => plain.push('\n'),
            Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::BlockQuote(_) | TagEnd::CodeBlock) => {
                plain.push_str("\n\n")
            }
            _ => {}
        })
        .collect();
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    let html = SANITIZER.clean(&html).to_string();
    let text = plain.split("\n\n").map(str::trim).filter(|p| !p.is_empty()).collect::<Vec<_>>().join("\n\n");
    Rendered { raw, html, text }
}

/// Checks what a body rendered to: it must fit where it is stored.
pub fn check_rendered(path: &str, r: &Rendered) -> AppResult<()> {
    if r.html.len() > MAX_HTML_BYTES {
        return Err(AppError::unprocessable(
            path,
            "formats to too much HTML (too deeply nested); simplify it",
        ));
    }
    Ok(())
}

/// What a removed comment shows in place of its body.
pub fn removed() -> Rendered {
    Rendered { raw: String::new(), html: String::new(), text: String::new() }
}

pub fn refused_word() -> AppError {
    AppError::field("body", "contains language that is not allowed here; please rephrase")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn light_markdown_renders_and_links_are_marked() {
        let r = render("I *agree* with [this](https://example.com)\n\n> quoted");
        assert!(r.html.contains("<em>agree</em>"), "{}", r.html);
        assert!(r.html.contains(r#"rel="nofollow ugc noopener""#), "{}", r.html);
        assert!(r.html.contains("<blockquote>"), "{}", r.html);
        assert_eq!(r.text, "I agree with this\n\nquoted");
    }

    #[test]
    fn html_and_bad_urls_do_not_survive() {
        let r = render("<script>alert(1)</script> <img src=x onerror=alert(1)>");
        assert!(!r.html.contains("<script") && !r.html.contains("<img"), "{}", r.html);
        assert!(r.html.contains("&lt;script&gt;"), "{}", r.html);
        let r = render("a [x](javascript:alert(1)) link");
        assert!(!r.html.contains("href=\"javascript"), "{}", r.html);
    }

    #[test]
    fn bodies_are_checked() {
        for bad in [
            "",
            "   \n\t ",
            "\u{200B}\u{200B}",
            " \u{FEFF}\u{2060} ",
            "a\u{0}b",
            "a\u{1b}b",
            &"x".repeat(MAX_CHARS + 1),
        ] {
            let e = check("body", bad).err().map(|e| e.fields()[0].path.clone());
            assert_eq!(e.as_deref(), Some("body"), "{bad:?}");
        }
        assert!(check("body", "fine\nlines").is_ok());
    }

    #[test]
    fn a_body_that_renders_past_its_column_is_refused() {
        let deep = render(&">".repeat(3_000));
        assert!(check_rendered("body", &deep).is_err(), "{} bytes", deep.html.len());
        assert!(check_rendered("body", &render(&"word ".repeat(900))).is_ok());
    }
}
