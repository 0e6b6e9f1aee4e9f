//! Stalls and slow handlers: a plain `fn` past its timeout (finding 1), a stalled worker
//! (finding 2), a handler that keeps its runtime busy (finding 2), tasks waiting for a
//! slot (finding 3), a killed worker's backlog (finding 5).

use std::time::{Duration, Instant};

use crate::{Outcome, Rules, SHARED, Scene, call, join, spawn_calls, started};

/// Finding 1: on a worker, a plain `fn` that overruns its timeout keeps its permit until
/// it returns, so the next request is refused rather than run beside it.
#[tokio::test(flavor = "multi_thread")]
async fn a_plain_fn_past_its_timeout_keeps_its_permit_on_a_worker() {
    let scene = Scene::new("fn-permit", SHARED);
    let gateway = scene.start("gateway");
    let _worker = scene.start("worker");
    let first = call(&gateway.base, "/probe/sleep-fn?ms=3500", "slow-1").await;
    assert_eq!(first.status, 504, "{first:?}");
    // The function still runs on the worker: its permit is still taken.
    let second = call(&gateway.base, "/probe/sleep-fn?ms=10", "slow-2").await;
    assert_eq!(
        second.status, 503,
        "the limit is 1 and the first still runs: {second:?}"
    );
    // Once it returned, the permit comes back.
    let deadline = Instant::now() + Duration::from_secs(10);
    let third = loop {
        let c = call(&gateway.base, "/probe/sleep-fn?ms=10", "slow-3").await;
        if c.status != 503 || Instant::now() > deadline {
            break c;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(third.status, 200, "{third:?}");
    let history = scene.history();
    Outcome {
        calls: &[first, second, third],
        history: &history,
    }
    .check(Rules {
        limit: Some((&["sleep-fn"], 1)),
        at_most_once: false,
    });
}

/// Finding 2: a worker stalled past its lease (SIGSTOP, 4 s) loses its task to another
/// worker; when it resumes it stops at its next await and publishes nothing: the caller
/// gets one answer, from the run that finished.
#[tokio::test(flavor = "multi_thread")]
async fn a_stalled_worker_loses_its_task_and_publishes_nothing() {
    let scene = Scene::new("stall", SHARED);
    let gateway = scene.start("gateway");
    let stalled = scene.start("worker");
    let caller = {
        let base = gateway.base.clone();
        tokio::spawn(async move { call(&base, "/probe/record?ms=6000", "stalled-1").await })
    };
    started(&scene, 1).await;
    let other = scene.start("worker");
    stalled.signal("STOP");
    tokio::time::sleep(Duration::from_secs(4)).await;
    stalled.signal("CONT");
    let answer = caller.await.unwrap();
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(
        answer.pid,
        Some(other.pid()),
        "answered by the run that took over"
    );
    // Give the stale run time to notice and stop (its next renewal, a second).
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let history = scene.history();
    let runs = history.of("stalled-1");
    if let [first, second, ..] = runs.as_slice() {
        eprintln!(
            "measured: a stalled worker's task restarted elsewhere {} ms after it started",
            second.start - first.start
        );
    }
    let stale: Vec<_> = runs.iter().filter(|r| r.pid == stalled.pid()).collect();
    assert_eq!(stale.len(), 1, "{runs:?}");
    assert!(
        stale[0].end.is_none(),
        "the stale run went on to the end: {runs:?}"
    );
    Outcome {
        calls: &[answer],
        history: &history,
    }
    .check(Rules {
        limit: None,
        at_most_once: false,
    });
}

/// Finding 2, at most once: the task of a stalled worker is not run again; its caller is
/// told the outcome is unknown, and the stalled run stops when it resumes.
#[tokio::test(flavor = "multi_thread")]
async fn a_stalled_at_most_once_task_is_not_run_again() {
    let scene = Scene::new("stall-once", SHARED);
    let gateway = scene.start("gateway");
    let stalled = scene.start("worker");
    let caller = {
        let base = gateway.base.clone();
        tokio::spawn(async move { call(&base, "/probe/record-once?ms=6000", "once-1").await })
    };
    started(&scene, 1).await;
    let _other = scene.start("worker");
    stalled.signal("STOP");
    tokio::time::sleep(Duration::from_secs(4)).await;
    stalled.signal("CONT");
    let answer = caller.await.unwrap();
    assert_eq!((answer.status, answer.code), (500, 50000), "{answer:?}");
    assert!(answer.msg.starts_with("outcome unknown"), "{answer:?}");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let history = scene.history();
    let runs = history.of("once-1");
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert!(runs[0].end.is_none(), "the stale run went on: {runs:?}");
    Outcome {
        calls: &[answer],
        history: &history,
    }
    .check(Rules {
        limit: None,
        at_most_once: true,
    });
}

/// Finding 2: a handler that keeps the worker's only runtime thread busy for 5 s does not
/// starve the renewal of its own task: no other worker claims it, it runs once.
#[tokio::test(flavor = "multi_thread")]
async fn a_busy_handler_does_not_lose_its_task() {
    let scene = Scene::new("busy", SHARED);
    let gateway = scene.start("gateway");
    let busy = scene.start_with("worker", &[("flyer_workers", "1")]);
    let caller = {
        let base = gateway.base.clone();
        tokio::spawn(async move { call(&base, "/probe/spin?ms=5000", "spin-1").await })
    };
    started(&scene, 1).await;
    let _other = scene.start("worker");
    let answer = caller.await.unwrap();
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.pid, Some(busy.pid()));
    let history = scene.history();
    assert_eq!(history.of("spin-1").len(), 1, "{:?}", history.of("spin-1"));
    Outcome {
        calls: &[answer],
        history: &history,
    }
    .check(Rules {
        limit: Some((&["spin"], 2)),
        at_most_once: false,
    });
}

/// Finding 3: tasks a worker holds while they wait for its one slot (longer than an entry
/// may stay untouched) are kept alive, so no other worker runs them too.
#[tokio::test(flavor = "multi_thread")]
async fn tasks_waiting_for_a_slot_are_not_run_twice() {
    let scene = Scene::new("waiting", SHARED);
    let gateway = scene.start("gateway");
    let _a = scene.start("worker");
    let _b = scene.start("worker");
    let calls = join(spawn_calls(
        &gateway.base,
        "/probe/serial?ms=1500",
        "serial",
        6,
    ))
    .await;
    for c in &calls {
        assert_eq!(c.status, 200, "{c:?}");
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
    Outcome {
        calls: &calls,
        history: &history,
    }
    .check(Rules {
        // One at a time per worker, two workers.
        limit: Some((&["serial"], 2)),
        at_most_once: false,
    });
}

/// Finding 5: 200 tasks in flight, one of the two workers killed mid-run: the other claims
/// the dead one's whole backlog in time, and every caller gets its answer.
#[tokio::test(flavor = "multi_thread")]
async fn a_killed_workers_backlog_is_claimed_in_time() {
    let scene = Scene::new("backlog", SHARED);
    let gateway = scene.start("gateway");
    let mut doomed = scene.start("worker");
    let _survivor = scene.start("worker");
    // Short tasks, a short timeout: the dead worker's backlog must be claimed at once,
    // not a few at a time.
    let calls = spawn_calls(&gateway.base, "/probe/many?ms=800", "many", 200);
    started(&scene, 100).await;
    doomed.kill();
    let killed = Instant::now();
    let calls = join(calls).await;
    eprintln!(
        "measured: 200 tasks answered {:?} after one of two workers was killed",
        killed.elapsed()
    );
    let failed: Vec<_> = calls.iter().filter(|c| c.status != 200).collect();
    assert!(
        failed.is_empty(),
        "{} of 200 callers were not answered 200: {:?}",
        failed.len(),
        failed.iter().take(3).collect::<Vec<_>>()
    );
    Outcome {
        calls: &calls,
        history: &scene.history(),
    }
    .check(Rules {
        limit: None,
        at_most_once: false,
    });
}
