//! Word lists matched on normalised text, so "B@D", "bád", "b.a.d" and
//! "baaad" all match "bad": letters are folded (case, accents,
//! look-alike digits and symbols), words split on everything else, runs of
//! single letters joined ("b a d"), and repeated letters squeezed. Words
//! are matched whole, so "class" does not match "ass".

use unicode_normalization::UnicodeNormalization;

#[derive(Debug, Clone, Default)]
pub struct WordList {
    /// Each entry normalised and squeezed.
    words: Vec<String>,
}

impl WordList {
    pub fn new<S: AsRef<str>>(words: &[S]) -> Self {
        let mut words: Vec<String> = words
            .iter()
            .flat_map(|w| tokens(w.as_ref()))
            .map(|w| squeeze(&w))
            .filter(|w| !w.is_empty())
            .collect();
        words.sort();
        words.dedup();
        Self { words }
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The first listed word that `text` contains, if any.
    pub fn find_in(&self, text: &str) -> Option<&str> {
        if self.words.is_empty() {
            return None;
        }
        let toks = tokens(text);
        let mut candidates: Vec<String> = toks.iter().map(|t| squeeze(t)).collect();
        // "b a d" and "b.a.d": runs of one-letter tokens joined.
        let mut run = String::new();
        for t in toks.iter().chain(std::iter::once(&String::new())) {
            if t.chars().count() == 1 {
                run.push_str(t);
            } else if !run.is_empty() {
                candidates.push(squeeze(&std::mem::take(&mut run)));
            }
        }
        self.words.iter().find(|w| candidates.iter().any(|c| c == *w)).map(String::as_str)
    }
}

/// A character folded to the letter it imitates; `true` when it was a
/// symbol, which counts only inside a word ("b@d", not "bad!").
fn fold(c: char) -> Option<(char, bool)> {
    Some(match c {
        '0' => ('o', false),
        '1' => ('i', false),
        '3' => ('e', false),
        '4' => ('a', false),
        '5' => ('s', false),
        '7' => ('t', false),
        '8' => ('b', false),
        '!' | '|' => ('i', true),
        '@' => ('a', true),
        '$' => ('s', true),
        '+' => ('t', true),
        c if c.is_alphanumeric() => (c, false),
        _ => return None,
    })
}

fn finish(cur: &mut Vec<(char, bool)>, out: &mut Vec<String>) {
    let word = std::mem::take(cur);
    let start = word.iter().position(|(_, sym)| !sym).unwrap_or(word.len());
    let end = word.iter().rposition(|(_, sym)| !sym).map_or(start, |e| e + 1);
    if start < end {
        out.push(word[start..end].iter().map(|(c, _)| *c).collect());
    }
}

/// Lower-cased words with accents and look-alikes folded; zero-width and
/// other invisible characters vanish rather than split a word.
fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Vec<(char, bool)> = Vec::new();
    for c in text.nfkd().flat_map(char::to_lowercase) {
        let invisible = matches!(c, '\u{200b}'..='\u{200f}' | '\u{2060}' | '\u{feff}' | '\u{ad}');
        if unicode_normalization::char::is_combining_mark(c) || invisible {
            continue;
        }
        match fold(c) {
            Some(f) => cur.push(f),
            None => finish(&mut cur, &mut out),
        }
    }
    finish(&mut cur, &mut out);
    out
}

/// "baaad" → "bad".
fn squeeze(w: &str) -> String {
    let mut out = String::with_capacity(w.len());
    for c in w.chars() {
        if !out.ends_with(c) {
            out.push(c);
        }
    }
    out
}

/// Whether the raw body links anywhere: a URL, or a Markdown link.
pub fn has_link(raw: &str) -> bool {
    let lower = raw.to_lowercase();
    lower.contains("http://") || lower.contains("https://") || lower.contains("www.") || lower.contains("](")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tricks_do_not_hide_a_word() {
        let list = WordList::new(&["badword", "spam"]);
        for t in [
            "bad word BADWORD!",
            "BADWORD",
            "bádwörd",
            "b@dw0rd",
            "b a d w o r d",
            "b.a.d.w.o.r.d",
            "baaadword",
            "bad\u{200b}word",
            "ＢＡＤＷＯＲＤ",
            "buy sp4m now",
        ] {
            assert!(list.find_in(t).is_some(), "{t}");
        }
        for t in ["a badwordy idea", "spammer", "nothing here", ""] {
            assert_eq!(list.find_in(t), None, "{t}");
        }
    }

    #[test]
    fn links_are_seen() {
        assert!(has_link("see https://example.com"));
        assert!(has_link("[x](/y)"));
        assert!(!has_link("no links"));
    }
}
