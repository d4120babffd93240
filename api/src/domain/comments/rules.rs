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

fn fold(c: char) -> Option<char> {
    Some(match c {
        '0' => 'o',
        '1' | '!' | '|' => 'i',
        '3' => 'e',
        '4' | '@' => 'a',
        '5' | '$' => 's',
        '7' | '+' => 't',
        '8' => 'b',
        c if c.is_alphanumeric() => c,
        _ => return None,
    })
}

/// Lower-cased words with accents and look-alikes folded; zero-width and
/// other invisible characters vanish rather than split a word.
fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in text.nfkd().flat_map(char::to_lowercase) {
        if unicode_normalization::char::is_combining_mark(c) || matches!(c, '\u{200b}'..='\u{200f}' | '\u{2060}' | '\u{feff}' | '\u{ad}') {
            continue;
        }
        match fold(c) {
            Some(f) => cur.push(f),
            None if !cur.is_empty() => out.push(std::mem::take(&mut cur)),
            None => {}
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
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
        for t in ["BADWORD", "bádwörd", "b@dw0rd", "b a d w o r d", "b.a.d.w.o.r.d", "baaadword", "bad\u{200b}word", "ＢＡＤＷＯＲＤ", "buy sp4m now"] {
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
