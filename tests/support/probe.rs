//! A service for the queue's multi-process tests: every route is `#[queued]`, reports
//! the pid that ran it, and leaves traces a test can wait on — in Redis (under the `key`
//! it is given) for the older tests, and in a history file (`flyer_probe_history`) that
//! the fault-injection tests read: one `start`/`end` line per run, with the request id,
//! the process id and the time, written outside the Redis being faulted.

use std::io::Write;
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

/// Appends `what <request id> <pid> <unix ms> <route>` to the history file, in one write
/// (O_APPEND: lines of several processes never interleave).
fn record(what: &str, route: &str) {
    let Ok(path) = std::env::var("flyer_probe_history") else {
        return;
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis();
    let id = flyer_runtime::request_id().unwrap_or_default();
    let line = format!("{what} {id} {} {now} {route}\n", std::process::id());
    if let Ok(mut file) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
    {
        let _ = file.write_all(line.as_bytes());
    }
}

/// Records its start, works `ms` in steps of 10 ms (an await each), records its end. A
/// run dropped at an await leaves a start without an end.
async fn recorded(route: &str, ms: u64) -> u32 {
    record("start", route);
    let until = tokio::time::Instant::now() + Duration::from_millis(ms);
    while tokio::time::Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    record("end", route);
    std::process::id()
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

/// Works `ms` (recorded), four at once at most.
#[endpoint(GET, "/probe/record", tag = "probe")]
#[queued(limit = 4, timeout = "30s")]
async fn record_route(ms: Query<u64>) -> u32 {
    recorded("record", ms.0).await
}

/// Works `ms` (recorded), three hundred at once at most, answered within 8 s.
#[endpoint(GET, "/probe/many", tag = "probe")]
#[queued(limit = 300, timeout = "8s")]
async fn many(ms: Query<u64>) -> u32 {
    recorded("many", ms.0).await
}

/// Works `ms` (recorded), at most once.
#[endpoint(GET, "/probe/record-once", tag = "probe")]
#[queued(limit = 4, timeout = "30s", at_most_once)]
async fn record_once(ms: Query<u64>) -> u32 {
    recorded("record-once", ms.0).await
}

/// Works `ms` (recorded), one at a time per process though ten are admitted: the others
/// wait for the slot, longer than an entry may stay untouched.
#[endpoint(GET, "/probe/serial", tag = "probe")]
#[queued(limit = 10, concurrency = 1, timeout = "30s")]
async fn serial(ms: Query<u64>) -> u32 {
    recorded("serial", ms.0).await
}

/// A plain `fn` that sleeps `ms` (recorded), one at a time, answered 50400 after 1 s.
#[endpoint(GET, "/probe/sleep-fn", tag = "probe")]
#[queued(limit = 1, timeout = "1s")]
fn sleep_fn(ms: Query<u64>) -> u32 {
    record("start", "sleep-fn");
    std::thread::sleep(Duration::from_millis(ms.0));
    record("end", "sleep-fn");
    std::process::id()
}

/// Keeps its thread busy for `ms` without an await (recorded): on a runtime of one
/// thread, nothing else of the process's runtime runs meanwhile.
#[endpoint(GET, "/probe/spin", tag = "probe")]
#[queued(limit = 2, timeout = "30s")]
async fn spin(ms: Query<u64>) -> u32 {
    record("start", "spin");
    let until = std::time::Instant::now() + Duration::from_millis(ms.0);
    while std::time::Instant::now() < until {
        std::hint::spin_loop();
    }
    record("end", "spin");
    std::process::id()
}

/// A `low` request of the `prio` group (recorded): a flood of them must not delay `high`.
#[endpoint(GET, "/probe/low", tag = "probe")]
#[queued(
    limit = 600,
    concurrency = 2,
    reserve = 2,
    group = "prio",
    priority = "low",
    timeout = "60s"
)]
async fn low(ms: Query<u64>) -> u32 {
    recorded("low", ms.0).await
}

/// A `high` request of the `prio` group (recorded).
#[endpoint(GET, "/probe/high", tag = "probe")]
#[queued(
    limit = 600,
    concurrency = 2,
    reserve = 2,
    group = "prio",
    priority = "high",
    timeout = "60s"
)]
async fn high(ms: Query<u64>) -> u32 {
    recorded("high", ms.0).await
}

fn main() {
    flyer_runtime::serve!();
}
