//! Runs workers until told to stop. A worker is a step function: each
//! `tick` does one bounded piece of work and says whether more is waiting.
//! Stopping cancels the waits between steps, never a step itself, so a
//! webhook batch in flight is sent and recorded before the worker ends.

use std::future::Future;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// What one step came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing (more) to do now: wait for the next interval.
    Idle,
    /// Did some work; more may be waiting, so step again at once.
    More,
    /// The step failed (logged); wait, then try again.
    Failed(String),
}

pub trait Worker: Send + 'static {
    /// For logs.
    fn name(&self) -> &'static str;
    /// The pause after an idle or failed step.
    fn every(&self) -> Duration;
    fn tick(&mut self) -> impl Future<Output = Outcome> + Send;
}

#[derive(Clone)]
pub struct Runner {
    stop: CancellationToken,
    tracker: TaskTracker,
}

impl Runner {
    /// A runner whose workers stop when `stop` is cancelled.
    pub fn new(stop: CancellationToken) -> Self {
        Self { stop, tracker: TaskTracker::new() }
    }

    /// Cancelled when the runner is told to stop; long-lived streams watch
    /// it to close cleanly.
    pub fn stopping(&self) -> CancellationToken {
        self.stop.clone()
    }

    pub fn start<W: Worker>(&self, mut worker: W) {
        let stop = self.stop.clone();
        self.tracker.spawn(async move {
            tracing::debug!(worker = worker.name(), "worker started");
            loop {
                let outcome = worker.tick().await;
                if stop.is_cancelled() {
                    break;
                }
                let pause = match outcome {
                    Outcome::More => continue,
                    Outcome::Idle => worker.every(),
                    Outcome::Failed(why) => {
                        tracing::warn!(worker = worker.name(), error = %why, "a background step failed");
                        worker.every()
                    }
                };
                tokio::select! {
                    () = stop.cancelled() => break,
                    () = tokio::time::sleep(pause) => {}
                }
            }
            tracing::debug!(worker = worker.name(), "worker stopped");
        });
    }

    /// Stops every worker after its current step; answers whether all
    /// ended within `bound`.
    pub async fn stop(&self, bound: Duration) -> bool {
        self.stop.cancel();
        self.tracker.close();
        tokio::time::timeout(bound, self.tracker.wait()).await.is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    struct Counting {
        steps: Arc<AtomicUsize>,
        more_until: usize,
    }

    impl Worker for Counting {
        fn name(&self) -> &'static str {
            "counting"
        }
        fn every(&self) -> Duration {
            Duration::from_secs(3600)
        }
        async fn tick(&mut self) -> Outcome {
            let n = self.steps.fetch_add(1, Ordering::SeqCst) + 1;
            if n < self.more_until { Outcome::More } else { Outcome::Idle }
        }
    }

    #[tokio::test]
    async fn more_steps_at_once_idle_waits_and_stop_ends_the_wait() {
        let steps = Arc::new(AtomicUsize::new(0));
        let runner = Runner::new(CancellationToken::new());
        runner.start(Counting { steps: Arc::clone(&steps), more_until: 5 });
        // Five steps run back to back, then the worker waits an hour; stop
        // ends that wait at once.
        assert!(runner.stop(Duration::from_secs(5)).await);
        let after_stop = steps.load(Ordering::SeqCst);
        assert!(after_stop <= 5, "{after_stop} steps");
        assert!(runner.stopping().is_cancelled());
    }

    struct Slow {
        done: Arc<AtomicUsize>,
    }

    impl Worker for Slow {
        fn name(&self) -> &'static str {
            "slow"
        }
        fn every(&self) -> Duration {
            Duration::from_millis(1)
        }
        async fn tick(&mut self) -> Outcome {
            tokio::time::sleep(Duration::from_millis(200)).await;
            self.done.fetch_add(1, Ordering::SeqCst);
            Outcome::Idle
        }
    }

    #[tokio::test]
    async fn a_step_in_flight_finishes_before_stop_returns() {
        let done = Arc::new(AtomicUsize::new(0));
        let runner = Runner::new(CancellationToken::new());
        runner.start(Slow { done: Arc::clone(&done) });
        tokio::task::yield_now().await;
        assert!(runner.stop(Duration::from_secs(5)).await);
        assert_eq!(
            done.load(Ordering::SeqCst),
            1,
            "the step that had begun was finished, and no other began"
        );
    }
}
