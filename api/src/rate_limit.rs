//! Per-client request rate limits: a token bucket per client address,
//! checked before credentials are looked up (so a flood of bad tokens costs
//! no database work). Health probes are never limited: a load balancer must
//! not see Dateline as down because one client misbehaves. Limits are per
//! instance. Every limited answer says where the client stands, in the
//! IETF draft's `RateLimit-Limit`, `-Remaining` and `-Reset` headers.

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
use governor::{Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

type Buckets = RateLimiter<IpAddr, DefaultKeyedStateStore<IpAddr>, DefaultClock, StateInformationMiddleware>;

pub struct Limiter {
    buckets: Buckets,
    per_second: u32,
    burst: u32,
    proxies: usize,
    v6_prefix: u8,
    seen: AtomicU64,
}

/// The limiter, or `None` when `per_second` is 0 (no limit).
pub fn limiter(per_second: u64, burst: u32, proxies: usize, v6_prefix: u8) -> Option<Arc<Limiter>> {
    let rate = NonZeroU32::new(u32::try_from(per_second).unwrap_or(u32::MAX))?;
    let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
    let quota = Quota::per_second(rate).allow_burst(burst);
    let buckets = RateLimiter::keyed(quota).with_middleware::<StateInformationMiddleware>();
    Some(Arc::new(Limiter {
        buckets,
        per_second: rate.get(),
        burst: burst.get(),
        proxies,
        v6_prefix,
        seen: AtomicU64::new(0),
    }))
}

impl Limiter {
    /// `RateLimit-*` for a client with `remaining` requests left: the
    /// bucket is full again after `reset` seconds.
    fn headers(&self, remaining: u32, reset: u64) -> [(HeaderName, HeaderValue); 3] {
        [
            (HeaderName::from_static("ratelimit-limit"), HeaderValue::from(self.burst)),
            (HeaderName::from_static("ratelimit-remaining"), HeaderValue::from(remaining)),
            (HeaderName::from_static("ratelimit-reset"), HeaderValue::from(reset)),
        ]
    }

    /// Spends one request of `client`'s budget, for work that arrives
    /// other than as an HTTP request (operations over a WebSocket); the
    /// error says in how many seconds to come back.
    pub fn spend(&self, client: IpAddr) -> Result<(), u64> {
        self.buckets
            .check_key(&client)
            .map(|_| ())
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()).as_secs().max(1))
    }

    fn refill_secs(&self, remaining: u32) -> u64 {
        u64::from(self.burst.saturating_sub(remaining)).div_ceil(u64::from(self.per_second.max(1)))
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

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let limiter = req.app_data::<web::Data<Arc<Limiter>>>().map(|l| Arc::clone(l));
    if let Some(limiter) = limiter
        && !UNLIMITED.contains(&req.path())
    {
        let client = client_of(&req, limiter.proxies, limiter.v6_prefix);
        if limiter.seen.fetch_add(1, Ordering::Relaxed) % 4096 == 4095 {
            // Forget idle clients now and then so the table stays small.
            limiter.buckets.retain_recent();
            limiter.buckets.shrink_to_fit();
        }
        let Some(ip) = client else { return Ok(next.call(req).await?.map_into_boxed_body()) };
        let headers = match limiter.buckets.check_key(&ip) {
            Ok(state) => {
                let remaining = state.remaining_burst_capacity();
                limiter.headers(remaining, limiter.refill_secs(remaining))
            }
            Err(not_until) => {
                let wait = not_until.wait_time_from(DefaultClock::default().now()).as_secs().max(1);
                let mut resp = AppError::RateLimited { retry_after_secs: wait }.error_response();
                for (name, value) in limiter.headers(0, wait) {
                    resp.headers_mut().insert(name, value);
                }
                return Ok(req.into_response(resp));
            }
        };
        let mut resp = next.call(req).await?.map_into_boxed_body();
        for (name, value) in headers {
            resp.headers_mut().insert(name, value);
        }
        return Ok(resp);
    }
    Ok(next.call(req).await?.map_into_boxed_body())
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
