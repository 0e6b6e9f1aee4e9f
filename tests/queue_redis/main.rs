//! The Redis backend of `#[queued]`, with real processes (`flyer-probe` as gateways and
//! workers) and a real Redis: the shared one under a namespace of the test's own, or a
//! private `redis-server` where a test stops it.

use std::time::{Duration, Instant};

use flyer_tests::{PrivateRedis, Probe, get, redis_client, shared_redis};
use fred::clients::Client;
use fred::interfaces::{
    ClientLike, KeysInterface, ListInterface, ServerInterface, StreamsInterface,
};

const PROBE: &str = env!("CARGO_BIN_EXE_flyer-probe");
const SHARED: &str = "redis://127.0.0.1:6379/0";
/// How long a dead process's permits take to come back (flyer's lease time, 3 s), with room.
const LEASE_BACK: Duration = Duration::from_secs(6);

fn unique(what: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{what}-{}-{nanos}", std::process::id())
}

async fn started(redis: &Client, key: &str) -> Vec<u32> {
    redis
        .lrange::<Vec<u32>, _>(format!("{key}:started"), 0, -1)
        .await
        .unwrap()
}

/// Waits until `n` handlers have signalled that they started.
async fn barrier(redis: &Client, key: &str, n: usize) -> Vec<u32> {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let pids = started(redis, key).await;
        if pids.len() >= n {
            return pids;
        }
        assert!(
            Instant::now() < deadline,
            "only {} of {n} handlers started",
            pids.len()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits until `admitted()` says a request got a permit again, within [`LEASE_BACK`] of
/// the kill.
async fn permits_back(killed: Instant, mut admitted: impl AsyncFnMut() -> bool) {
    while !admitted().await {
        assert!(
            killed.elapsed() < LEASE_BACK,
            "permits still taken {:?} after the kill",
            killed.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The stream of `/probe/quick`'s tasks (a group of its own, priority normal).
fn quick_stream(ns: &str) -> String {
    format!("{{flyer:{ns}:q:r:GET /probe/quick}}:tasks:normal")
}

fn spawn_get(url: String) -> tokio::task::JoinHandle<flyer_tests::Answer> {
    tokio::spawn(async move { get(&url).await })
}

#[tokio::test(flavor = "multi_thread")]
async fn the_global_limit_holds_across_gateways_and_workers() {
    let redis = shared_redis().await;
    let ns = unique("limit");
    let gateways = [
        Probe::start(PROBE, "gateway", SHARED, &ns),
        Probe::start(PROBE, "gateway", SHARED, &ns),
    ];
    let workers = [
        Probe::start(PROBE, "worker", SHARED, &ns),
        Probe::start(PROBE, "worker", SHARED, &ns),
    ];
    let key = unique("k");
    let calls: Vec<_> = (0..12)
        .map(|i| {
            spawn_get(format!(
                "{}/probe/work?key={key}&ms=600",
                gateways[i % 2].base
            ))
        })
        .collect();
    let mut ok = 0;
    for call in calls {
        let a = call.await.unwrap();
        match a.status {
            200 => {
                ok += 1;
                let pid = a.json["data"].as_u64().unwrap() as u32;
                assert!(
                    workers.iter().any(|w| w.pid() == pid),
                    "ran on {pid}, not on a worker"
                );
            }
            503 => assert_eq!(a.json["code"], 50300),
            other => panic!("unexpected {other}: {}", a.text),
        }
    }
    let most: u32 = redis.get(format!("{key}:most")).await.unwrap();
    assert!(most <= 3, "{most} ran at once; the limit is 3");
    assert!(ok >= 3, "only {ok} admitted");
    // Every permit came back.
    let a = get(&format!("{}/probe/work?key={key}&ms=1", gateways[0].base)).await;
    assert_eq!(a.status, 200, "{}", a.text);
}

#[tokio::test(flavor = "multi_thread")]
async fn permits_of_a_killed_gateway_come_back() {
    let ns = unique("gw-dies");
    // No worker: admitted requests wait in the queue, their gateway holding the permits.
    let mut doomed = Probe::start(PROBE, "gateway", SHARED, &ns);
    let key = unique("k");
    let url = |base: &str| format!("{base}/probe/work?key={key}&ms=1");
    let _waiting: Vec<_> = (0..3).map(|_| spawn_get(url(&doomed.base))).collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        get(&url(&doomed.base)).await.status,
        503,
        "the three permits are taken"
    );
    doomed.kill();
    let killed = Instant::now();
    let other = Probe::start(PROBE, "gateway", SHARED, &ns);
    let client = reqwest::Client::builder()
        .timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    // Admitted means: not refused at once (with no worker, it then waits).
    permits_back(
        killed,
        async || !matches!(client.get(url(&other.base)).send().await, Ok(r) if r.status() == 503),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn permits_of_a_killed_instance_running_handlers_come_back() {
    let redis = shared_redis().await;
    let ns = unique("all-dies");
    let mut doomed = Probe::start(PROBE, "all", SHARED, &ns);
    let other = Probe::start(PROBE, "all", SHARED, &ns);
    let key = unique("k");
    let _running: Vec<_> = (0..3)
        .map(|_| spawn_get(format!("{}/probe/work?key={key}&ms=60000", doomed.base)))
        .collect();
    barrier(&redis, &key, 3).await;
    let probe = format!("{}/probe/work?key={}&ms=1", other.base, unique("k2"));
    assert_eq!(get(&probe).await.status, 503);
    doomed.kill();
    let killed = Instant::now();
    permits_back(killed, async || get(&probe).await.status == 200).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_task_whose_worker_is_killed_runs_on_another() {
    let redis = shared_redis().await;
    let ns = unique("redeliver");
    let gateway = Probe::start(PROBE, "gateway", SHARED, &ns);
    let mut first = Probe::start(PROBE, "worker", SHARED, &ns);
    let key = unique("k");
    let call = spawn_get(format!("{}/probe/work?key={key}&ms=1500", gateway.base));
    assert_eq!(barrier(&redis, &key, 1).await, [first.pid()]);
    let second = Probe::start(PROBE, "worker", SHARED, &ns);
    first.kill();
    let a = call.await.unwrap();
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(
        a.json["data"],
        second.pid(),
        "answered by the second worker"
    );
    assert_eq!(started(&redis, &key).await, [first.pid(), second.pid()]);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_at_most_once_task_is_not_run_again() {
    let redis = shared_redis().await;
    let ns = unique("once");
    let gateway = Probe::start(PROBE, "gateway", SHARED, &ns);
    let mut first = Probe::start(PROBE, "worker", SHARED, &ns);
    let key = unique("k");
    let call = spawn_get(format!("{}/probe/once?key={key}&ms=5000", gateway.base));
    barrier(&redis, &key, 1).await;
    let _second = Probe::start(PROBE, "worker", SHARED, &ns);
    first.kill();
    let a = call.await.unwrap();
    assert_eq!(a.status, 500, "{}", a.text);
    assert_eq!(a.json["code"], 50000);
    assert!(
        a.json["msg"].as_str().unwrap().contains("at most once"),
        "{}",
        a.text
    );
    assert_eq!(started(&redis, &key).await.len(), 1, "ran again");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_task_that_keeps_killing_workers_is_given_up() {
    let redis = shared_redis().await;
    let ns = unique("poison");
    let gateway = Probe::start(PROBE, "gateway", SHARED, &ns);
    let _workers: Vec<_> = (0..4)
        .map(|_| Probe::start(PROBE, "worker", SHARED, &ns))
        .collect();
    let key = unique("k");
    let started_at = Instant::now();
    let a = get(&format!("{}/probe/crash?key={key}", gateway.base)).await;
    assert_eq!(a.status, 500, "{}", a.text);
    assert_eq!(a.json["code"], 50000);
    assert!(
        a.json["msg"].as_str().unwrap().contains("given up"),
        "{}",
        a.text
    );
    assert_eq!(
        started(&redis, &key).await.len(),
        3,
        "delivered 3 times, then given up"
    );
    assert!(started_at.elapsed() < Duration::from_secs(40));
}

#[tokio::test(flavor = "multi_thread")]
async fn every_admitted_request_gets_exactly_one_answer() {
    let ns = unique("load");
    let gateway = Probe::start(PROBE, "gateway", SHARED, &ns);
    let _worker = Probe::start(PROBE, "worker", SHARED, &ns);
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let sent = 400;
    let sem = std::sync::Arc::new(tokio::sync::Semaphore::new(50));
    let calls: Vec<_> = (0..sent)
        .map(|_| {
            let (client, sem) = (client.clone(), sem.clone());
            let url = format!("{}/probe/quick", gateway.base);
            tokio::spawn(async move {
                let _slot = sem.acquire_owned().await.unwrap();
                client.get(url).send().await.map(|r| r.status().as_u16())
            })
        })
        .collect();
    let mut by_status = std::collections::BTreeMap::new();
    for call in calls {
        let status = call.await.unwrap().expect("an answer within the timeout");
        *by_status.entry(status).or_insert(0) += 1;
    }
    let answered: i32 = by_status.values().sum();
    assert_eq!(answered, sent, "{by_status:?}");
    assert!(
        by_status.keys().all(|s| *s == 200 || *s == 503),
        "{by_status:?}"
    );
    assert!(
        by_status.get(&200).copied().unwrap_or(0) > 0,
        "{by_status:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn redis_down_fails_fast_and_service_resumes_without_restart() {
    let mut redis = PrivateRedis::start();
    let ns = unique("down");
    let gateway = Probe::start(PROBE, "gateway", &redis.url(), &ns);
    let _worker = Probe::start(PROBE, "worker", &redis.url(), &ns);
    let quick = format!("{}/probe/quick", gateway.base);
    assert_eq!(get(&quick).await.status, 200);
    redis.stop();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let asked = Instant::now();
    let a = get(&quick).await;
    assert_eq!(a.status, 503, "{}", a.text);
    assert_eq!(a.json["code"], 50300);
    assert!(
        asked.elapsed() < Duration::from_secs(1),
        "{:?}: not fast",
        asked.elapsed()
    );
    assert_eq!(
        get(&format!("{}/probe/plain", gateway.base)).await.status,
        200
    );
    assert_eq!(
        get(&format!("{}/health_check", gateway.base)).await.status,
        200
    );
    redis.resume();
    let resumed = Instant::now();
    loop {
        if get(&quick).await.status == 200 {
            break;
        }
        assert!(
            resumed.elapsed() < Duration::from_secs(20),
            "no recovery after Redis came back"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn redis_memory_stays_flat() {
    let redis = PrivateRedis::start();
    let client = redis_client(&redis.url()).await.unwrap();
    let ns = unique("flat");
    let gateway = Probe::start(PROBE, "gateway", &redis.url(), &ns);
    let _worker = Probe::start(PROBE, "worker", &redis.url(), &ns);
    let http = reqwest::Client::new();
    let mut after = Vec::new();
    for _ in 0..3 {
        let calls: Vec<_> = (0..300)
            .map(|_| {
                let req = http.get(format!("{}/probe/quick", gateway.base));
                tokio::spawn(async move { req.send().await.map(|r| r.status().as_u16()) })
            })
            .collect();
        for c in calls {
            c.await.unwrap().unwrap();
        }
        // Answers are kept as long as a gateway may look for them (timeout + 1 s).
        tokio::time::sleep(Duration::from_millis(3500)).await;
        let keys: u64 = client.dbsize().await.unwrap();
        let pending: u64 = client.xlen(quick_stream(&ns)).await.unwrap();
        let info: String = client
            .info(Some(fred::types::InfoKind::Memory))
            .await
            .unwrap();
        let used: u64 = info
            .lines()
            .find_map(|l| l.strip_prefix("used_memory:"))
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        after.push((keys, pending, used));
    }
    for (keys, pending, _) in &after {
        assert_eq!(*pending, 0, "tasks left in the stream: {after:?}");
        // Per queue group of the probe, its epoch and a stream per level: nothing per
        // request.
        assert!(*keys <= 30, "keys left behind: {after:?}");
    }
    assert!(
        after.iter().all(|a| a.0 == after[0].0),
        "keys grew: {after:?}"
    );
    let (first, last) = (after[0].2 as f64, after[2].2 as f64);
    assert!(last <= first * 1.1 + 65_536.0, "memory grew: {after:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rate_limit_is_shared_by_every_instance() {
    let ns = unique("rate");
    let a = Probe::start(PROBE, "all", SHARED, &ns);
    let b = Probe::start(PROBE, "all", SHARED, &ns);
    let url = |p: &Probe| format!("{}/probe/limited", p.base);
    assert_eq!(get(&url(&a)).await.status, 200);
    assert_eq!(get(&url(&b)).await.status, 200);
    let refused = get(&url(&a)).await;
    assert_eq!(refused.status, 429, "{}", refused.text);
    assert_eq!(refused.json["code"], 42900);
    assert!(refused.header("retry-after").parse::<u64>().unwrap() >= 1);
    assert_eq!(refused.header("x-ratelimit-limit"), "2");
    assert_eq!(
        get(&url(&b)).await.status,
        429,
        "the other instance counts the same requests"
    );
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(get(&url(&b)).await.status, 200, "the bucket refills");
}

#[tokio::test(flavor = "multi_thread")]
async fn stopped_workers_are_forgotten_by_the_group() {
    let redis = shared_redis().await;
    let ns = unique("consumers");
    let gateway = Probe::start(PROBE, "gateway", SHARED, &ns);
    let mut first = Probe::start(PROBE, "worker", SHARED, &ns);
    let quick = format!("{}/probe/quick", gateway.base);
    // A consumer exists once it was handed a task.
    assert_eq!(get(&quick).await.status, 200);
    let stream = quick_stream(&ns);
    // The pids of the workers the group knows (consumer names start with the pid).
    let known = || async {
        let info: Vec<Vec<fred::types::Value>> = redis
            .xinfo_consumers(&stream, "workers")
            .await
            .unwrap_or_default();
        info.iter()
            .filter_map(|fields| fields.get(1).and_then(|v| v.as_string()))
            .filter_map(|name| name.split('-').next().and_then(|p| p.parse::<u32>().ok()))
            .collect::<Vec<u32>>()
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while !known().await.contains(&first.pid()) {
        assert!(Instant::now() < deadline, "the worker never read");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let gone = first.pid();
    first.kill();
    let second = Probe::start(PROBE, "worker", SHARED, &ns);
    assert_eq!(get(&quick).await.status, 200);
    let deadline = Instant::now() + Duration::from_secs(25);
    loop {
        let pids = known().await;
        if pids == [second.pid()] {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the group still knows {pids:?} ({gone} stopped)"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}
