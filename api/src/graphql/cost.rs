//! What a GraphQL operation costs: its complexity as the engine computes it
//! while validating (list fields multiply by the page size asked for),
//! reported in `extensions.cost` with the limit, as GitHub and Shopify
//! report theirs. An operation spends the caller's rate budget by its cost:
//! one request per `--graphql-cost-per-request` of it. The request itself
//! has paid one already; what more it costs is spent before it runs, and
//! a caller whose budget cannot cover it is refused with RATE_LIMITED, and
//! one that costs more than the budget ever holds at once with
//! QUERY_TOO_COMPLEX (waiting would not help). The complexity limit is
//! checked here rather than by the engine, so that a refusal reports the
//! cost too.

use crate::error::AppError;
use crate::rate_limit::{Budget, Limiter};
use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextRequest, NextValidation};
use async_graphql::{Response, ServerError, ValidationResult};
use std::sync::{Arc, Mutex};

/// The caller's budget, attached to a request when rates are limited.
pub struct Spending {
    pub limiter: Arc<Limiter>,
    pub budget: Budget,
}

pub struct Cost {
    pub limit: usize,
    pub per_request: u64,
}

/// Requests an operation of `complexity` spends in all, at least one.
pub fn requests(complexity: usize, per_request: u64) -> u32 {
    let n = u64::try_from(complexity).unwrap_or(u64::MAX).div_ceil(per_request.max(1)).max(1);
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl ExtensionFactory for Cost {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Costing { limit: self.limit, per_request: self.per_request, found: Mutex::new(None) })
    }
}

struct Costing {
    limit: usize,
    per_request: u64,
    found: Mutex<Option<usize>>,
}

#[async_trait::async_trait]
impl Extension for Costing {
    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        let cost = result.complexity;
        if let Ok(mut found) = self.found.lock() {
            *found = Some(cost);
        }
        if cost > self.limit {
            let limit = self.limit;
            return Err(refusal(AppError::TooComplex(format!(
                "it costs {cost}, more than the limit of {limit}"
            ))));
        }
        let all = requests(cost, self.per_request);
        if let Some(s) = ctx.data_opt::<Spending>() {
            let burst = s.limiter.burst_of(s.budget);
            if all > burst {
                return Err(refusal(AppError::TooComplex(format!(
                    "it costs {all} requests of the rate budget, more than the budget ever holds at once \
                     ({burst}); ask for fewer items"
                ))));
            }
            if all > 1
                && let Err((wait, _)) = s.limiter.spend(s.budget, all - 1)
            {
                return Err(refusal(AppError::RateLimited { retry_after_secs: wait }));
            }
        }
        Ok(result)
    }

    /// Every answer says what the operation cost, refusals included.
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let mut resp = next.run(ctx).await;
        let found = self.found.lock().ok().and_then(|f| *f);
        if let Some(c) = found {
            let cost = async_graphql::value!({
                "requested": c,
                "limit": self.limit,
                "requests": requests(c, self.per_request),
            });
            resp.extensions.insert("cost".into(), cost);
        }
        resp
    }
}

fn refusal(err: AppError) -> Vec<ServerError> {
    let mut e = ServerError::new(err.to_string(), None);
    e.source = Some(Arc::new(err));
    vec![e]
}

#[cfg(test)]
mod tests {
    use super::requests;

    #[test]
    fn every_operation_spends_one_request_and_more_as_it_costs() {
        assert_eq!(requests(0, 100), 1);
        assert_eq!(requests(100, 100), 1);
        assert_eq!(requests(101, 100), 2);
        assert_eq!(requests(5000, 100), 50);
        assert_eq!(requests(usize::MAX, 1), u32::MAX);
    }
}
