//! `#[queued]` and `#[rate_limit]` with the local backend, through real HTTP.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use flyer_runtime::prelude::*;
use flyer_runtime::testing::{TestServer, config};
use flyer_tests::{Answer, get, send};

/// Waits, holding one of two permits.
#[endpoint(GET, "/q/slow", tag = "queue")]
#[queued(limit = 2, timeout = "400ms")]
async fn q_slow(ms: Query<u64>) -> u64 {
    tokio::time::sleep(Duration::from_millis(ms.0)).await;
    ms.0
}

static BLOCKING_DONE: AtomicUsize = AtomicUsize::new(0);

/// A blocking handler with one permit: it cannot be stopped at its timeout.
#[endpoint(GET, "/q/blocking", tag = "queue")]
#[queued(limit = 1, timeout = "200ms")]
fn q_blocking(ms: Query<u64>) -> u64 {
    std::thread::sleep(Duration::from_millis(ms.0));
    BLOCKING_DONE.fetch_add(1, Ordering::SeqCst);
    ms.0
}

static RUNNING: AtomicUsize = AtomicUsize::new(0);
static MOST_RUNNING: AtomicUsize = AtomicUsize::new(0);

/// Five admitted, one running at a time.
#[endpoint(GET, "/q/serial", tag = "queue")]
#[queued(limit = 5, concurrency = 1, timeout = "5s")]
async fn q_serial(i: Query<u32>) -> u32 {
    let now = RUNNING.fetch_add(1, Ordering::SeqCst) + 1;
    MOST_RUNNING.fetch_max(now, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(100)).await;
    RUNNING.fetch_sub(1, Ordering::SeqCst);
    i.0
}

/// One permit, and a validated parameter.
#[endpoint(GET, "/q/valid", tag = "queue")]
#[queued(limit = 1, timeout = "5s")]
async fn q_valid(
    #[oai(validator(maximum(value = "10")))] n: Query<u32>,
    ms: Query<Option<u64>>,
) -> u32 {
    tokio::time::sleep(Duration::from_millis(ms.0.unwrap_or(0))).await;
    n.0
}

/// Two requests a second per API key.
#[endpoint(GET, "/rl", tag = "queue")]
#[rate_limit(rate = "2/s", burst = 2, key = "header:X-Api-Key")]
async fn limited() -> &'static str {
    "ok"
}

async fn start() -> TestServer {
    TestServer::with_config(config(&[]).unwrap()).await
}

fn assert_over_capacity(a: &Answer) {
    assert_eq!(a.status, 503, "{}", a.text);
    assert_eq!(a.json["code"], 50300);
    assert_eq!(a.header("retry-after"), "1");
}

#[tokio::test]
async fn the_request_beyond_the_limit_is_refused_at_once() {
    let s = start().await;
    let url = s.url("/q/slow?ms=300");
    let held: Vec<_> = (0..2)
        .map(|_| {
            let url = url.clone();
            tokio::spawn(async move { get(&url).await })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    let a = get(&url).await;
    assert_over_capacity(&a);
    assert!(
        started.elapsed() < Duration::from_millis(200),
        "not refused at once"
    );
    for h in held {
        assert_eq!(h.await.unwrap().json["data"], 300);
    }
    assert_eq!(get(&url).await.status, 200, "permits come back");
}

#[tokio::test]
async fn an_admitted_request_not_answered_in_time_is_50400() {
    let s = start().await;
    let a = get(&s.url("/q/slow?ms=2000")).await;
    assert_eq!(a.status, 504, "{}", a.text);
    assert_eq!(a.json["code"], 50400);
    // The async handler was stopped at its timeout: its permit is free.
    assert_eq!(get(&s.url("/q/slow?ms=1")).await.status, 200);
}

#[tokio::test]
async fn a_blocking_handler_keeps_its_permit_until_it_returns() {
    let s = start().await;
    let before = BLOCKING_DONE.load(Ordering::SeqCst);
    let a = get(&s.url("/q/blocking?ms=900")).await;
    assert_eq!(a.status, 504, "{}", a.text);
    // Still running: the one permit is still taken.
    assert_over_capacity(&get(&s.url("/q/blocking?ms=1")).await);
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert!(BLOCKING_DONE.load(Ordering::SeqCst) > before);
    assert_eq!(get(&s.url("/q/blocking?ms=1")).await.status, 200);
}

#[tokio::test]
async fn concurrency_runs_the_admitted_one_at_a_time() {
    let s = start().await;
    let calls: Vec<_> = (0..4)
        .map(|i| {
            let url = s.url(&format!("/q/serial?i={i}"));
            tokio::spawn(async move { get(&url).await })
        })
        .collect();
    for (i, c) in calls.into_iter().enumerate() {
        let a = c.await.unwrap();
        assert_eq!(a.json["data"], i as u64, "{}", a.text);
    }
    assert_eq!(MOST_RUNNING.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn invalid_requests_never_take_a_permit() {
    let s = start().await;
    let holder = {
        let url = s.url("/q/valid?n=1&ms=500");
        tokio::spawn(async move { get(&url).await })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    let a = get(&s.url("/q/valid?n=11")).await;
    assert_eq!(a.status, 400, "validated before admission: {}", a.text);
    assert_eq!(a.json["code"], 40000);
    assert_over_capacity(&get(&s.url("/q/valid?n=1")).await);
    assert_eq!(holder.await.unwrap().status, 200);
}

#[tokio::test]
async fn over_the_rate_is_42900_with_its_headers() {
    let s = start().await;
    let client = reqwest::Client::new();
    let call = |key: &'static str| send(client.get(s.url("/rl")).header("x-api-key", key));
    assert_eq!(call("a").await.status, 200);
    assert_eq!(call("a").await.status, 200);
    let a = call("a").await;
    assert_eq!(a.status, 429, "{}", a.text);
    assert_eq!(a.json["code"], 42900);
    assert!(a.header("retry-after").parse::<u64>().unwrap() >= 1);
    assert_eq!(a.header("x-ratelimit-limit"), "2");
    assert_eq!(a.header("x-ratelimit-remaining"), "0");
    assert_eq!(call("b").await.status, 200, "another key has its own limit");
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(call("a").await.status, 200, "the bucket refills");
}

#[tokio::test]
async fn the_spec_documents_limits() {
    let s = start().await;
    let spec = get(&s.url("/openapi.json")).await.json;
    let op = &spec["paths"]["/flyer/v1/q/slow"]["get"];
    for status in ["503", "504"] {
        assert!(
            op["responses"].get(status).is_some(),
            "{status} undocumented"
        );
    }
    assert!(
        op["description"]
            .as_str()
            .unwrap()
            .contains("at most 2 requests")
    );
    let op = &spec["paths"]["/flyer/v1/rl"]["get"];
    let r429 = &op["responses"]["429"];
    assert!(r429["headers"].get("Retry-After").is_some(), "{r429}");
    assert!(
        op["description"]
            .as_str()
            .unwrap()
            .contains("per `x-api-key` header")
    );
}
