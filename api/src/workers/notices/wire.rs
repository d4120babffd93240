//! A notice's payload: which instance sent it and what its writes
//! changed, in JSON well under PostgreSQL's 8,000-byte payload limit.

use crate::domain::freshness::Changed;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use uuid::Uuid;

/// Threads named one by one at most; past it a notice says the content
/// changed, which outdates every answer.
const MAX_THREADS: usize = 150;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub from: Uuid,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub content: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub terms: bool,
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub threads: BTreeSet<Uuid>,
    /// The primary's WAL position after the writes: a read replica must
    /// have replayed it to answer for them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lsn: Option<u64>,
}

impl Notice {
    pub fn new(from: Uuid) -> Self {
        Self { from, ..Self::default() }
    }

    /// Adds what one committed write changed.
    pub fn add(&mut self, changes: &[Changed]) {
        for c in changes {
            match c {
                Changed::Thread(id) => {
                    if !self.content {
                        self.threads.insert(*id);
                    }
                }
                Changed::Content => self.everything(),
                Changed::Terms => {
                    self.everything();
                    self.terms = true;
                }
            }
        }
        if self.threads.len() > MAX_THREADS {
            self.everything();
        }
    }

    /// Everything may have changed: the content, which outdates every
    /// answer (threads need no naming then).
    pub fn everything(&mut self) {
        self.content = true;
        self.threads.clear();
    }

    pub fn is_empty(&self) -> bool {
        !self.content && !self.terms && self.threads.is_empty()
    }

    /// What to publish to this instance's versions.
    pub fn changes(&self) -> Vec<Changed> {
        let mut out: Vec<Changed> = self.threads.iter().map(|t| Changed::Thread(*t)).collect();
        if self.content {
            out.push(Changed::Content);
        }
        if self.terms {
            out.push(Changed::Terms);
        }
        out
    }

    pub fn encode(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// None for a payload that is not a notice (another program on the
    /// channel): it is ignored.
    pub fn decode(payload: &str) -> Option<Self> {
        serde_json::from_str(payload).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_round_trips_and_names_its_threads() {
        let (me, a, b) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        let mut n = Notice::new(me);
        n.add(&[Changed::Thread(a)]);
        n.add(&[Changed::Thread(b), Changed::Thread(a)]);
        let back = Notice::decode(&n.encode()).unwrap_or_default();
        assert_eq!(back, n);
        assert_eq!(back.changes().len(), 2);
        assert!(!back.content && !back.terms);
    }

    #[test]
    fn content_stands_for_every_thread() {
        let mut n = Notice::new(Uuid::new_v4());
        n.add(&[Changed::Thread(Uuid::new_v4()), Changed::Content, Changed::Thread(Uuid::new_v4())]);
        assert_eq!(n.changes(), vec![Changed::Content]);
    }

    #[test]
    fn terms_are_content_too() {
        let mut n = Notice::new(Uuid::new_v4());
        n.add(&[Changed::Terms]);
        assert_eq!(n.changes(), vec![Changed::Content, Changed::Terms]);
    }

    #[test]
    fn many_threads_fit_the_payload_limit_as_content() {
        let mut n = Notice::new(Uuid::new_v4());
        for _ in 0..MAX_THREADS {
            n.add(&[Changed::Thread(Uuid::new_v4())]);
        }
        assert!(n.encode().len() < 8000, "{} bytes", n.encode().len());
        n.add(&[Changed::Thread(Uuid::new_v4())]);
        assert_eq!(n.changes(), vec![Changed::Content]);
    }

    #[test]
    fn a_stranger_payload_is_ignored() {
        assert_eq!(Notice::decode("hello"), None);
        assert_eq!(Notice::decode(""), None);
    }
}
