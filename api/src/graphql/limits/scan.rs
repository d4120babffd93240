//! A lexical pass over the raw document: counts tokens and the brackets
//! open at once, skipping strings and comments, without recursion.

use super::DocumentLimits;
use crate::error::{AppError, AppResult};

pub fn check(doc: &str, limits: &DocumentLimits) -> AppResult<()> {
    let b = doc.as_bytes();
    let (mut i, mut tokens, mut depth) = (0usize, 0usize, 0usize);
    while i < b.len() {
        match b[i] {
            b' ' | b'\t' | b'\n' | b'\r' | b',' => {
                i += 1;
                continue;
            }
            b'#' => {
                while i < b.len() && b[i] != b'\n' && b[i] != b'\r' {
                    i += 1;
                }
                continue;
            }
            b'"' => i = skip_string(b, i),
            b'{' | b'[' | b'(' => {
                depth += 1;
                if depth > limits.max_nesting {
                    return Err(AppError::TooComplex(format!(
                        "brackets are nested more than {} deep",
                        limits.max_nesting
                    )));
                }
                i += 1;
            }
            b'}' | b']' | b')' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            c if c.is_ascii_alphanumeric() || c == b'_' || c == b'-' => {
                while i < b.len()
                    && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'_' | b'-' | b'+' | b'.'))
                {
                    i += 1;
                }
            }
            b'.' if b[i..].starts_with(b"...") => i += 3,
            _ => i += 1,
        }
        tokens += 1;
        if tokens > limits.max_tokens {
            return Err(AppError::TooComplex(format!(
                "the document has more than {} tokens",
                limits.max_tokens
            )));
        }
    }
    Ok(())
}

/// The index just past the string starting at `start` (or the end of an
/// unterminated one, which the parser then reports).
fn skip_string(b: &[u8], start: usize) -> usize {
    if b[start..].starts_with(b"\"\"\"") {
        let mut i = start + 3;
        while i < b.len() {
            if b[i..].starts_with(b"\\\"\"\"") {
                i += 4;
            } else if b[i..].starts_with(b"\"\"\"") {
                return i + 3;
            } else {
                i += 1;
            }
        }
        return b.len();
    }
    let mut i = start + 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            b'\n' | b'\r' => return i,
            _ => i += 1,
        }
    }
    b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> DocumentLimits {
        DocumentLimits { max_tokens: 50, max_nesting: 4, ..Default::default() }
    }

    #[test]
    fn brackets_inside_strings_and_comments_do_not_count() {
        let doc = "{ a(s: \"[[[[[[[[\", t: \"\"\"{{{{{{ \\\"\"\" {{{{\"\"\") # ((((((((\n }";
        assert!(check(doc, &limits()).is_ok());
    }

    #[test]
    fn deep_brackets_of_any_kind_are_refused() {
        for (open, close) in [("{", "}"), ("[", "]"), ("(", ")")] {
            let doc = format!("{}{}", open.repeat(5), close.repeat(5));
            assert!(check(&doc, &limits()).is_err(), "{open}");
        }
        assert!(check("{[(x)]}", &limits()).is_ok());
    }

    #[test]
    fn tokens_are_counted() {
        assert!(check(&"a ".repeat(50), &limits()).is_ok());
        assert!(check(&"a ".repeat(51), &limits()).is_err());
        assert!(check("...F", &limits()).is_ok());
    }

    #[test]
    fn unterminated_strings_end_the_scan() {
        assert!(check("{ a(s: \"[[[[[[", &limits()).is_ok());
        assert!(check("{ a(s: \"\"\"[[[[[[", &limits()).is_ok());
    }
}
