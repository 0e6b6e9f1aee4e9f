//! A service for the queue's multi-process tests: every route is `#[queued]`, reports
//! the pid that ran it, and leaves traces in Redis (under the `key` it is given) that a
//! test can wait on — a barrier, not a sleep.

use std::time::Duration;

use flyer_runtime::prelude::*;
use flyer_runtime::redis::Redis;
use fred::interfaces::{KeysInterface, ListInterface, LuaInterface};

const ENTER: &str = r#"
local now = redis.call('INCR', KEYS[1])
local most = tonumber(redis.call('GET', KEYS[2]) or '0')
if now > most then redis.call('SET', KEYS[2], now) end
return now
"#;

async fn started(redis: &Redis, key: &str) -> Result<()> {
    redis
        .pool()
        .rpush::<i64, _, _>(format!("{key}:started"), std::process::id())
        .await?;
    Ok(())
}

/// Counts how many run at once (`{key}:now`, highest in `{key}:most`), then waits `ms`.
#[endpoint(GET, "/probe/work", tag = "probe")]
#[queued(limit = 3, timeout = "20s")]
async fn work(redis: Redis, key: Query<String>, ms: Query<u64>) -> Result<u32> {
    started(&redis, &key).await?;
    redis
        .pool()
        .eval::<i64, _, _, _>(
            ENTER,
            vec![format!("{}:now", *key), format!("{}:most", *key)],
            (),
        )
        .await?;
    tokio::time::sleep(Duration::from_millis(ms.0)).await;
    redis.pool().decr::<i64, _>(format!("{}:now", *key)).await?;
    Ok(std::process::id())
}

/// Dies mid-task, every time.
#[endpoint(GET, "/probe/crash", tag = "probe")]
#[queued(limit = 2, timeout = "40s")]
async fn crash(redis: Redis, key: Query<String>) -> Result<u32> {
    started(&redis, &key).await?;
    std::process::abort()
}

/// Runs at most once: a redelivery is answered 50000 instead.
#[endpoint(GET, "/probe/once", tag = "probe")]
#[queued(limit = 2, timeout = "20s", at_most_once)]
async fn once(redis: Redis, key: Query<String>, ms: Query<u64>) -> Result<u32> {
    started(&redis, &key).await?;
    tokio::time::sleep(Duration::from_millis(ms.0)).await;
    Ok(std::process::id())
}

/// Answers at once; a short timeout, so its traces in Redis go quickly.
#[endpoint(GET, "/probe/quick", tag = "probe")]
#[queued(limit = 50, timeout = "2s")]
async fn quick() -> u32 {
    std::process::id()
}

/// A trivial queued route, for the benchmark.
#[endpoint(GET, "/probe/bench", tag = "probe")]
#[queued(limit = 1000, timeout = "10s")]
async fn bench() -> &'static str {
    "ok"
}

/// Two requests a second, shared by every instance.
#[endpoint(GET, "/probe/limited", tag = "probe")]
#[rate_limit(rate = "2/s", burst = 2)]
async fn limited() -> u32 {
    std::process::id()
}

/// Not queued: stays up whatever happens to Redis.
#[endpoint(GET, "/probe/plain", tag = "probe")]
async fn plain() -> u32 {
    std::process::id()
}

fn main() {
    flyer_runtime::serve!();
}
