//! Rate limits shared by every instance on the Redis: GCRA in one atomic script, on
//! Redis's clock.

use std::time::Duration;

use fred::interfaces::LuaInterface;

use crate::api::spec::RateLimitSpec;
use crate::data::redis::Redis;

/// GCRA in one atomic step, so every instance shares the limit.
const GCRA: &str = include_str!("gcra.lua");

/// The Redis and the namespace the limits' keys live under.
pub(crate) struct Limits {
    redis: Redis,
    namespace: String,
}

impl Limits {
    pub(super) fn new(redis: &Redis, namespace: &str) -> Self {
        Limits {
            redis: redis.clone(),
            namespace: namespace.to_owned(),
        }
    }

    /// Counts a request of `route` from `key`: `Some(wait)` when it is over the limit.
    pub(super) async fn check(
        &self,
        route: &'static str,
        spec: &RateLimitSpec,
        key: &str,
    ) -> Option<Duration> {
        // A limiter that cannot reach Redis lets requests through rather than making the
        // route unavailable; the queue, if any, still bounds it.
        let pool = self.redis.connected().await.ok()?;
        let redis_key = format!("flyer:{}:rl:{route}:{key}", self.namespace);
        let emission = spec.emission().as_secs_f64() * 1e3;
        let answer: Result<(i64, f64, i64), _> = pool
            .eval(
                GCRA,
                vec![redis_key],
                vec![emission.to_string(), spec.burst.to_string()],
            )
            .await;
        match answer {
            Ok((0, wait_ms, _)) => Some(Duration::from_secs_f64(wait_ms.max(0.0) / 1e3)),
            Ok(_) => None,
            Err(err) => {
                tracing::warn!(error = %err, "rate limit check failed; request let through");
                None
            }
        }
    }
}
