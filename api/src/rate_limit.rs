//! Request rate limits, a token bucket per budget: readers and anonymous
//! callers share their client address's (taken through the trusted
//! proxies), checked before credentials are looked up so a flood of bad
//! tokens costs no database work; each API key has its own, whatever
//! address it calls from (behind a CDN every caller is a few addresses),
//! checked once the key is known; a key that does not check out spends its
//! address's. An expensive GraphQL query spends by its cost
//! (`graphql::limits::cost`). Health probes are never limited: a load
//! balancer must not see Dateline as down because one client misbehaves.
//! The budgets are kept in the ledger (`domain::budget`), shared by the
//! instances through a store when there is one. Every limited answer says where the caller
//! stands, in the IETF draft's `RateLimit-Limit`, `-Remaining` and `-Reset`
//! headers.

use crate::domain::accounts::{Actor, Principal};
use crate::domain::budget::{Ledger, Rate, Refused, ledger};
use crate::error::AppError;
use actix_web::ResponseError;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web;
use std::net::IpAddr;
use std::sync::Arc;
use uuid::Uuid;

pub use crate::domain::budget::Standing;

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

pub struct Limiter {
    ledger: Arc<Ledger>,
    address: Rate,
    key: Rate,
    /// A key's burst, in seconds of its rate: what addresses get.
    burst_seconds: u32,
    proxies: Proxies,
    v6_prefix: u8,
}

/// The limiter, or `None` when `per_second` is 0 (no limit). Budgets are
/// spent from `ledger`, which the instances may share.
pub fn limiter(
    ledger: Arc<Ledger>,
    per_second: u64,
    burst: u32,
    key_per_second: u64,
    proxies: Proxies,
    v6_prefix: u8,
) -> Option<Arc<Limiter>> {
    let rate = u32::try_from(per_second).unwrap_or(u32::MAX);
    let address = Rate::new(rate, 1, burst)?;
    let burst_seconds = burst.max(1).div_ceil(rate.max(1)).max(1);
    let key_rate = match u32::try_from(key_per_second).unwrap_or(u32::MAX) {
        0 => rate,
        n => n,
    };
    let key = Rate::new(key_rate, 1, key_rate.saturating_mul(burst_seconds)).unwrap_or(address);
    Some(Arc::new(Limiter { ledger, address, key, burst_seconds, proxies, v6_prefix }))
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
    /// Spends `n` requests of `budget`; the error says in how many seconds
    /// to come back (and where the caller stands). `n` larger than the
    /// whole bucket can never be spent: it is refused as if empty.
    pub fn spend(&self, budget: Budget, n: u32) -> Result<Standing, (u64, Standing)> {
        let n = n.max(1);
        let (key, rate) = match budget {
            Budget::Address(ip) => (format!("a:{ip}"), self.address),
            Budget::Key(id, _) => (format!("k:{id}"), self.rate_of(budget)),
        };
        self.ledger
            .spend(&key, rate, n, ledger::now())
            .map_err(|Refused { retry_after_secs, standing }| (retry_after_secs, standing))
    }
}

impl Limiter {
    fn rate_of(&self, budget: Budget) -> Rate {
        match budget {
            Budget::Address(_) => self.address,
            Budget::Key(_, own) => {
                own.and_then(|r| Rate::new(r, 1, r.saturating_mul(self.burst_seconds))).unwrap_or(self.key)
            }
        }
    }

    /// The most requests `budget` can spend at once: an operation that
    /// costs more can never run, however long its caller waits.
    pub fn burst_of(&self, budget: Budget) -> u32 {
        self.rate_of(budget).burst
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

/// The proxies whose `X-Forwarded-For` entries are believed: how many are
/// chained in front, and the networks they connect from. A request from
/// any other address is its own client, whatever it claims.
#[derive(Debug, Clone, Default)]
pub struct Proxies {
    pub hops: usize,
    pub from: Arc<[ipnet::IpNet]>,
}

impl Proxies {
    fn trusts(&self, peer: Option<IpAddr>) -> bool {
        let Some(peer) = peer else { return false };
        let peer = match peer {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(peer, IpAddr::V4),
            v4 => v4,
        };
        self.hops > 0 && self.from.iter().any(|net| net.contains(&peer))
    }
}

/// The client of a request, by the rules above.
pub fn client_of(req: &ServiceRequest, proxies: &Proxies, v6_prefix: u8) -> Option<IpAddr> {
    let peer = req.peer_addr().map(|a| a.ip());
    let forwarded: Vec<&str> = if proxies.trusts(peer) {
        req.headers().get_all("x-forwarded-for").filter_map(|v| v.to_str().ok()).collect()
    } else {
        Vec::new()
    };
    let hops = if forwarded.is_empty() { 0 } else { proxies.hops };
    client_address(&forwarded, hops, peer).map(|ip| client_key(ip, v6_prefix))
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
    match client_of(&req, &limiter.proxies, limiter.v6_prefix) {
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
        Err(_) => client_of(&req, &limiter.proxies, limiter.v6_prefix).map(Budget::Address),
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
