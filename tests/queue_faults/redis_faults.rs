//! Faults of Redis itself, on private instances: a restart that loses every key (finding
//! 4), a connection cut while a task finishes (finding 6), a server too slow to answer an
//! admission (finding 8), a three-master cluster (finding 9), a reply subscription that
//! goes silent (finding 10), memory (finding 11), the rate limiter without Redis (finding
//! 12).

use std::time::{Duration, Instant};

use flyer_tests::{PrivateCluster, PrivateRedis, Probe, Proxy, redis_client};
use fred::interfaces::{ClientLike, KeysInterface, StreamsInterface};

use crate::{Outcome, PROBE, Rules, Scene, call, join, spawn_calls, started, unique};

/// Finding 4: Redis restarts (no persistence) while four tasks of a limit-4 route run.
/// The runs register their leases again, admission waits a lease period, and the limit
/// holds: the next four are refused until the first four are done; every first four
/// caller gets its answer.
#[tokio::test(flavor = "multi_thread")]
async fn the_limit_holds_across_a_redis_restart() {
    let mut redis = PrivateRedis::start();
    let scene = Scene::new("restart", &redis.url());
    let gateway = scene.start("gateway");
    let _worker = scene.start("worker");
    let first = spawn_calls(&gateway.base, "/probe/record?ms=7000", "first", 4);
    started(&scene, 4).await;
    redis.stop();
    redis.resume();
    let lost_at = Instant::now();
    // While the runs register again, and after: the four permits are still taken.
    let mut refused = 0;
    while lost_at.elapsed() < Duration::from_secs(5) {
        let c = call(&gateway.base, "/probe/record?ms=10", &unique("more")).await;
        assert_eq!(c.status, 503, "admitted beside the four running: {c:?}");
        refused += 1;
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(refused > 5);
    let first = join(first).await;
    for c in &first {
        assert_eq!(c.status, 200, "{c:?}");
    }
    eprintln!(
        "measured: across a Redis restart, the four running were answered {:?} after it",
        lost_at.elapsed()
    );
    // Service resumes once they are done.
    let after = call(&gateway.base, "/probe/record?ms=10", "after").await;
    assert_eq!(after.status, 200, "{after:?}");
    let mut calls = first;
    calls.push(after);
    Outcome {
        calls: &calls,
        history: &scene.history(),
    }
    .check(Rules {
        limit: Some((&["record"], 4)),
        at_most_once: false,
    });
}

/// Finding 4: requests waiting in a stream when Redis restarts are put back by their
/// gateway, and run once.
#[tokio::test(flavor = "multi_thread")]
async fn waiting_requests_survive_a_redis_restart() {
    let mut redis = PrivateRedis::start();
    let scene = Scene::new("requeue", &redis.url());
    let gateway = scene.start("gateway");
    // No worker yet: the requests wait in the stream.
    let calls = spawn_calls(&gateway.base, "/probe/record?ms=100", "waiting", 3);
    tokio::time::sleep(Duration::from_millis(500)).await;
    redis.stop();
    redis.resume();
    let _worker = scene.start("worker");
    let calls = join(calls).await;
    for c in &calls {
        assert_eq!(c.status, 200, "{c:?}");
    }
    let history = scene.history();
    for (request, runs) in history.by_request() {
        assert_eq!(runs.len(), 1, "{request}: {runs:?}");
    }
    Outcome {
        calls: &calls,
        history: &history,
    }
    .check(Rules {
        limit: Some((&["record"], 4)),
        at_most_once: false,
    });
}

/// Finding 6: the worker's connection to Redis is cut just as its task finishes; the
/// finish is tried again once Redis is back, and the task is not run a second time.
#[tokio::test(flavor = "multi_thread")]
async fn a_failed_finish_is_tried_again() {
    let redis = PrivateRedis::start();
    let proxy = Proxy::new(([127, 0, 0, 1], redis.port).into()).await;
    proxy.open().await;
    let scene = Scene::new("finish", &redis.url());
    let gateway = scene.start("gateway");
    let worker_url = format!("redis://127.0.0.1:{}/0", proxy.port());
    let history = scene.history.to_str().unwrap().to_owned();
    let _worker = Probe::start_with(
        PROBE,
        "worker",
        &worker_url,
        &scene.ns,
        &[("flyer_probe_history", &history)],
    );
    let caller = {
        let base = gateway.base.clone();
        tokio::spawn(async move { call(&base, "/probe/record?ms=2000", "finish-1").await })
    };
    started(&scene, 1).await;
    // Cut from the middle of the run until a second after it ended: its finish fails.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    proxy.cut().await;
    tokio::time::sleep(Duration::from_millis(2000)).await;
    proxy.open().await;
    let answer = caller.await.unwrap();
    assert_eq!(answer.status, 200, "{answer:?}");
    let history = scene.history();
    assert_eq!(
        history.of("finish-1").len(),
        1,
        "{:?}",
        history.of("finish-1")
    );
    Outcome {
        calls: &[answer],
        history: &history,
    }
    .check(Rules {
        limit: Some((&["record"], 4)),
        at_most_once: false,
    });
}

/// Finding 8: Redis answers an admission after the gateway gave up (CLIENT PAUSE 2.5 s,
/// past the 2 s command timeout): the caller was told 50300, so the request never runs.
#[tokio::test(flavor = "multi_thread")]
async fn an_admission_that_timed_out_never_runs() {
    let redis = PrivateRedis::start();
    let client = redis_client(&redis.url()).await.unwrap();
    let scene = Scene::new("pause", &redis.url());
    let gateway = scene.start("gateway");
    let _worker = scene.start("worker");
    let _: () = client
        .custom(
            fred::types::CustomCommand::new_static("CLIENT", None, false),
            vec!["PAUSE", "2500", "WRITE"],
        )
        .await
        .unwrap();
    let answer = call(&gateway.base, "/probe/record?ms=10", "paused-1").await;
    assert_eq!(answer.status, 503, "{answer:?}");
    // Redis runs the admission once the pause ends; give a worker every chance.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let history = scene.history();
    assert!(
        history.of("paused-1").is_empty(),
        "answered 50300, yet it ran: {:?}",
        history.of("paused-1")
    );
}

/// Finding 9: a Redis Cluster of three masters: the queue works, and its limit holds.
#[tokio::test(flavor = "multi_thread")]
async fn the_queue_works_on_a_redis_cluster() {
    let cluster = tokio::task::spawn_blocking(PrivateCluster::start)
        .await
        .unwrap();
    let scene = Scene::new("cluster", &cluster.url());
    let gateway = scene.start("gateway");
    let _a = scene.start("worker");
    let _b = scene.start("worker");
    let calls = join(spawn_calls(
        &gateway.base,
        "/probe/record?ms=800",
        "cluster",
        8,
    ))
    .await;
    let ok = calls.iter().filter(|c| c.status == 200).count();
    assert!(ok >= 4, "only {ok} of 8 answered 200: {calls:?}");
    for c in &calls {
        assert!(matches!(c.status, 200 | 503), "{c:?}");
    }
    let rate = call(&gateway.base, "/probe/limited", "limited").await;
    assert_eq!(rate.status, 200, "{rate:?}");
    Outcome {
        calls: &calls,
        history: &scene.history(),
    }
    .check(Rules {
        limit: Some((&["record"], 4)),
        at_most_once: false,
    });
}

/// Finding 10: the gateway's subscription goes silent (its connection carries nothing,
/// yet stays open); the heartbeat notices, it subscribes again, and answers come within
/// seconds, not at the timeout.
#[tokio::test(flavor = "multi_thread")]
async fn a_silent_reply_channel_is_subscribed_again() {
    let redis = PrivateRedis::start();
    let proxy = Proxy::new(([127, 0, 0, 1], redis.port).into()).await;
    proxy.open().await;
    let scene = Scene::new("silent", &redis.url());
    let gateway_url = format!("redis://127.0.0.1:{}/0", proxy.port());
    let gateway = Probe::start_with(PROBE, "gateway", &gateway_url, &scene.ns, &[]);
    let _worker = scene.start("worker");
    assert_eq!(
        call(&gateway.base, "/probe/record?ms=10", "before")
            .await
            .status,
        200
    );
    proxy.freeze_subscriptions();
    let asked = Instant::now();
    let answer = call(&gateway.base, "/probe/record?ms=10", "during").await;
    assert_eq!(answer.status, 200, "{answer:?}");
    eprintln!(
        "measured: answered {:?} after the subscription went silent",
        asked.elapsed()
    );
    assert!(
        asked.elapsed() < Duration::from_secs(12),
        "answered after {:?} (the route's timeout is 30 s)",
        asked.elapsed()
    );
}

/// Finding 11: with no worker alive, the requests whose callers were answered 50400 leave
/// the stream; answers heard on the channel are not kept long.
#[tokio::test(flavor = "multi_thread")]
async fn memory_does_not_keep_what_no_one_needs() {
    let redis = PrivateRedis::start();
    let client = redis_client(&redis.url()).await.unwrap();
    let scene = Scene::new("memory", &redis.url());
    let gateway = scene.start("gateway");
    // 40 of its 50 permits (the gateway's readiness check may hold one).
    let calls = join(spawn_calls(&gateway.base, "/probe/quick", "orphan", 40)).await;
    for c in &calls {
        assert_eq!(c.status, 504, "{c:?}");
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let left = entries(&client).await;
        if left == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{left} expired tasks left in the streams"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Answers of a long route (timeout 30 s) are kept briefly once heard.
    let _worker = scene.start("worker");
    let calls = join(spawn_calls(
        &gateway.base,
        "/probe/record?ms=10",
        "heard",
        4,
    ))
    .await;
    for c in &calls {
        assert_eq!(c.status, 200, "{c:?}");
    }
    // Kept a few seconds at most (a silent subscription is noticed within them), not
    // for the route's 30 s timeout.
    tokio::time::sleep(Duration::from_secs(7)).await;
    let replies: Vec<String> = keys(&client, "*reply*").await;
    assert!(
        replies.is_empty(),
        "answers kept after they were heard: {replies:?}"
    );
}

/// The keys of `client`'s Redis matching `pattern` (of any layout).
async fn keys(client: &fred::clients::Client, pattern: &str) -> Vec<String> {
    client
        .custom(
            fred::types::CustomCommand::new_static("KEYS", None, false),
            vec![pattern],
        )
        .await
        .unwrap()
}

/// How many entries the streams of `client`'s Redis hold in all.
async fn entries(client: &fred::clients::Client) -> u64 {
    let mut total = 0;
    for key in keys(client, "*").await {
        let kind: String = client
            .custom(
                fred::types::CustomCommand::new_static("TYPE", None, false),
                vec![key.as_str()],
            )
            .await
            .unwrap();
        if kind == "stream" {
            total += client.xlen::<u64, _>(key.as_str()).await.unwrap();
        }
    }
    total
}

/// Finding 11: Redis out of memory (maxmemory, noeviction): a new request is refused
/// 50300, and a task already running still delivers its answer.
#[tokio::test(flavor = "multi_thread")]
async fn out_of_memory_refuses_new_requests_and_delivers_answers() {
    let redis = PrivateRedis::start_with(&["--maxmemory-policy", "noeviction"]);
    let client = redis_client(&redis.url()).await.unwrap();
    let scene = Scene::new("oom", &redis.url());
    let gateway = scene.start("gateway");
    let _worker = scene.start("worker");
    let running = {
        let base = gateway.base.clone();
        tokio::spawn(async move { call(&base, "/probe/record?ms=2500", "oom-running").await })
    };
    started(&scene, 1).await;
    // Two megabytes of data, then a limit below what is used: Redis refuses every write
    // that could need memory.
    let filler = "x".repeat(256 * 1024);
    for i in 0..8 {
        let _: () = client
            .set(format!("filler:{i}"), filler.as_str(), None, None, false)
            .await
            .unwrap();
    }
    let _: () = client
        .custom(
            fred::types::CustomCommand::new_static("CONFIG", None, false),
            vec!["SET", "maxmemory", "1mb"],
        )
        .await
        .unwrap();
    let refused: Result<(), _> = client.set("one-more", "x", None, None, false).await;
    assert!(refused.is_err(), "Redis is not out of memory");
    let refused = call(&gateway.base, "/probe/record?ms=10", "oom-new").await;
    assert_eq!((refused.status, refused.code), (503, 50300), "{refused:?}");
    let answer = running.await.unwrap();
    assert_eq!(answer.status, 200, "{answer:?}");
    let history = scene.history();
    assert_eq!(
        history.of("oom-running").len(),
        1,
        "{:?}",
        history.of("oom-running")
    );
    assert!(history.of("oom-new").is_empty());
}

/// Finding 12: with `flyer_rate_limit_fail=closed`, a rate-limited route refuses while its
/// Redis is away (50300); by default (`open`) it lets requests through.
#[tokio::test(flavor = "multi_thread")]
async fn the_rate_limiter_fails_open_or_closed_as_configured() {
    let mut redis = PrivateRedis::start();
    let ns = unique("rate-fail");
    let closed = Probe::start_with(
        PROBE,
        "all",
        &redis.url(),
        &ns,
        &[("flyer_rate_limit_fail", "closed")],
    );
    let open = Probe::start(PROBE, "all", &redis.url(), &ns);
    redis.stop();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let refused = call(&closed.base, "/probe/limited", &unique("closed")).await;
    assert_eq!((refused.status, refused.code), (503, 50300), "{refused:?}");
    let through = call(&open.base, "/probe/limited", &unique("open")).await;
    assert_eq!(through.status, 200, "{through:?}");
    drop(redis);
}
