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

use crate::config::{Config, QueueBackend};
use crate::error::Error;
use crate::redis::Redis;
use crate::registry::Registration;

/// `#[rate_limit(...)]`, as the macro writes it.
#[doc(hidden)]
pub struct RateLimitSpec {
    /// Requests per `period_ms`.
    pub count: u32,
    pub period_ms: u64,
    pub burst: u32,
    pub key: RateKey,
}

/// Whom a limit counts.
#[doc(hidden)]
pub enum RateKey {
    /// Every request of the route together.
    Global,
    /// Each client IP (through trusted proxies only).
    Ip,
    /// Each value of this (lower-case) header.
    Header(&'static str),
}

impl RateLimitSpec {
    /// Time between two requests at the sustained rate.
    fn emission(&self) -> Duration {
        Duration::from_millis(self.period_ms) / self.count
    }
}

type Limiter =
    RateLimiter<String, DefaultKeyedStateStore<String>, DefaultClock, StateInformationMiddleware>;

/// The rate limits of every `#[rate_limit]` route.
pub(crate) enum RateLimits {
    Local(HashMap<&'static str, Limiter>),
    Redis { redis: Redis, namespace: String },
}

const GCRA: &str = r#"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local emission = tonumber(ARGV[1])
local tolerance = emission * tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + emission
local allow_at = new_tat - tolerance
if allow_at > now then
  return {0, allow_at - now, 0}
end
redis.call('SET', KEYS[1], new_tat, 'PX', math.max(1, math.ceil(new_tat - now)))
return {1, 0, math.floor((tolerance - (new_tat - now)) / emission)}
"#;

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
        regs: &[&'static Registration],
    ) -> Self {
        if let (QueueBackend::Redis, Some(redis)) = (config.queue_backend, redis) {
            return RateLimits::Redis {
                redis: redis.clone(),
                namespace: namespace.to_owned(),
            };
        }
        let limiters = regs
            .iter()
            .filter_map(|r| r.controls)
            .filter_map(|c| c.rate_limit.as_ref().map(|s| (c.route, s)))
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
        let key = super::queue::rate_key(&spec.key, req);
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
