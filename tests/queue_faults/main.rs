//! Fault injection on the Redis queue, with real gateway, worker and `all` processes of
//! the probe binary and a real Redis: the shared one where nothing is stopped, a private
//! one (or a private three-master cluster) where it is. Every handler of the probe writes
//! its start and end to a history file, never to the Redis being faulted; each scenario
//! ends with the checks of [`Outcome::check`]: at no instant more than `limit` handlers ran
//! (when every process stayed responsive), every admitted request got its answer from a
//! run that ended, each ran at least once (at most once with `at_most_once`), and nothing
//! started after its client was told 50400.

mod deploys;
mod findings;
mod redis_faults;

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use flyer_tests::{History, Probe};

pub(crate) const PROBE: &str = env!("CARGO_BIN_EXE_flyer-probe");
pub(crate) const SHARED: &str = "redis://127.0.0.1:6379/0";

pub(crate) fn unique(what: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{what}-{}-{nanos}", std::process::id())
}

pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// A scenario's processes share a namespace and a history file.
pub(crate) struct Scene {
    pub(crate) ns: String,
    pub(crate) redis: String,
    pub(crate) history: PathBuf,
    _dir: tempfile::TempDir,
}

impl Scene {
    pub(crate) fn new(name: &str, redis: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        Scene {
            ns: unique(name),
            redis: redis.to_owned(),
            history: dir.path().join("history"),
            _dir: dir,
        }
    }

    /// Starts a probe as `role`, writing to the scene's history.
    pub(crate) fn start(&self, role: &str) -> Probe {
        self.start_with(role, &[])
    }

    pub(crate) fn start_with(&self, role: &str, env: &[(&str, &str)]) -> Probe {
        let history = self.history.to_str().unwrap().to_owned();
        let mut vars = vec![("flyer_probe_history", history.as_str())];
        vars.extend_from_slice(env);
        let probe = Probe::start_with(PROBE, role, &self.redis, &self.ns, &vars);
        if role != "worker" {
            self.wait_warm();
        }
        probe
    }

    /// Waits until every queue group of the probe has warmed up (on a cluster, groups on
    /// different nodes start at different times).
    pub(crate) fn wait_warm(&self) {
        const GROUPS: &[&str] = &[
            "r:GET /probe/record",
            "r:GET /probe/record-once",
            "r:GET /probe/serial",
            "r:GET /probe/sleep-fn",
            "r:GET /probe/spin",
            "r:GET /probe/many",
            "r:GET /probe/quick",
            "g:prio",
        ];
        // Called from the tests' runtime, by code that does not await.
        tokio::task::block_in_place(|| {
            tokio::runtime::Handle::current().block_on(async {
                let redis = flyer_tests::redis_client(&self.redis).await.unwrap();
                let deadline = std::time::Instant::now() + Duration::from_secs(20);
                for group in GROUPS {
                    let key = format!("{{flyer:{}:q:{group}}}:epoch", self.ns);
                    loop {
                        let epoch: Option<String> =
                            fred::interfaces::KeysInterface::get(&redis, &key)
                                .await
                                .unwrap_or(None);
                        let warm = epoch.as_deref() == Some("ready")
                            || epoch.as_deref().is_some_and(|e| {
                                e.strip_prefix("warming:")
                                    .and_then(|t| t.parse::<u64>().ok())
                                    .is_some_and(|until| until + 100 < now_ms())
                            });
                        if warm {
                            break;
                        }
                        assert!(
                            std::time::Instant::now() < deadline,
                            "{key} never warmed up"
                        );
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                }
            })
        });
    }

    pub(crate) fn history(&self) -> History {
        History::read(&self.history)
    }
}

/// What a client got.
#[derive(Clone, Debug)]
pub(crate) struct Call {
    pub(crate) request: String,
    pub(crate) status: u16,
    pub(crate) code: i64,
    pub(crate) msg: String,
    /// The pid that ran it, for a success.
    pub(crate) pid: Option<u32>,
    /// When the answer came, unix ms.
    pub(crate) answered: u64,
}

/// `GET {base}{path}` as request `request` (its `X-Request-ID`).
pub(crate) async fn call(base: &str, path: &str, request: &str) -> Call {
    let resp = reqwest::Client::new()
        .get(format!("{base}{path}"))
        .header("x-request-id", request)
        .timeout(Duration::from_secs(90))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{request}: no answer: {e}"));
    let status = resp.status().as_u16();
    let json: serde_json::Value = resp.json().await.unwrap_or_default();
    Call {
        request: request.to_owned(),
        status,
        code: json["code"].as_i64().unwrap_or(0),
        msg: json["msg"].as_str().unwrap_or("").to_owned(),
        pid: json["data"].as_u64().map(|p| p as u32),
        answered: now_ms(),
    }
}

/// `n` concurrent calls of `path`, request ids `{prefix}-{i}`.
pub(crate) fn spawn_calls(
    base: &str,
    path: &str,
    prefix: &str,
    n: usize,
) -> Vec<tokio::task::JoinHandle<Call>> {
    (0..n)
        .map(|i| {
            let (base, path, request) = (base.to_owned(), path.to_owned(), format!("{prefix}-{i}"));
            tokio::spawn(async move { call(&base, &path, &request).await })
        })
        .collect()
}

pub(crate) async fn join(calls: Vec<tokio::task::JoinHandle<Call>>) -> Vec<Call> {
    let mut out = Vec::new();
    for c in calls {
        out.push(c.await.unwrap());
    }
    out
}

/// Waits until `n` runs of the history have started.
pub(crate) async fn started(scene: &Scene, n: usize) -> History {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let h = scene.history();
        if h.runs.len() >= n {
            return h;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "only {} of {n} runs started",
            h.runs.len()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The calls and the history of a scenario, checked together.
pub(crate) struct Outcome<'a> {
    pub(crate) calls: &'a [Call],
    pub(crate) history: &'a History,
}

/// How the checks judge a scenario.
pub(crate) struct Rules<'a> {
    /// The routes of one queue group, and its limit: checked when every process stayed
    /// responsive (`None`: a stall scenario, where a stalled run is fenced out instead).
    pub(crate) limit: Option<(&'a [&'a str], usize)>,
    pub(crate) at_most_once: bool,
}

impl Outcome<'_> {
    pub(crate) fn check(&self, rules: Rules<'_>) {
        let by_request = self.history.by_request();
        for call in self.calls {
            let runs = by_request
                .get(call.request.as_str())
                .cloned()
                .unwrap_or_default();
            match call.status {
                200 => {
                    assert!(
                        !runs.is_empty(),
                        "{} answered 200 but never ran",
                        call.request
                    );
                    let pid = call.pid.expect("a pid in a success");
                    assert!(
                        runs.iter().any(|r| r.pid == pid && r.end.is_some()),
                        "{} was answered by {pid}, whose run did not end: {runs:?}",
                        call.request
                    );
                }
                504 => {
                    for run in &runs {
                        assert!(
                            run.start <= call.answered,
                            "{} started after its client was told 50400: {runs:?}",
                            call.request
                        );
                    }
                }
                _ => {}
            }
            if rules.at_most_once {
                assert!(
                    runs.len() <= 1,
                    "{} ran {} times: {runs:?}",
                    call.request,
                    runs.len()
                );
            }
        }
        if let Some((routes, limit)) = rules.limit {
            let most = self.history.most_at_once(routes, now_ms());
            assert!(most <= limit, "{most} ran at once; the limit is {limit}");
        }
    }
}
