//! Full-text search in each backend's own index over the body row, which
//! holds headline, dek and text (see the article_search and article_body
//! migrations). User input never reaches an index's query syntax: it is cut
//! into plain words first, so operators and quotes cannot break a query.

use crate::domain::text;
use sea_orm::DatabaseBackend;
use sea_orm::sea_query::{Expr, Value};

const MAX_TERMS: usize = 16;

/// The shortest word every backend indexes (InnoDB's default token size).
const MIN_WORD: usize = 3;

/// Words some index leaves out: PostgreSQL's English stop words and
/// InnoDB's. Each backend would treat them differently (PostgreSQL ignores
/// them, MariaDB finds nothing when one is required, SQLite requires it),
/// so they are dropped before any backend sees them, and a search finds
/// the same stories everywhere.
const STOP_WORDS: [&str; 133] = [
    "a",
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "com",
    "de",
    "did",
    "do",
    "does",
    "doing",
    "don",
    "down",
    "during",
    "each",
    "en",
    "few",
    "for",
    "from",
    "further",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "la",
    "me",
    "more",
    "most",
    "my",
    "myself",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "on",
    "once",
    "only",
    "or",
    "other",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "s",
    "same",
    "she",
    "should",
    "so",
    "some",
    "such",
    "t",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "und",
    "under",
    "until",
    "up",
    "very",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "www",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
];

/// Whether a search has something to look for: an ASCII letter or digit,
/// or a visible character beyond ASCII. Beyond ASCII the rule cannot say
/// "letter" because [`PATTERN`] must mean the same in every engine a
/// client validates with, and JSON Schema's `\w` is ASCII-only in some
/// (ECMA-262) and Unicode in others; a search of symbols alone is well
/// formed and, like one of stop words, matches nothing.
pub fn has_words(q: &str) -> bool {
    q.chars().any(is_searchable)
}

fn is_searchable(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    !(c.is_control() || text::is_noncharacter(c) || text::is_invisible(c))
}

/// [`has_words`] as the schema states it, on one line.
pub const PATTERN: &str = concat!(
    "^[^",
    text::pattern::not_in_line!(),
    "]*[^",
    r"\u0000-\u002F\u003A-\u0040\u005B-\u0060\u007B-\u009F",
    text::pattern::not_in_line!(),
    text::pattern::white_space!(),
    text::pattern::invisible!(),
    "][^",
    text::pattern::not_in_line!(),
    "]*$"
);

/// The words of a search that every backend can match: lowercased, split
/// on anything not a letter or digit, without stop words or words shorter
/// than three characters.
pub fn terms(q: &str) -> Vec<String> {
    q.split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .filter(|w| w.chars().count() >= MIN_WORD && !STOP_WORDS.contains(&w.as_str()))
        .take(MAX_TERMS)
        .collect()
}

/// All words must match. A search of only stop words and short words
/// matches nothing, on every backend alike.
pub fn matches(backend: DatabaseBackend, q: &str) -> Expr {
    let words = terms(q);
    if words.is_empty() {
        return Expr::cust("1 = 0");
    }
    match backend {
        DatabaseBackend::Postgres => Expr::cust_with_values(
            "article.id IN (SELECT article_id FROM article_body WHERE search_vector @@ plainto_tsquery('english', $1))",
            [Value::from(words.join(" "))],
        ),
        DatabaseBackend::MySql => {
            let q: Vec<String> = words.iter().map(|w| format!("+{w}")).collect();
            Expr::cust_with_values(
                "article.id IN (SELECT article_id FROM article_body \
                 WHERE MATCH (headline, dek, body_text) AGAINST (? IN BOOLEAN MODE))",
                [Value::from(q.join(" "))],
            )
        }
        _ => {
            let q: Vec<String> = words.iter().map(|w| format!("\"{w}\"")).collect();
            Expr::cust_with_values(
                "article.id IN (SELECT article_id FROM article_body \
                 WHERE rowid IN (SELECT rowid FROM article_fts WHERE article_fts MATCH ?))",
                [Value::from(q.join(" "))],
            )
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn search_terms_are_lowercased_words_without_punctuation() {
        assert_eq!(terms("Mexico's  election, 2026!"), ["mexico", "election", "2026"]);
        assert!(terms(" -- ?? ").is_empty());
        let many = "word ".repeat(MAX_TERMS + 5);
        assert_eq!(terms(&many).len(), MAX_TERMS);
    }

    #[test]
    fn words_no_backend_can_match_alike_are_left_out() {
        assert_eq!(terms("\"desert\" OR (*"), ["desert"]);
        assert_eq!(terms("The wind AND the sun"), ["wind", "sun"]);
        assert!(terms("to be or not to be").is_empty());
        assert!(has_words("0") && !has_words(" -- "));
        assert!(terms("EU UK").is_empty(), "too short for InnoDB's index");
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]), "sorted, so a new word finds its place");
    }

    /// The schema's pattern is the rule, character by character over the
    /// Basic Multilingual Plane, alone and between ASCII punctuation.
    #[test]
    fn the_stated_pattern_is_the_rule() {
        let re = regex::Regex::new(PATTERN).unwrap();
        for c in (0u32..0x1_0000).filter_map(char::from_u32) {
            for s in [format!("{c}"), format!("-{c} ")] {
                let rule = has_words(&s) && text::is_clean(&s, text::Lines::Single);
                assert_eq!(re.is_match(&s), rule, "{c:?}");
            }
        }
        assert!(has_words("Ã") && has_words("ελλάδα") && has_words("«»") && !has_words("\u{A0}\u{200B}"));
    }
}
