//! Full-text search in each backend's own index over the body row, which
//! holds headline, dek and text (see the article_search and article_body
//! migrations). User input never reaches an index's query syntax: it is cut
//! into plain words first, so operators and quotes cannot break a query.

use sea_orm::DatabaseBackend;
use sea_orm::sea_query::{Expr, Value};

const MAX_TERMS: usize = 16;

pub fn terms(q: &str) -> Vec<String> {
    q.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(MAX_TERMS)
        .map(str::to_lowercase)
        .collect()
}

/// All words must match.
pub fn matches(backend: DatabaseBackend, q: &str) -> Expr {
    let words = terms(q);
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
mod tests {
    use super::*;

    #[test]
    fn search_terms_are_lowercased_words_without_punctuation() {
        assert_eq!(terms("Mexico's  election, 2026!"), ["mexico", "s", "election", "2026"]);
        assert!(terms(" -- ?? ").is_empty());
        let many = "w ".repeat(MAX_TERMS + 5);
        assert_eq!(terms(&many).len(), MAX_TERMS);
    }
}
