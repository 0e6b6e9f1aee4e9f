//! Rate limits counted in this process, with governor's keyed GCRA.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

use crate::api::spec::{self, Controls};

type Limiter =
    RateLimiter<String, DefaultKeyedStateStore<String>, DefaultClock, StateInformationMiddleware>;

/// One limiter per `#[rate_limit]` route.
pub(crate) struct Limits(HashMap<&'static str, Limiter>);

impl Limits {
    pub(super) fn new(controls: &[&'static Controls]) -> Self {
        let limiters = spec::rate_limits(controls)
            .map(|(route, spec)| {
                let burst = NonZeroU32::new(spec.burst).unwrap_or(NonZeroU32::MIN);
                let quota = Quota::with_period(spec.emission())
                    .unwrap_or_else(|| Quota::per_second(NonZeroU32::MAX))
                    .allow_burst(burst);
                let limiter =
                    RateLimiter::dashmap(quota).with_middleware::<StateInformationMiddleware>();
                (route, limiter)
            })
            .collect();
        Limits(limiters)
    }

    /// Counts a request of `route` from `key`: `Some(wait)` when it is over the limit.
    pub(super) fn check(&self, route: &'static str, key: &str) -> Option<Duration> {
        let limiter = self.0.get(route)?;
        limiter
            .check_key(&key.to_owned())
            .err()
            .map(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }
}
