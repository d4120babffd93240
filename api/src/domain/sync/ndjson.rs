//! Splitting an NDJSON stream into numbered lines, with one set of rules
//! for every way an archive arrives (the `import` command's file, the
//! `POST /v1/import` body): a line that is not UTF-8 or longer than
//! [`MAX_LINE`] bytes is refused with its number, blank lines are skipped,
//! and at most one line's bytes are held at a time.

/// The longest line read; longer ones are refused, their bytes dropped as
/// they arrive.
pub const MAX_LINE: usize = 8 * 1024 * 1024;

/// What a chunk of input yields, in order.
#[derive(Debug, PartialEq, Eq)]
pub enum Line {
    Text(usize, String),
    Refused(usize, &'static str),
}

#[derive(Default)]
pub struct Lines {
    pending: Vec<u8>,
    /// The number of the line being read, less one.
    n: usize,
    /// The current line passed the cap; the rest of it is dropped.
    overlong: bool,
    seen_any: bool,
}

impl Lines {
    pub fn new() -> Self {
        Self::default()
    }

    /// The complete lines `chunk` finishes.
    pub fn feed(&mut self, mut chunk: &[u8]) -> Vec<Line> {
        let mut out = Vec::new();
        if !chunk.is_empty() {
            self.seen_any = true;
        }
        while let Some(end) = chunk.iter().position(|b| *b == b'\n') {
            self.take(&chunk[..end]);
            out.extend(self.finish_line());
            chunk = &chunk[end + 1..];
        }
        self.take(chunk);
        out
    }

    /// The last line, when the input does not end with a newline.
    pub fn end(&mut self) -> Vec<Line> {
        if self.pending.is_empty() && !self.overlong {
            Vec::new()
        } else {
            self.finish_line().into_iter().collect()
        }
    }

    /// Whether any byte arrived at all (an empty body is no archive).
    pub fn seen_any(&self) -> bool {
        self.seen_any
    }

    fn take(&mut self, bytes: &[u8]) {
        if self.overlong {
            return;
        }
        if self.pending.len() + bytes.len() > MAX_LINE {
            self.overlong = true;
            self.pending = Vec::new();
            return;
        }
        self.pending.extend_from_slice(bytes);
    }

    fn finish_line(&mut self) -> Option<Line> {
        self.n += 1;
        let n = self.n;
        if std::mem::take(&mut self.overlong) {
            return Some(Line::Refused(n, "is longer than 8 MiB"));
        }
        let raw = std::mem::take(&mut self.pending);
        match String::from_utf8(raw) {
            Ok(text) if text.trim().is_empty() => None,
            Ok(text) => Some(Line::Text(n, text)),
            Err(_) => Some(Line::Refused(n, "is not UTF-8")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_numbered_across_chunks_and_bad_ones_refused_by_number() {
        let mut l = Lines::new();
        let mut got = l.feed(b"{\"a\":1}\n\n{\"b\"");
        got.extend(l.feed(b":2}\n\xff\xfe\n"));
        got.extend(l.feed(b"{\"c\":3}"));
        got.extend(l.end());
        assert_eq!(
            got,
            vec![
                Line::Text(1, "{\"a\":1}".into()),
                Line::Text(3, "{\"b\":2}".into()),
                Line::Refused(4, "is not UTF-8"),
                Line::Text(5, "{\"c\":3}".into()),
            ]
        );
        assert!(l.seen_any());
        assert!(!Lines::new().seen_any());
    }

    #[test]
    fn an_overlong_line_is_refused_and_the_next_one_read() {
        let mut l = Lines::new();
        let big = vec![b'x'; MAX_LINE / 2 + 1];
        let mut got = l.feed(&big);
        got.extend(l.feed(&big));
        assert!(l.pending.is_empty(), "the bytes past the cap are not held");
        got.extend(l.feed(b"tail\n{\"ok\":1}\n"));
        assert_eq!(got, vec![Line::Refused(1, "is longer than 8 MiB"), Line::Text(2, "{\"ok\":1}".into())]);
        assert!(l.end().is_empty());
    }
}
