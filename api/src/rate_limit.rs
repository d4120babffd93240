//! Request rate limits, a token bucket per budget: readers and anonymous
//! callers share their client address's (taken through the trusted
//! proxies), checked before credentials are looked up so a flood of bad
//! tokens costs no database work; each API key has its own, whatever
//! address it calls from (behind a CDN every caller is a few addresses),
//! checked once the key is known; a key that does not check out spends its
//! address's. An expensive GraphQL query spends by its cost
//! (`graphql::limits::cost`). Health probes are never limited: a load
//! balancer must not see Dateline as down because one client misbehaves.
//! Limits are per instance. Every limited answer says where the caller
//! stands, in the IETF draft's `RateLimit-Limit`, `-Remaining` and `-Reset`
//! headers.

use crate::domain::accounts::{Actor, Principal};
use crate::error::AppError;
use actix_web::ResponseError;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web;
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use uuid::Uuid;

type Buckets = RateLimiter<IpAddr, DefaultKeyedStateStore<IpAddr>, DefaultClock, StateInformationMiddleware>;
type Bucket = RateLimiter<NotKeyed, InMemoryState, DefaultClock, StateInformationMiddleware>;

/// Whose budget a request spends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    Address(IpAddr),
    /// An API key, with its own rate when it was given one.
    Key(Uuid, Option<u32>),
}

impl Budget {
    /// The budget of a caller: its key's, or its address's.
    pub fn of(actor: &Actor) -> Option<Self> {
        match actor.principal {
            Principal::ApiKey(id) => Some(Self::Key(id, actor.key_rate)),
            _ => actor.client.map(Self::Address),
        }
    }
}

/// A key's bucket and its size.
struct KeyBucket {
    bucket: Bucket,
    rate: NonZeroU32,
    burst: NonZeroU32,
}

/// Where a caller stands after spending: for the `RateLimit-*` headers.
#[derive(Debug, Clone, Copy)]
pub struct Standing {
    limit: u32,
    remaining: u32,
    reset: u64,
}

pub struct Limiter {
    buckets: Buckets,
    per_second: u32,
    burst: u32,
    keys: moka::sync::Cache<Uuid, Arc<KeyBucket>>,
    key_per_second: NonZeroU32,
    proxies: usize,
    v6_prefix: u8,
    seen: AtomicU64,
}

/// Keys held at once; an idle key's bucket is dropped (it is full again
/// by then anyway).
const KEYS_HELD: u64 = 100_000;
const KEY_IDLE: std::time::Duration = std::time::Duration::from_secs(3600);

/// The limiter, or `None` when `per_second` is 0 (no limit).
pub fn limiter(
    per_second: u64,
    burst: u32,
    key_per_second: u64,
    proxies: usize,
    v6_prefix: u8,
) -> Option<Arc<Limiter>> {
    let rate = NonZeroU32::new(u32::try_from(per_second).unwrap_or(u32::MAX))?;
    let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
    let quota = Quota::per_second(rate).allow_burst(burst);
    let buckets = RateLimiter::keyed(quota).with_middleware::<StateInformationMiddleware>();
    let key_per_second = NonZeroU32::new(u32::try_from(key_per_second).unwrap_or(u32::MAX)).unwrap_or(rate);
    Some(Arc::new(Limiter {
        buckets,
        per_second: rate.get(),
        burst: burst.get(),
        keys: moka::sync::Cache::builder().max_capacity(KEYS_HELD).time_to_idle(KEY_IDLE).build(),
        key_per_second,
        proxies,
        v6_prefix,
        seen: AtomicU64::new(0),
    }))
}

fn wait_secs(not_until: &governor::NotUntil<governor::clock::QuantaInstant>) -> u64 {
    not_until.wait_time_from(DefaultClock::default().now()).as_secs().max(1)
}

impl Standing {
    /// `RateLimit-*`: the bucket is full again after `reset` seconds.
    pub fn headers(&self) -> [(HeaderName, HeaderValue); 3] {
        [
            (HeaderName::from_static("ratelimit-limit"), HeaderValue::from(self.limit)),
            (HeaderName::from_static("ratelimit-remaining"), HeaderValue::from(self.remaining)),
            (HeaderName::from_static("ratelimit-reset"), HeaderValue::from(self.reset)),
        ]
    }
}

impl Limiter {
    fn standing(limit: u32, per_second: u32, remaining: u32) -> Standing {
        let reset = u64::from(limit.saturating_sub(remaining)).div_ceil(u64::from(per_second.max(1)));
        Standing { limit, remaining, reset }
    }

    fn key_bucket(&self, id: Uuid, rate: Option<u32>) -> Arc<KeyBucket> {
        self.keys.get_with(id, || {
            let rate = rate.and_then(NonZeroU32::new).unwrap_or(self.key_per_second);
            // The same burst, in seconds of the rate, as addresses get.
            let seconds = self.burst.div_ceil(self.per_second.max(1)).max(1);
            let burst = NonZeroU32::new(rate.get().saturating_mul(seconds)).unwrap_or(rate);
            let bucket = RateLimiter::direct(Quota::per_second(rate).allow_burst(burst))
                .with_middleware::<StateInformationMiddleware>();
            Arc::new(KeyBucket { bucket, rate, burst })
        })
    }

    /// Spends `n` requests of `budget`; the error says in how many seconds
    /// to come back (and where the caller stands). `n` larger than the
    /// whole bucket can never be spent: it is refused as if empty.
    pub fn spend(&self, budget: Budget, n: u32) -> Result<Standing, (u64, Standing)> {
        let n = NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN);
        match budget {
            Budget::Address(ip) => {
                let empty = Self::standing(self.burst, self.per_second, 0);
                match self.buckets.check_key_n(&ip, n) {
                    Ok(Ok(state)) => {
                        Ok(Self::standing(self.burst, self.per_second, state.remaining_burst_capacity()))
                    }
                    Ok(Err(not_until)) => Err((wait_secs(&not_until), empty)),
                    Err(_) => Err((u64::from(self.burst.div_ceil(self.per_second.max(1))), empty)),
                }
            }
            Budget::Key(id, rate) => {
                let k = self.key_bucket(id, rate);
                let empty = Self::standing(k.burst.get(), k.rate.get(), 0);
                match k.bucket.check_n(n) {
                    Ok(Ok(state)) => {
                        Ok(Self::standing(k.burst.get(), k.rate.get(), state.remaining_burst_capacity()))
                    }
                    Ok(Err(not_until)) => Err((wait_secs(&not_until), empty)),
                    Err(_) => Err((u64::from(k.burst.get().div_ceil(k.rate.get())), empty)),
                }
            }
        }
    }
}

/// The client's address. Each of `proxies` trusted proxies appends the
/// address it received the request from, so the client is the entry the
/// outermost one appended: `proxies` from the right. Entries left of it are
/// whatever the client chose to send. A chain shorter than expected did not
/// come through the proxies: the peer is the client then.
pub fn client_address(forwarded: &[&str], proxies: usize, peer: Option<IpAddr>) -> Option<IpAddr> {
    if proxies == 0 {
        return peer;
    }
    let entries: Vec<&str> = forwarded.iter().flat_map(|h| h.split(',')).map(str::trim).collect();
    entries.len().checked_sub(proxies).and_then(|i| entries[i].parse().ok()).or(peer)
}

/// Who counts as one client: an IPv4 address, or the network of the
/// first `v6_prefix` bits of an IPv6 one (a subscriber usually holds a
/// whole /64 and could otherwise take a new address per request). An IPv4
/// address written as IPv6 (`::ffff:a.b.c.d`) is that IPv4 address.
pub fn client_key(ip: IpAddr, v6_prefix: u8) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let bits = u32::from(v6_prefix.min(128));
                let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
                IpAddr::V6(std::net::Ipv6Addr::from(u128::from(v6) & mask))
            }
        },
    }
}

/// The client of a request, by the rules above.
pub fn client_of(req: &ServiceRequest, proxies: usize, v6_prefix: u8) -> Option<IpAddr> {
    let forwarded: Vec<&str> = if proxies == 0 {
        Vec::new()
    } else {
        req.headers().get_all("x-forwarded-for").filter_map(|v| v.to_str().ok()).collect()
    };
    client_address(&forwarded, proxies, req.peer_addr().map(|a| a.ip())).map(|ip| client_key(ip, v6_prefix))
}

const UNLIMITED: [&str; 2] = ["/healthz", "/readyz"];

/// Whether the request presents an API key, whose budget is its own and is
/// known only once the key is looked up (`keyed`).
fn presents_key(req: &ServiceRequest) -> bool {
    req.headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|t| t.trim().starts_with(crate::domain::accounts::api_keys::PREFIX))
}

/// Spends one request of `budget` and answers, or answers 429.
async fn spending(
    limiter: &Limiter,
    budget: Budget,
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    match limiter.spend(budget, 1) {
        Ok(standing) => {
            let mut resp = next.call(req).await?.map_into_boxed_body();
            // A GraphQL query that spent more says where it left the caller.
            if !resp.headers().contains_key("ratelimit-remaining") {
                for (name, value) in standing.headers() {
                    resp.headers_mut().insert(name, value);
                }
            }
            Ok(resp)
        }
        Err((wait, standing)) => {
            let mut resp = AppError::RateLimited { retry_after_secs: wait }.error_response();
            for (name, value) in standing.headers() {
                resp.headers_mut().insert(name, value);
            }
            Ok(req.into_response(resp))
        }
    }
}

/// Before credentials are looked up: the client address's budget, for
/// every request that does not present an API key.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let limiter = req.app_data::<web::Data<Arc<Limiter>>>().map(|l| Arc::clone(l));
    let Some(limiter) = limiter.filter(|_| !UNLIMITED.contains(&req.path()) && !presents_key(&req)) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    if limiter.seen.fetch_add(1, Ordering::Relaxed) % 4096 == 4095 {
        // Forget idle clients now and then so the table stays small.
        limiter.buckets.retain_recent();
        limiter.buckets.shrink_to_fit();
    }
    match client_of(&req, limiter.proxies, limiter.v6_prefix) {
        Some(ip) => spending(&limiter, Budget::Address(ip), req, next).await,
        None => Ok(next.call(req).await?.map_into_boxed_body()),
    }
}

/// Once credentials are known: a request presenting an API key spends the
/// key's budget, or its address's when the key does not check out.
pub async fn keyed(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let limiter = req.app_data::<web::Data<Arc<Limiter>>>().map(|l| Arc::clone(l));
    let Some(limiter) = limiter.filter(|_| !UNLIMITED.contains(&req.path()) && presents_key(&req)) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let budget = match crate::auth::actor_of(req.request()) {
        Ok(actor) => Budget::of(&actor),
        Err(_) => client_of(&req, limiter.proxies, limiter.v6_prefix).map(Budget::Address),
    };
    match budget {
        Some(budget) => spending(&limiter, budget, req, next).await,
        None => Ok(next.call(req).await?.map_into_boxed_body()),
    }
}

#[cfg(test)]
mod tests {
    use super::{client_address, client_key};
    use std::net::IpAddr;

    fn ip(s: &str) -> Option<IpAddr> {
        s.parse().ok()
    }

    #[test]
    fn the_entry_the_outermost_trusted_proxy_appended_is_the_client() {
        let peer = ip("10.0.0.9");
        let spoofed = ["6.6.6.6, 203.0.113.7"];
        assert_eq!(client_address(&spoofed, 1, peer), ip("203.0.113.7"));
        assert_eq!(client_address(&["6.6.6.6", "203.0.113.7, 10.0.0.2"], 2, peer), ip("203.0.113.7"));
        assert_eq!(client_address(&spoofed, 0, peer), peer);
        assert_eq!(client_address(&["203.0.113.7"], 3, peer), peer);
        assert_eq!(client_address(&["not-an-ip"], 1, peer), peer);
        assert_eq!(client_address(&[], 1, peer), peer);
    }

    #[test]
    #[allow(clippy::unwrap_used)]
    fn an_ipv6_network_is_one_client() {
        let a = ip("2001:db8:1:2:aaaa::1").unwrap();
        let b = ip("2001:db8:1:2:ffff:ffff:ffff:ffff").unwrap();
        let other = ip("2001:db8:1:3::1").unwrap();
        assert_eq!(client_key(a, 64), client_key(b, 64));
        assert_eq!(client_key(a, 64), ip("2001:db8:1:2::").unwrap());
        assert_ne!(client_key(a, 64), client_key(other, 64));
        assert_ne!(client_key(a, 128), client_key(b, 128));
        assert_eq!(client_key(a, 48), client_key(other, 48));
        assert_eq!(client_key(ip("::ffff:203.0.113.7").unwrap(), 64), ip("203.0.113.7").unwrap());
        assert_eq!(client_key(ip("203.0.113.7").unwrap(), 64), ip("203.0.113.7").unwrap());
    }
}
