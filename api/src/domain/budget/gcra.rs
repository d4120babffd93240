//! The generic cell rate algorithm, on one number per budget: the
//! theoretical arrival time (TAT) of the next request at the sustained
//! rate. A spend of `n` moves it `n` emission intervals on; it is refused
//! when that would put it more than the burst ahead of now. Spends add up,
//! so instances can each add what they spent to one shared TAT
//! (`store`), which is why Dateline does this arithmetic itself rather
//! than through a limiter crate that keeps its state in its own memory.

/// Nanoseconds since the Unix epoch: instances share the wall clock.
pub type Nanos = i64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    /// Nanoseconds per request at the sustained rate.
    pub interval: Nanos,
    /// Requests that may come at once.
    pub burst: u32,
}

const SECOND: Nanos = 1_000_000_000;

impl Rate {
    /// `n` per `period` seconds, `burst` at once; None when `n` is 0 (no limit).
    pub fn new(n: u32, period_secs: i64, burst: u32) -> Option<Self> {
        if n == 0 {
            return None;
        }
        let interval = (period_secs.saturating_mul(SECOND) / i64::from(n)).max(1);
        Some(Self { interval, burst: burst.max(1) })
    }

    fn tolerance(self) -> Nanos {
        self.interval.saturating_mul(i64::from(self.burst))
    }
}

/// Where a caller stands after a spend: for the `RateLimit-*` headers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Standing {
    pub limit: u32,
    pub remaining: u32,
    /// Seconds until the whole burst is available again.
    pub reset: u64,
}

/// A refusal: when to come back, and where the caller stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    pub retry_after_secs: u64,
    pub standing: Standing,
}

fn secs_up(n: Nanos) -> u64 {
    u64::try_from(n.max(0)).unwrap_or(0).div_ceil(SECOND as u64)
}

/// Spends `n` of `rate` at `now` against `tat`: the new TAT, or a refusal.
/// `n` larger than the burst can never be spent.
pub fn spend(tat: Nanos, now: Nanos, rate: Rate, n: u32) -> Result<(Nanos, Standing), Refused> {
    let start = tat.max(now);
    let next = start.saturating_add(rate.interval.saturating_mul(i64::from(n)));
    let ahead = next - now;
    if n > rate.burst || ahead > rate.tolerance() {
        let retry = if n > rate.burst { rate.tolerance() } else { ahead - rate.tolerance() };
        let empty = Standing { limit: rate.burst, remaining: 0, reset: secs_up(start - now) };
        return Err(Refused { retry_after_secs: secs_up(retry).max(1), standing: empty });
    }
    let remaining = u32::try_from((rate.tolerance() - ahead) / rate.interval).unwrap_or(0);
    Ok((next, Standing { limit: rate.burst, remaining, reset: secs_up(ahead) }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: Nanos = 1_700_000_000 * SECOND;

    #[test]
    fn a_burst_at_once_then_one_per_interval() {
        let rate = Rate::new(2, 1, 4).unwrap_or(Rate { interval: 1, burst: 1 });
        let mut tat = 0;
        for left in (0..4).rev() {
            let (next, s) = spend(tat, T0, rate, 1).map_err(|r| r.retry_after_secs).unwrap_or_default();
            assert_eq!(s.remaining, left);
            tat = next;
        }
        let refused = spend(tat, T0, rate, 1);
        assert!(matches!(refused, Err(Refused { retry_after_secs: 1, .. })), "{refused:?}");
        // Half a second later one more fits.
        assert!(spend(tat, T0 + SECOND / 2, rate, 1).is_ok());
        // Two seconds later the whole burst is back.
        assert_eq!(spend(tat, T0 + 2 * SECOND, rate, 1).map(|(_, s)| s.remaining), Ok(3));
    }

    #[test]
    fn spends_add_up_across_instances() {
        // Two instances each spend 2 of a burst of 4: the shared TAT is full.
        let rate = Rate::new(1, 1, 4).unwrap_or(Rate { interval: 1, burst: 1 });
        let shared = T0 + 4 * rate.interval;
        assert!(spend(shared, T0, rate, 1).is_err());
    }

    #[test]
    fn more_than_the_burst_is_never_spent() {
        let rate = Rate::new(10, 1, 5).unwrap_or(Rate { interval: 1, burst: 1 });
        assert!(spend(0, T0, rate, 6).is_err());
        assert!(spend(0, T0, rate, 5).is_ok());
    }

    #[test]
    fn no_rate_is_no_limit() {
        assert_eq!(Rate::new(0, 1, 10), None);
    }
}
