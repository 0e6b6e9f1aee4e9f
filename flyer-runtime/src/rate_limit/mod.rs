//! `#[rate_limit(rate = "100/s", burst = 200, key = "ip")]`: GCRA, with governor in the
//! process (backend `local`), or with one atomic script in Redis (backend `redis`) so
//! every instance shares the limit.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::time::Duration;

use fred::interfaces::LuaInterface;
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use poem::Request;
use poem::http::{HeaderName, HeaderValue, header};

use crate::api::spec::{self, Controls, RateKey, RateLimitSpec};
use crate::config::{Config, QueueBackend};
use crate::data::redis::Redis;
use crate::error::Error;
use crate::extract::client_ip::ClientIp;

type Limiter =
    RateLimiter<String, DefaultKeyedStateStore<String>, DefaultClock, StateInformationMiddleware>;

/// The rate limits of every `#[rate_limit]` route.
pub(crate) enum RateLimits {
    Local(HashMap<&'static str, Limiter>),
    Redis { redis: Redis, namespace: String },
}

/// GCRA in one atomic step, so every instance shares the limit.
const GCRA: &str = include_str!("gcra.lua");

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

impl RateLimits {
    pub(crate) fn new(
        config: &Config,
        namespace: &str,
        redis: Option<&Redis>,
        controls: &[&'static Controls],
    ) -> Self {
        if let (QueueBackend::Redis, Some(redis)) = (config.queue.backend, redis) {
            return RateLimits::Redis {
                redis: redis.clone(),
                namespace: namespace.to_owned(),
            };
        }
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
        RateLimits::Local(limiters)
    }

    /// Counts `req` against the route's limit; `Err` is the 42900 to answer.
    pub(crate) async fn check(
        &self,
        route: &'static str,
        spec: &RateLimitSpec,
        req: &Request,
    ) -> Result<(), Error> {
        let key = rate_key(&spec.key, req);
        match self {
            RateLimits::Local(limiters) => {
                let Some(limiter) = limiters.get(route) else {
                    return Ok(());
                };
                match limiter.check_key(&key) {
                    Ok(_) => Ok(()),
                    Err(not_until) => {
                        let wait = not_until.wait_time_from(DefaultClock::default().now());
                        Err(refusal(spec, wait))
                    }
                }
            }
            RateLimits::Redis { redis, namespace } => {
                // A limiter that cannot reach Redis lets requests through rather than
                // making the route unavailable; the queue, if any, still bounds it.
                let Ok(pool) = redis.connected().await else {
                    return Ok(());
                };
                let redis_key = format!("flyer:{namespace}:rl:{route}:{key}");
                let emission = spec.emission().as_secs_f64() * 1e3;
                let answer: Result<(i64, f64, i64), _> = pool
                    .eval(
                        GCRA,
                        vec![redis_key],
                        vec![emission.to_string(), spec.burst.to_string()],
                    )
                    .await;
                match answer {
                    Ok((0, wait_ms, _)) => Err(refusal(
                        spec,
                        Duration::from_secs_f64(wait_ms.max(0.0) / 1e3),
                    )),
                    Ok(_) => Ok(()),
                    Err(err) => {
                        tracing::warn!(error = %err, "rate limit check failed; request let through");
                        Ok(())
                    }
                }
            }
        }
    }
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
