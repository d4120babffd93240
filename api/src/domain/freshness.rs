//! What a committed write changed, for answers kept in memory.
//!
//! A write names what it changes ([`changed`]) inside its unit of work; the
//! names are published only once the outermost transaction has committed
//! (a reader that saw them earlier could still read the old rows and keep
//! them). Publishing bumps the [`Versions`] of the database the unit wrote
//! to: a comment thread's counter, or the content's as a whole (stories,
//! terms, people, media: rare writes that may show anywhere). An answer
//! read after [`Versions::snapshot`] is still current while
//! [`Versions::current`] says no counter it depends on has moved past it.
//!
//! Which `Versions` a unit publishes to is learnt from its statements: the
//! pool's statement hook calls [`ran_statement`] with its own, so domain
//! writes need no handle on the cache and several apps in one process
//! (the tests) never touch each other's.
//!
//! Other instances on the same database learn of a committed write from
//! its [`Versions::announce_to`] queue (the notices worker sends it on) and
//! publish it to their own `Versions` as if it were theirs.

use crate::domain::surrogate::Key;
use std::cell::RefCell;
use std::future::Future;
use std::sync::atomic::AtomicBool;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use tokio::sync::mpsc::Sender;
use uuid::Uuid;

/// What a write changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Changed {
    /// One story's comments, their reactions or its comment count.
    Thread(Uuid),
    /// Anything else a reader is shown: stories, their links and related
    /// lists, sections, tags, authors, people's names and standing, media.
    Content,
    /// Sections, tags or authors: content, and the catalog of terms every
    /// instance holds in memory must be read again.
    Terms,
}

/// Thread counters, by a hash of the story id: a collision only makes an
/// answer look older than it is.
const SLOTS: usize = 4096;

/// Where what committed writes name goes: a bounded queue, and a flag
/// raised when it was full, so that its worker acts on everything (purges
/// every answer, tells other instances that everything changed) rather
/// than the queue growing without end while its far end is slow.
pub struct Outbound<T> {
    pub to: Sender<T>,
    pub lost: Arc<AtomicBool>,
}

impl<T> Outbound<T> {
    fn send(&self, what: T) {
        if self.to.try_send(what).is_err() {
            self.lost.store(true, Ordering::SeqCst);
        }
    }
}

/// Committed writes' surrogate keys, for the purger.
pub type Purges = Outbound<Vec<Key>>;
/// Committed writes' changes, for other instances.
pub type Notices = Outbound<Vec<Changed>>;

/// The version counters of one database's public content, and where the
/// surrogate keys its committed writes name are sent to be purged.
pub struct Versions {
    /// Committed writes that named a change, and how many of them the
    /// primary's WAL position below is known to cover: a read replica may
    /// answer only while the two are equal and it has replayed `floor`.
    committed: AtomicU64,
    settled: AtomicU64,
    floor: AtomicU64,
    seq: AtomicU64,
    content: AtomicU64,
    threads: Box<[AtomicU64]>,
    purges: OnceLock<Purges>,
    notices: OnceLock<Notices>,
}

impl Default for Versions {
    fn default() -> Self {
        Self {
            committed: AtomicU64::new(0),
            settled: AtomicU64::new(0),
            floor: AtomicU64::new(0),
            seq: AtomicU64::new(0),
            content: AtomicU64::new(0),
            threads: (0..SLOTS).map(|_| AtomicU64::new(0)).collect(),
            purges: OnceLock::new(),
            notices: OnceLock::new(),
        }
    }
}

impl Versions {
    fn slot(&self, story: Uuid) -> &AtomicU64 {
        let v = story.as_u128();
        let folded = (v as u64) ^ ((v >> 64) as u64);
        &self.threads[(folded % SLOTS as u64) as usize]
    }

    /// Makes answers that depend on `changes` out of date. Also what a
    /// notice of another instance's writes calls.
    pub fn publish(&self, changes: &[Changed]) {
        if changes.is_empty() {
            return;
        }
        let at = self.seq.fetch_add(1, Ordering::SeqCst) + 1;
        for c in changes {
            match c {
                Changed::Thread(id) => self.slot(*id).fetch_max(at, Ordering::SeqCst),
                Changed::Content | Changed::Terms => self.content.fetch_max(at, Ordering::SeqCst),
            };
        }
    }

    /// From now on the keys committed writes name go to `to` (the purger).
    pub fn send_purges_to(&self, to: Purges) {
        let _ = self.purges.set(to);
    }

    /// From now on the changes committed writes name go to `to` (the
    /// notices worker), for other instances.
    pub fn announce_to(&self, to: Notices) {
        let _ = self.notices.set(to);
    }

    fn purge(&self, keys: Vec<Key>) {
        if let (Some(p), false) = (self.purges.get(), keys.is_empty()) {
            p.send(keys);
        }
    }

    /// Writes of this instance committed so far (that named a change).
    pub fn committed_writes(&self) -> u64 {
        self.committed.load(Ordering::SeqCst)
    }

    /// The primary's WAL position `lsn`, read after the first `writes`
    /// committed: it covers them.
    pub fn settle(&self, writes: u64, lsn: u64) {
        self.floor.fetch_max(lsn, Ordering::SeqCst);
        self.settled.fetch_max(writes, Ordering::SeqCst);
    }

    /// Another instance's write reached the primary at `lsn`.
    pub fn raise_floor(&self, lsn: u64) {
        self.floor.fetch_max(lsn, Ordering::SeqCst);
    }

    /// The WAL position a replica must have replayed to answer a read
    /// now; None while a write of this instance has committed at a
    /// position not yet known (the read goes to the primary).
    pub fn replica_floor(&self) -> Option<u64> {
        let floor = self.floor.load(Ordering::SeqCst);
        (self.settled.load(Ordering::SeqCst) >= self.committed.load(Ordering::SeqCst)).then_some(floor)
    }

    /// A committed write of this instance: out of date here, and announced.
    fn committed(&self, changes: Vec<Changed>) {
        if !changes.is_empty() {
            self.committed.fetch_add(1, Ordering::SeqCst);
        }
        self.publish(&changes);
        if let (Some(n), false) = (self.notices.get(), changes.is_empty()) {
            n.send(changes);
        }
    }

    /// Taken before an answer's first read.
    pub fn snapshot(&self) -> u64 {
        self.seq.load(Ordering::SeqCst)
    }

    /// Whether an answer read after `since`, showing content and the
    /// threads of `stories`, is unchanged by every write published so far.
    pub fn current(&self, since: u64, stories: &[Uuid]) -> bool {
        self.content.load(Ordering::SeqCst) <= since
            && stories.iter().all(|s| self.slot(*s).load(Ordering::SeqCst) <= since)
    }
}

#[derive(Default)]
struct Pending {
    changes: Vec<Changed>,
    purges: Vec<Key>,
    to: Option<Arc<Versions>>,
}

tokio::task_local! {
    static PENDING: RefCell<Pending>;
}

/// Records that the running unit of work changes `what`. Every write runs
/// in a unit; outside one there is nothing to publish to.
pub fn changed(what: Changed) {
    let _ = PENDING.try_with(|p| p.borrow_mut().changes.push(what));
}

/// Records that the running unit of work changes the public answers named
/// by `keys`, for caches in front to purge once it commits.
pub fn purge(keys: impl IntoIterator<Item = Key>) {
    let _ = PENDING.try_with(|p| p.borrow_mut().purges.extend(keys));
}

/// Called by a pool for each statement it runs: a unit of work running
/// in this task writes to `versions`' database.
pub fn ran_statement(versions: &Arc<Versions>) {
    let _ = PENDING.try_with(|p| {
        let mut p = p.borrow_mut();
        if p.to.is_none() {
            p.to = Some(Arc::clone(versions));
        }
    });
}

/// Runs an outermost unit of work, publishing what it named once it has
/// committed. A failed unit publishes too: a commit whose acknowledgement
/// was lost may have landed, and making answers look older than they are
/// only costs a read.
pub async fn committing<T, E, F>(outermost: bool, unit: F) -> Result<T, E>
where
    F: Future<Output = Result<T, E>>,
{
    // On the heap: a unit's future is large, and this one runs inside
    // request handlers that are already deep.
    let unit = Box::pin(unit);
    if !outermost {
        return unit.await;
    }
    let (result, pending) = PENDING
        .scope(RefCell::new(Pending::default()), async {
            let result = unit.await;
            (result, PENDING.with(|p| std::mem::take(&mut *p.borrow_mut())))
        })
        .await;
    if let Some(to) = pending.to {
        to.committed(pending.changes);
        to.purge(pending.purges);
    }
    result
}

/// What one answer showed, gathered while it is computed.
#[derive(Debug, Default)]
pub struct Shown {
    /// Stories whose comments (or comment counts) the answer shows.
    pub threads: Vec<Uuid>,
    /// Something was shown that no counter stands for.
    pub untracked: bool,
    /// The surrogate keys of what it showed.
    pub keys: Vec<Key>,
}

tokio::task_local! {
    static SHOWN: RefCell<Shown>;
}

/// Runs `answer`, gathering what it shows. The domain's reads of comment
/// data note their thread (`thread_page::read`, `read::open`,
/// `read::featured`, `present::comment_count`); they run in the request's
/// own task, never in a batch loader's, which serves several requests.
pub async fn watching<F: Future>(answer: F) -> (F::Output, Shown) {
    SHOWN
        .scope(RefCell::new(Shown::default()), async {
            let out = answer.await;
            (out, SHOWN.with(|s| std::mem::take(&mut *s.borrow_mut())))
        })
        .await
}

/// The answer being computed shows `story`'s thread.
pub fn shows_thread(story: Uuid) {
    let _ = SHOWN.try_with(|s| {
        let mut s = s.borrow_mut();
        s.threads.push(story);
        s.keys.push(Key::Thread(story));
    });
}

/// The answer being computed shows what `keys` name.
pub fn shows(keys: impl IntoIterator<Item = Key>) {
    let _ = SHOWN.try_with(|s| s.borrow_mut().keys.extend(keys));
}

/// The answer being computed shows story `a` (with its terms).
pub fn shows_story(a: &entity::article::Model) {
    shows(crate::domain::surrogate::shown_with(a));
}

/// The answer being computed shows something no counter stands for, so it
/// must not be kept.
pub fn shows_untracked() {
    let _ = SHOWN.try_with(|s| s.borrow_mut().untracked = true);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A unit of work's first statement, as a pool's hook reports it.
    fn statement(v: &Arc<Versions>) {
        ran_statement(v);
    }

    #[test]
    fn a_full_purge_queue_is_flagged_not_grown() {
        let v = Versions::default();
        let (to, mut rx) = tokio::sync::mpsc::channel(1);
        let lost = Arc::new(AtomicBool::new(false));
        v.send_purges_to(Purges { to, lost: Arc::clone(&lost) });
        v.purge(vec![Key::Missing]);
        assert!(!lost.load(Ordering::SeqCst));
        v.purge(vec![Key::All]);
        assert!(lost.load(Ordering::SeqCst), "the second write did not fit");
        assert_eq!(rx.try_recv().ok(), Some(vec![Key::Missing]));
        assert!(rx.try_recv().is_err(), "nothing more was queued");
    }

    #[tokio::test]
    async fn a_write_is_published_only_when_its_unit_commits() {
        let v = Arc::new(Versions::default());
        let story = Uuid::new_v4();
        let before = v.snapshot();
        let seen_inside = committing(true, async {
            statement(&v);
            changed(Changed::Thread(story));
            Ok::<_, ()>(v.current(before, &[story]))
        })
        .await;
        assert_eq!(seen_inside, Ok(true), "not published before the commit");
        assert!(!v.current(before, &[story]), "published after it");
        assert!(v.current(v.snapshot(), &[story]));
    }

    #[tokio::test]
    async fn a_failed_unit_publishes_what_it_named_as_its_commit_may_have_landed() {
        let v = Arc::new(Versions::default());
        let (story, other) = (Uuid::new_v4(), Uuid::new_v4());
        let before = v.snapshot();
        let failed = committing(true, async {
            statement(&v);
            changed(Changed::Thread(story));
            Err::<(), _>("the connection dropped at COMMIT")
        })
        .await;
        assert!(failed.is_err());
        assert!(!v.current(before, &[story]));
        assert!(v.current(before, &[other]) || v.slot(other).as_ptr() == v.slot(story).as_ptr());
    }

    #[tokio::test]
    async fn an_inner_unit_publishes_with_the_outer_one() {
        let v = Arc::new(Versions::default());
        let story = Uuid::new_v4();
        let before = v.snapshot();
        let r = committing(true, async {
            let inner = committing(false, async {
                statement(&v);
                changed(Changed::Thread(story));
                Ok::<_, ()>(())
            })
            .await;
            Ok::<_, ()>((inner, v.current(before, &[story])))
        })
        .await;
        assert_eq!(r, Ok((Ok(()), true)));
        assert!(!v.current(before, &[story]));
    }

    #[tokio::test]
    async fn a_unit_publishes_only_to_the_database_it_wrote_to() {
        let (mine, other) = (Arc::new(Versions::default()), Arc::new(Versions::default()));
        let before = other.snapshot();
        let r = committing(true, async {
            statement(&mine);
            changed(Changed::Content);
            Ok::<_, ()>(())
        })
        .await;
        assert_eq!(r, Ok(()));
        assert!(!mine.current(0, &[]));
        assert!(other.current(before, &[]));
    }

    #[tokio::test]
    async fn a_committed_write_is_announced_and_a_full_queue_flagged() {
        let v = Arc::new(Versions::default());
        let (to, mut rx) = tokio::sync::mpsc::channel(1);
        let lost = Arc::new(AtomicBool::new(false));
        v.announce_to(Notices { to, lost: Arc::clone(&lost) });
        let story = Uuid::new_v4();
        for _ in 0..2 {
            let r = committing(true, async {
                statement(&v);
                changed(Changed::Thread(story));
                Ok::<_, ()>(())
            })
            .await;
            assert_eq!(r, Ok(()));
        }
        assert_eq!(rx.try_recv().ok(), Some(vec![Changed::Thread(story)]));
        assert!(lost.load(Ordering::SeqCst), "the second did not fit");
    }

    #[test]
    fn terms_outdate_every_answer() {
        let v = Versions::default();
        let before = v.snapshot();
        v.publish(&[Changed::Terms]);
        assert!(!v.current(before, &[]));
    }

    #[test]
    fn content_outdates_every_answer() {
        let v = Versions::default();
        let before = v.snapshot();
        v.publish(&[Changed::Content]);
        assert!(!v.current(before, &[]));
        assert!(v.current(v.snapshot(), &[]));
    }
}
