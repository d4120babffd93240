//! Per-client request rate limits (a token bucket per client address). The
//! client is the peer address, or, behind a trusted load balancer, the first
//! `X-Forwarded-For` entry; trusting that header from anyone else would let a
//! client pick its own bucket. Limits are per instance.

use crate::error::AppError;
use actix_governor::governor::NotUntil;
use actix_governor::governor::clock::{Clock, DefaultClock, QuantaInstant};
use actix_governor::governor::middleware::NoOpMiddleware;
use actix_governor::{GovernorConfig, GovernorConfigBuilder, KeyExtractor, SimpleKeyExtractionError};
use actix_web::dev::ServiceRequest;
use actix_web::{HttpResponse, HttpResponseBuilder, ResponseError};
use std::net::IpAddr;

#[derive(Clone, Copy)]
pub struct ClientAddress {
    pub trust_forwarded_for: bool,
}

impl KeyExtractor for ClientAddress {
    type Key = IpAddr;
    type KeyExtractionError = SimpleKeyExtractionError<&'static str>;

    fn extract(&self, req: &ServiceRequest) -> Result<IpAddr, Self::KeyExtractionError> {
        let forwarded = self
            .trust_forwarded_for
            .then(|| req.headers().get("x-forwarded-for"))
            .flatten()
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse().ok());
        forwarded
            .or_else(|| req.peer_addr().map(|a| a.ip()))
            .ok_or_else(|| SimpleKeyExtractionError::new("cannot tell the client's address"))
    }

    fn exceed_rate_limit_response(
        &self,
        negative: &NotUntil<QuantaInstant>,
        _response: HttpResponseBuilder,
    ) -> HttpResponse {
        let wait = negative.wait_time_from(DefaultClock::default().now()).as_secs().max(1);
        AppError::RateLimited { retry_after_secs: wait }.error_response()
    }
}

/// The limiter's settings; with `per_second` 0 it only counts and never
/// refuses.
pub fn config(
    per_second: u64,
    burst: u32,
    trust_forwarded_for: bool,
) -> Option<GovernorConfig<ClientAddress, NoOpMiddleware<QuantaInstant>>> {
    GovernorConfigBuilder::default()
        .requests_per_second(per_second.max(1))
        .burst_size(burst.max(1))
        .permissive(per_second == 0)
        .key_extractor(ClientAddress { trust_forwarded_for })
        .finish()
}
