//! Batching without waiting. async-graphql's `DataLoader` gathers keys for
//! a fixed delay (1 ms, and a zero delay still waits for the timer's next
//! millisecond): a lone reader waited that long at every level of the
//! page, about 3 ms of a 6 ms article page. Here the batch is sent as soon
//! as the resolvers that are ready have asked: the first key hands the load
//! to a task that yields to the scheduler a few times, so every sibling
//! resolver polled in the same pass joins it, and so do other requests
//! whose answers the runtime picks up meanwhile (each yield lets it poll
//! for I/O); then it runs. Alone, a yield costs microseconds, not a timer
//! tick. The loaders keep async-graphql's `Loader` trait.

use crate::error::AppError;
use async_graphql::dataloader::Loader;
use std::collections::{HashMap, HashSet};
use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::ThreadId;
use tokio::sync::oneshot;

type Answer<K, V, E> = Result<Arc<HashMap<K, V>>, E>;

/// Scheduler passes a batch stays open. One gathers a request's siblings;
/// the benchmark at 32 connections lost most batching across requests with
/// one (5.5 statements per page instead of 3.7), so a few more.
const YIELDS: usize = 4;
/// The keys of the batch still gathering on each worker thread, and who
/// waits for it. Per thread: a batch taken by another worker while this
/// one was still asking would split a request's keys over two statements.
type Shared<K, L> =
    Arc<Mutex<HashMap<ThreadId, Pending<K, <L as Loader<K>>::Value, <L as Loader<K>>::Error>>>>;

struct Pending<K, V, E> {
    keys: HashSet<K>,
    waiting: Vec<oneshot::Sender<Answer<K, V, E>>>,
}

impl<K, V, E> Default for Pending<K, V, E> {
    fn default() -> Self {
        Self { keys: HashSet::new(), waiting: Vec::new() }
    }
}

pub struct Batcher<K, L: Loader<K>>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
{
    loader: Arc<L>,
    pending: Shared<K, L>,
}

impl<K, L> Clone for Batcher<K, L>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    L: Loader<K>,
{
    fn clone(&self) -> Self {
        Self { loader: Arc::clone(&self.loader), pending: Arc::clone(&self.pending) }
    }
}

impl<K, L> Batcher<K, L>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    L: Loader<K, Error = AppError>,
{
    pub fn new(loader: L) -> Self {
        Self { loader: Arc::new(loader), pending: Arc::new(Mutex::new(HashMap::new())) }
    }

    /// The value for `key`, loaded together with every key asked for
    /// before the batch goes out.
    pub async fn load_one(&self, key: K) -> Result<Option<L::Value>, L::Error> {
        let answer = {
            let thread = std::thread::current().id();
            let mut all = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
            let p = all.entry(thread).or_default();
            let first = p.waiting.is_empty();
            p.keys.insert(key.clone());
            let (tx, rx) = oneshot::channel();
            p.waiting.push(tx);
            if first {
                tokio::spawn(run(Arc::clone(&self.loader), Arc::clone(&self.pending), thread));
            }
            rx
        };
        match answer.await {
            Ok(Ok(values)) => Ok(values.get(&key).cloned()),
            Ok(Err(e)) => Err(e),
            // The batch task died (a panic in a loader): an error, not "none".
            Err(_) => Err(AppError::internal(anyhow::anyhow!("a batched load stopped before it answered"))),
        }
    }
}

async fn run<K, L>(loader: Arc<L>, pending: Shared<K, L>, thread: ThreadId)
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    L: Loader<K>,
{
    for _ in 0..YIELDS {
        tokio::task::yield_now().await;
    }
    let Some(batch) = pending.lock().unwrap_or_else(PoisonError::into_inner).remove(&thread) else {
        return;
    };
    let keys: Vec<K> = batch.keys.into_iter().collect();
    let answer = loader.load(&keys).await.map(Arc::new);
    for w in batch.waiting {
        // A request that went away no longer waits: nothing to tell it.
        let _ = w.send(answer.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    struct Squares(Arc<AtomicUsize>);

    impl Loader<u32> for Squares {
        type Value = u32;
        type Error = AppError;

        async fn load(&self, keys: &[u32]) -> Result<HashMap<u32, u32>, AppError> {
            self.0.fetch_add(1, Ordering::SeqCst);
            if keys.contains(&13) {
                return Err(AppError::field("key", "unlucky"));
            }
            Ok(keys.iter().filter(|k| **k != 0).map(|k| (*k, k * k)).collect())
        }
    }

    #[tokio::test(start_paused = true)]
    async fn keys_asked_together_are_one_load_and_no_time_passes() {
        let calls = Arc::new(AtomicUsize::new(0));
        let b = Batcher::new(Squares(Arc::clone(&calls)));
        let started = tokio::time::Instant::now();
        let (a, c, z) = tokio::join!(b.load_one(2), b.load_one(3), b.load_one(0));
        assert_eq!((a.ok(), c.ok(), z.ok()), (Some(Some(4)), Some(Some(9)), Some(None)));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        // With the clock paused, any timer would have moved it on.
        assert_eq!(tokio::time::Instant::now(), started);
        assert_eq!(b.load_one(5).await.ok(), Some(Some(25)));
        assert_eq!(calls.load(Ordering::SeqCst), 2, "a later key is a batch of its own");
    }

    #[tokio::test]
    async fn an_error_reaches_every_key_of_its_batch() {
        let b = Batcher::new(Squares(Arc::new(AtomicUsize::new(0))));
        let (a, c) = tokio::join!(b.load_one(13), b.load_one(2));
        let field = |r: Result<Option<u32>, AppError>| r.err().map(|e| e.fields()[0].message.clone());
        assert_eq!((field(a), field(c)), (Some("unlucky".into()), Some("unlucky".into())));
    }
}
