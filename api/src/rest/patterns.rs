//! The OpenAPI document names each kind of text by a mark (`pattern =
//! "@line"`) and this puts in the one pattern of that kind, taken from the
//! rule that checks it. A mark no kind answers to is left for the
//! document's test to find.

use crate::domain::{articles::search, cursor, slug, text};
use serde_json::Value;
use utoipa::openapi::OpenApi;

/// A story's id or slug in a path.
const ID_OR_SLUG: &str =
    "^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[a-z0-9]+(-[a-z0-9]+)*)$";

fn pattern(mark: &str) -> Option<String> {
    let cursor = match mark {
        "@cursor-stories" => Some(cursor::STORIES),
        "@cursor-comments" => Some(cursor::COMMENTS),
        "@cursor-feed" => Some(cursor::FEED),
        "@cursor-deliveries" => Some(cursor::DELIVERIES),
        "@cursor-sitemap" => Some(cursor::SITEMAP),
        _ => None,
    };
    if let Some(kind) = cursor {
        return Some(kind.pattern());
    }
    Some(
        match mark {
            "@line" => text::pattern::LINE,
            "@name" => text::pattern::NAME,
            "@segment" => text::pattern::SEGMENT,
            "@text" => text::pattern::TEXT,
            "@prose" => text::pattern::PROSE,
            "@web-url" => text::pattern::WEB_URL,
            "@endpoint-url" => text::pattern::ENDPOINT_URL,
            "@slug" => slug::PATTERN,
            "@search" => search::PATTERN,
            "@id-or-slug" => ID_OR_SLUG,
            _ => return None,
        }
        .to_owned(),
    )
}

fn fill(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, child) in map.iter_mut() {
                if k == "pattern"
                    && let Some(p) = child.as_str().and_then(pattern)
                {
                    *child = Value::String(p);
                } else {
                    fill(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(fill),
        _ => {}
    }
}

/// Puts the patterns in, once every handler's paths are in the document.
pub fn fill_in(api: &mut OpenApi) {
    let Ok(mut doc) = serde_json::to_value(&*api) else { return };
    fill(&mut doc);
    if let Ok(filled) = serde_json::from_value(doc) {
        *api = filled;
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_mark_is_filled_in() {
        let doc = serde_json::to_string(&crate::startup::openapi()).unwrap_or_else(|e| panic!("{e}"));
        assert!(!doc.contains("\"pattern\":\"@"), "a text mark no kind answers to");
        assert!(doc.contains(super::text::pattern::NAME.replace('\\', "\\\\").as_str()));
    }

    /// `\w`, `\s`, `\d` and `\b` mean different things in the engines
    /// clients validate with (ASCII-only `\w` in ECMA-262, `\s` with U+FEFF
    /// there and not in Rust or Python), so the document spells every class
    /// out and each pattern means what Dateline checks everywhere.
    #[test]
    fn no_pattern_leans_on_an_engine_s_classes() {
        let doc = serde_json::to_value(crate::startup::openapi()).unwrap_or_else(|e| panic!("{e}"));
        let mut patterns = Vec::new();
        collect(&doc, &mut patterns);
        assert!(patterns.len() > 10);
        for p in patterns {
            let mut chars = p.chars();
            while let Some(c) = chars.next() {
                if c == '\\' {
                    let next = chars.next();
                    assert!(!matches!(next, Some('w' | 'W' | 's' | 'S' | 'd' | 'D' | 'b' | 'B')), "{p}");
                }
            }
        }
    }

    fn collect(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(map) => {
                for (k, child) in map {
                    match child.as_str() {
                        Some(p) if k == "pattern" => out.push(p.to_owned()),
                        _ => collect(child, out),
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|c| collect(c, out)),
            _ => {}
        }
    }
}
