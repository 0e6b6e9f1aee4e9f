//! `#[rate_limit(rate = "100/s", burst = 200, key = "ip")]`: GCRA, with governor in the
//! process (backend `local`), or with one atomic script in Redis (backend `redis`) so
//! every instance shares the limit.

mod local;
#[cfg(feature = "queue-redis")]
mod redis;

use std::time::Duration;

use poem::Request;
use poem::http::{HeaderName, HeaderValue, header};

use crate::api::spec::{Controls, RateKey, RateLimitSpec};
use crate::config::Config;
#[cfg(feature = "queue-redis")]
use crate::config::{QueueBackend, RateLimitFail};
#[cfg(feature = "queue-redis")]
use crate::data::redis::Redis;
use crate::error::Error;
use crate::extract::client_ip::ClientIp;
use crate::extract::state::Resources;

/// The rate limits of every `#[rate_limit]` route.
pub(crate) enum RateLimits {
    Local(local::Limits),
    #[cfg(feature = "queue-redis")]
    Redis(redis::Limits, RateLimitFail),
}

impl RateLimits {
    pub(crate) fn new(
        config: &Config,
        namespace: &str,
        resources: &Resources,
        controls: &[&'static Controls],
    ) -> Self {
        #[cfg(feature = "queue-redis")]
        if let (QueueBackend::Redis, Some(redis)) = (config.queue.backend, resources.get::<Redis>())
        {
            return RateLimits::Redis(
                redis::Limits::new(redis, namespace),
                config.queue.rate_limit_fail,
            );
        }
        let _ = (config, namespace, resources);
        RateLimits::Local(local::Limits::new(controls))
    }

    /// Counts `req` against the route's limit; `Err` is the 42900 to answer.
    pub(crate) async fn check(
        &self,
        route: &'static str,
        spec: &RateLimitSpec,
        req: &Request,
    ) -> Result<(), Error> {
        let key = rate_key(&spec.key, req);
        let wait = match self {
            RateLimits::Local(limits) => limits.check(route, &key),
            #[cfg(feature = "queue-redis")]
            RateLimits::Redis(limits, fail) => match limits.check(route, spec, &key).await {
                redis::Verdict::Allow => None,
                redis::Verdict::Wait(wait) => Some(wait),
                // Open: the route stays available (its queue, if any, still bounds it).
                redis::Verdict::Unknown if *fail == RateLimitFail::Open => None,
                redis::Verdict::Unknown => {
                    return Err(Error::over_capacity(
                        "over capacity: the rate limit cannot be checked (its Redis is unavailable)",
                    ));
                }
            },
        };
        match wait {
            Some(wait) => Err(refusal(spec, wait)),
            None => Ok(()),
        }
    }
}

/// The 42900 of a request over the limit, `retry_after` before the next is let through.
fn refusal(spec: &RateLimitSpec, retry_after: Duration) -> Error {
    let secs = retry_after.as_secs_f64().ceil().max(1.0) as u64;
    let header = |v: String| HeaderValue::from_str(&v).unwrap_or(HeaderValue::from_static("0"));
    Error::rate_limited(format!(
        "rate limited: at most {} requests per {:?}, bursts of {}",
        spec.count,
        Duration::from_millis(spec.period_ms),
        spec.burst
    ))
    .with_header(header::RETRY_AFTER, header(secs.to_string()))
    .with_header(
        HeaderName::from_static("x-ratelimit-limit"),
        header(spec.burst.to_string()),
    )
    .with_header(
        HeaderName::from_static("x-ratelimit-remaining"),
        HeaderValue::from_static("0"),
    )
}

/// The rate-limit key of `req`.
fn rate_key(key: &RateKey, req: &Request) -> String {
    match key {
        RateKey::Global => String::new(),
        RateKey::Ip => ClientIp::of(req)
            .map(|ip| ip.to_string())
            .unwrap_or_default(),
        RateKey::Header(name) => req
            .headers()
            .get(*name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned(),
    }
}
