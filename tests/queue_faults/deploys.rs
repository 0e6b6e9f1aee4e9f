//! The service's own processes: a rolling deploy (SIGTERM, finding 7), a gateway and an
//! `all` instance killed or stalled mid-run, and priorities under a flood.

use std::time::{Duration, Instant};

use fred::interfaces::SortedSetsInterface;

use crate::{Outcome, Rules, SHARED, Scene, call, join, spawn_calls, started};

/// Finding 7: a worker told to stop (a rolling deploy: a new worker starts, the old one
/// gets SIGTERM) finishes the tasks it runs, and they run once; what waits goes to the
/// new worker at once.
#[tokio::test(flavor = "multi_thread")]
async fn sigterm_lets_a_worker_finish_its_tasks() {
    let scene = Scene::new("deploy", SHARED);
    let gateway = scene.start("gateway");
    let mut old = scene.start("worker");
    let calls = spawn_calls(&gateway.base, "/probe/record?ms=2500", "deploy", 4);
    started(&scene, 4).await;
    let new = scene.start("worker");
    old.signal("TERM");
    // More arrive during the deploy: the new worker takes them.
    let more = spawn_calls(&gateway.base, "/probe/record?ms=100", "after", 4);
    let calls = join(calls).await;
    let more = join(more).await;
    let status = old.wait();
    assert!(
        status.success(),
        "the old worker did not stop cleanly: {status:?}"
    );
    for c in &calls {
        assert_eq!(c.status, 200, "{c:?}");
        assert_eq!(
            c.pid,
            Some(old.pid()),
            "finished by the worker that started it: {c:?}"
        );
    }
    for c in &more {
        assert!(matches!(c.status, 200 | 503), "{c:?}");
        if c.status == 200 {
            assert_eq!(c.pid, Some(new.pid()), "{c:?}");
        }
    }
    let history = scene.history();
    for (request, runs) in history.by_request() {
        assert_eq!(
            runs.len(),
            1,
            "{request} ran {} times: {runs:?}",
            runs.len()
        );
    }
    let all: Vec<_> = calls.into_iter().chain(more).collect();
    Outcome {
        calls: &all,
        history: &history,
    }
    .check(Rules {
        limit: Some((&["record"], 4)),
        at_most_once: false,
    });
}

/// A gateway killed while its requests run: their workers finish them, the permits come
/// back (the leases expire), and a new gateway is served.
#[tokio::test(flavor = "multi_thread")]
async fn a_killed_gateways_permits_come_back() {
    let scene = Scene::new("gw-kill", SHARED);
    let mut gateway = scene.start("gateway");
    let _worker = scene.start("worker");
    let _calls = spawn_calls(&gateway.base, "/probe/record?ms=1500", "orphaned", 4);
    started(&scene, 4).await;
    gateway.kill();
    let killed = Instant::now();
    let other = scene.start("gateway");
    let back = loop {
        let c = call(&other.base, "/probe/record?ms=10", &crate::unique("back")).await;
        if c.status == 200 {
            break killed.elapsed();
        }
        assert!(
            killed.elapsed() < Duration::from_secs(8),
            "permits not back: {c:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(back < Duration::from_secs(8));
    eprintln!("measured: a killed gateway's permits came back after {back:?}");
    // Its requests' runs go on to the end on the worker.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let history = scene.history();
        let orphans: Vec<_> = history
            .runs
            .iter()
            .filter(|r| r.request.starts_with("orphaned"))
            .collect();
        if orphans.len() == 4 && orphans.iter().all(|r| r.end.is_some()) {
            break;
        }
        assert!(Instant::now() < deadline, "a run was cut: {orphans:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A gateway stalled (SIGSTOP, 4 s) while workers run its requests: the runs keep their
/// permits (the workers renew them), the answers wait for it, and its callers get them
/// when it resumes.
#[tokio::test(flavor = "multi_thread")]
async fn a_stalled_gateway_gets_its_answers_when_it_resumes() {
    let scene = Scene::new("gw-stall", SHARED);
    let stalled = scene.start("gateway");
    let _worker = scene.start("worker");
    let calls = spawn_calls(&stalled.base, "/probe/record?ms=2000", "stalled-gw", 4);
    started(&scene, 4).await;
    stalled.signal("STOP");
    let other = scene.start("gateway");
    // The four permits are still taken by the runs.
    let c = call(&other.base, "/probe/record?ms=10", "while-stalled").await;
    assert_eq!(c.status, 503, "{c:?}");
    tokio::time::sleep(Duration::from_secs(4)).await;
    stalled.signal("CONT");
    let calls = join(calls).await;
    for c in &calls {
        assert_eq!(c.status, 200, "{c:?}");
    }
    Outcome {
        calls: &calls,
        history: &scene.history(),
    }
    .check(Rules {
        limit: Some((&["record"], 4)),
        at_most_once: false,
    });
}

/// An `all` instance stalled (SIGSTOP, 4 s) while it runs its own requests: their leases
/// lapse meanwhile, so others are admitted; when it resumes, its requests still answer.
#[tokio::test(flavor = "multi_thread")]
async fn a_stalled_all_instance_still_answers_its_requests() {
    let scene = Scene::new("all-stall", SHARED);
    let stalled = scene.start("all");
    let calls = spawn_calls(&stalled.base, "/probe/record?ms=1000", "own", 2);
    started(&scene, 2).await;
    stalled.signal("STOP");
    let other = scene.start("all");
    tokio::time::sleep(Duration::from_secs(4)).await;
    // The stalled instance's leases lapsed: the other is admitted.
    let c = call(&other.base, "/probe/record?ms=10", "other").await;
    assert_eq!(c.status, 200, "{c:?}");
    stalled.signal("CONT");
    let calls = join(calls).await;
    for c in &calls {
        assert!(matches!(c.status, 200 | 504), "{c:?}");
    }
    Outcome {
        calls: &calls,
        history: &scene.history(),
    }
    .check(Rules {
        limit: None,
        at_most_once: false,
    });
}

/// An `all` instance killed mid-run: its permits come back within a lease.
#[tokio::test(flavor = "multi_thread")]
async fn a_killed_all_instances_permits_come_back() {
    let scene = Scene::new("all-kill", SHARED);
    let mut doomed = scene.start("all");
    let _calls = spawn_calls(&doomed.base, "/probe/record?ms=5000", "doomed", 4);
    started(&scene, 4).await;
    let other = scene.start("all");
    assert_eq!(
        call(&other.base, "/probe/record?ms=10", "full")
            .await
            .status,
        503,
        "the four permits are taken"
    );
    doomed.kill();
    let killed = Instant::now();
    loop {
        let c = call(&other.base, "/probe/record?ms=10", &crate::unique("back")).await;
        if c.status == 200 {
            break;
        }
        assert!(
            killed.elapsed() < Duration::from_secs(8),
            "permits not back: {c:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Priorities: 500 `low` requests in flight and a worker that runs two at once; a `high`
/// request starts once a running task ends, not after the flood. `reserve = 2` keeps two
/// of the group's 600 permits for `high`.
#[tokio::test(flavor = "multi_thread")]
async fn high_requests_start_before_a_flood_of_low() {
    let scene = Scene::new("prio", SHARED);
    let gateway = scene.start("gateway");
    let _worker = scene.start("worker");
    let flood = spawn_calls(&gateway.base, "/probe/low?ms=20", "low", 500);
    started(&scene, 4).await;
    let asked = Instant::now();
    let urgent = call(&gateway.base, "/probe/high?ms=1", "high-1").await;
    let waited = asked.elapsed();
    assert_eq!(urgent.status, 200, "{urgent:?}");
    eprintln!("measured: a high request waited {waited:?} behind 500 low");
    let flood = join(flood).await;
    let flood_took = asked.elapsed();
    assert!(
        waited < Duration::from_millis(1500) && waited * 3 < flood_took,
        "the high request waited {waited:?}; the flood took {flood_took:?}"
    );
    for c in &flood {
        assert_eq!(c.status, 200, "{c:?}");
    }
    Outcome {
        calls: &flood,
        history: &scene.history(),
    }
    .check(Rules {
        limit: Some((&["low", "high"], 2)),
        at_most_once: false,
    });
}

/// `reserve`: a flood of `low` stops two permits short of the limit; `high` still gets in.
#[tokio::test(flavor = "multi_thread")]
async fn low_requests_leave_the_reserve_to_high() {
    let scene = Scene::new("reserve", SHARED);
    let redis = flyer_tests::shared_redis().await;
    let gateway = scene.start("gateway");
    // No worker: admitted requests wait, holding their permits.
    let flood = spawn_calls(&gateway.base, "/probe/low?ms=1", "low", 600);
    let leases = format!("{{flyer:{}:q:g:prio}}:leases", scene.ns);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let held: u64 = redis.zcard(&leases).await.unwrap();
        if held >= 598 {
            assert_eq!(held, 598, "low took reserved permits");
            break;
        }
        assert!(Instant::now() < deadline, "only {held} admitted");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let refused = call(&gateway.base, "/probe/low?ms=1", "more-low").await;
    assert_eq!((refused.status, refused.code), (503, 50300), "{refused:?}");
    let high = {
        let base = gateway.base.clone();
        tokio::spawn(async move { call(&base, "/probe/high?ms=1", "high-reserved").await })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    let _worker = scene.start("worker");
    assert_eq!(high.await.unwrap().status, 200);
    let flood = join(flood).await;
    let admitted = flood.iter().filter(|c| c.status == 200).count();
    assert!(
        admitted <= 598,
        "{admitted} low admitted; the reserve is 2 of 600"
    );
}
