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

/// What the shared limit says of a request.
pub(super) enum Verdict {
    Allow,
    /// Over the limit: the next is let through after this.
    Wait(Duration),
    /// Redis did not answer.
    Unknown,
}

impl Limits {
    pub(super) fn new(redis: &Redis, namespace: &str) -> Self {
        Limits {
            redis: redis.clone(),
            namespace: namespace.to_owned(),
        }
    }

    /// Counts a request of `route` from `key`.
    pub(super) async fn check(
        &self,
        route: &'static str,
        spec: &RateLimitSpec,
        key: &str,
    ) -> Verdict {
        let Ok(pool) = self.redis.connected().await else {
            return Verdict::Unknown;
        };
        // No brace of the route template may reach the key: it would be a hash tag.
        let redis_key = format!(
            "flyer:{}:rl:{}:{key}",
            self.namespace,
            route.replace('{', ":").replace('}', "")
        );
        let emission = spec.emission().as_secs_f64() * 1e3;
        let answer: Result<(i64, f64, i64), _> = pool
            .eval(
                GCRA,
                vec![redis_key],
                vec![emission.to_string(), spec.burst.to_string()],
            )
            .await;
        match answer {
            Ok((0, wait_ms, _)) => Verdict::Wait(Duration::from_secs_f64(wait_ms.max(0.0) / 1e3)),
            Ok(_) => Verdict::Allow,
            Err(err) => {
                tracing::warn!(error = %err, "rate limit check failed");
                Verdict::Unknown
            }
        }
    }
}
