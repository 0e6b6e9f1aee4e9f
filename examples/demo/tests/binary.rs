//! The demo binary as an operator uses it: its subcommands, and serving through real HTTP.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

fn demo() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_flyer-demo"));
    cmd.env_remove("RUST_LOG");
    cmd
}

/// `GET url`, its body as JSON.
async fn get_json(client: &reqwest::Client, url: String) -> Value {
    client.get(url).send().await.unwrap().json().await.unwrap()
}

fn run(args: &[&str]) -> (bool, String, String) {
    let out = demo().args(args).output().expect("run flyer-demo");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The demo, serving on a free port; killed when dropped.
struct Served {
    child: Child,
    base: String,
    /// Every line the demo printed so far.
    output: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Served {
    fn start() -> Self {
        Self::start_with(&[], None)
    }

    /// Starts the demo with `vars` (and in `dir`, if given) and waits for its
    /// "listening on" line.
    fn start_with(vars: &[(&str, &str)], dir: Option<&std::path::Path>) -> Self {
        let mut cmd = demo();
        cmd.env("flyer_host", "127.0.0.1").env("flyer_port", "0");
        for (k, v) in vars {
            cmd.env(k, v);
        }
        if let Some(dir) = dir {
            cmd.current_dir(dir);
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start flyer-demo");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let output = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let base = loop {
            let line = lines
                .next()
                .expect("flyer-demo exited before listening")
                .expect("read stdout");
            output.lock().unwrap().push(line.clone());
            if let Some(at) = line.find("listening on http://") {
                let url = &line[at + "listening on ".len()..];
                break url.split_whitespace().next().unwrap().to_owned();
            }
        };
        // Keep draining the log so the server never blocks on a full pipe.
        let sink = output.clone();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        Served {
            child,
            base,
            output,
        }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn routes_lists_method_path_function_tags_and_location() {
    let (ok, out, err) = run(&["routes"]);
    assert!(ok, "{err}");
    let line = |path: &str| {
        out.lines()
            .find(|l| l.split_whitespace().nth(1) == Some(path))
            .unwrap_or_else(|| panic!("{path} missing from:\n{out}"))
            .split_whitespace()
            .collect::<Vec<_>>()
    };
    assert_eq!(
        line("/flyer/v1/demo"),
        [
            "POST",
            "/flyer/v1/demo",
            "flyer_demo::demo",
            "demo",
            "examples/demo/src/lib.rs:22"
        ]
    );
    assert_eq!(line("/flyer/v1/sum/{n}")[2], "flyer_demo::sum");
    assert_eq!(line("/flyer/v1/health_check")[3], "health");
    assert_eq!(line("/flyer/v1/docs")[0], "GET");
}

/// The spec the demo prints equals the checked-in golden file. After an intended change,
/// regenerate it with `cargo run -p flyer-demo -- openapi > examples/demo/openapi.json`.
#[test]
fn openapi_matches_the_golden_file() {
    let (ok, out, err) = run(&["openapi"]);
    assert!(ok, "{err}");
    let golden = include_str!("../openapi.json");
    assert!(
        out == golden,
        "the demo's spec changed; if intended, run `cargo run -p flyer-demo -- openapi > examples/demo/openapi.json`"
    );
    let spec: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(spec["info"]["title"], "flyer-demo");
    assert_eq!(spec["info"]["version"], env!("CARGO_PKG_VERSION"));
}

#[test]
fn openapi_yaml() {
    let (ok, out, err) = run(&["openapi", "--yaml"]);
    assert!(ok, "{err}");
    assert!(out.starts_with("openapi: 3.0.0"), "{out}");
    assert!(out.contains("/flyer/v1/demo:"), "{out}");
}

#[test]
fn help_names_the_commands() {
    let (ok, out, _) = run(&["--help"]);
    assert!(ok);
    for word in ["routes", "openapi", "serve", "flyer-demo"] {
        assert!(out.contains(word), "{word} missing from --help:\n{out}");
    }
    let (ok, _, err) = run(&["frobnicate"]);
    assert!(!ok);
    assert!(err.contains("frobnicate"), "{err}");
}

#[test]
fn a_bad_setting_stops_start_up_naming_it() {
    let out = demo()
        .env("flyer_port", "eighty")
        .output()
        .expect("run flyer-demo");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("flyer_port") && err.contains("eighty"),
        "{err}"
    );
}

#[tokio::test]
async fn serves_the_demo_over_http() {
    let served = Served::start();
    let base = &served.base;
    assert!(base.ends_with("/flyer/v1"), "{base}");
    let client = reqwest::Client::new();

    let health: Value = get_json(&client, format!("{base}/health_check")).await;
    assert_eq!(health["code"], 200);
    assert_eq!(health["msg"], "success");

    let resp = client
        .post(format!("{base}/demo"))
        .json(&json!({"msgContent": "flyer"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["data"], "Hello flyer!");

    let resp = client
        .post(format!("{base}/demo"))
        .json(&json!({"msgContent": "x".repeat(65)}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["code"], 40000);

    let resp = client
        .get(format!("{base}/items/404"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    let resp = client
        .get(format!("{base}/items/3"))
        .header("accept-language", "fr")
        .send()
        .await
        .unwrap();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        body["data"],
        json!({"id": 3, "name": "item 3", "lang": "fr"})
    );
    let body: Value = get_json(&client, format!("{base}/items?size=2&prefix=x")).await;
    assert_eq!(body["data"], json!(["x 1", "x 2"]));
    let body: Value = get_json(&client, format!("{base}/items")).await;
    assert_eq!(body["data"].as_array().unwrap().len(), 3, "default size");
    let body: Value = get_json(&client, format!("{base}/sum/100")).await;
    assert_eq!(body["data"], 5050);

    for page in ["docs", "redoc"] {
        let resp = client.get(format!("{base}/{page}")).send().await.unwrap();
        assert_eq!(resp.status(), 200, "{page}");
    }
    let served_spec = client
        .get(format!("{base}/openapi.json"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let (_, printed, _) = run(&["openapi"]);
    let served_spec: Value = serde_json::from_str(&served_spec).unwrap();
    let printed: Value = serde_json::from_str(&printed).unwrap();
    assert_eq!(served_spec, printed, "the served spec is the printed one");
}

#[test]
fn config_prints_every_setting_with_secrets_redacted() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".env"),
        "flyer_version=v9\nflyer_timeout=30\n",
    )
    .unwrap();
    let out = demo()
        .current_dir(dir.path())
        .args(["config"])
        .env("flyer_auth_enable", "1")
        .env("flyer_auth_user", "ops")
        .env("FLYER_AUTH_PASS", "hunter2")
        .env("flyer_timeout", "12")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("hunter2"), "{text}");
    assert!(
        text.contains("flyer_auth_pass=***  # environment"),
        "{text}"
    );
    assert!(text.contains("flyer_version=v9  # .env"), "{text}");
    assert!(
        text.contains("flyer_timeout=12  # environment"),
        "the environment wins over .env: {text}"
    );
    assert!(text.contains("flyer_port=8080  # default"), "{text}");
    for var in [
        "flyer_workers",
        "flyer_body_limit",
        "flyer_trusted_proxies",
        "flyer_access_logfile",
    ] {
        assert!(text.contains(&format!("{var}=")), "{var} missing: {text}");
    }
}

#[tokio::test]
async fn dotenv_settings_are_served() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".env"),
        "flyer_base_url=/ops\nflyer_version=v2\n",
    )
    .unwrap();
    let served = Served::start_with(&[], Some(dir.path()));
    assert!(served.base.ends_with("/ops/v2"), "{}", served.base);
    let resp = reqwest::get(format!("{}/health_check", served.base))
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}

#[test]
fn bad_values_stop_start_up() {
    for (var, value) in [
        ("flyer_timeout", "soon"),
        ("flyer_workers", "0"),
        ("flyer_error_status", "500"),
        ("flyer_log_level", "loud"),
    ] {
        let out = demo().env(var, value).output().unwrap();
        assert!(!out.status.success(), "{var}={value} was accepted");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(var) && err.contains(value), "{err}");
    }
    let out = demo()
        .env("flyer_auth_enable", "1")
        .env("flyer_auth_pass", "topsecret")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("flyer_auth_user"), "{err}");
    assert!(!err.contains("topsecret"), "{err}");
}

fn worker_threads(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/task"))
        .unwrap()
        .filter_map(|t| std::fs::read_to_string(t.unwrap().path().join("comm")).ok())
        .filter(|name| name.trim() == "flyer-worker")
        .count()
}

#[test]
fn workers_sets_the_runtime_threads() {
    for workers in ["1", "3"] {
        let served = Served::start_with(&[("flyer_workers", workers)], None);
        assert_eq!(worker_threads(served.pid()).to_string(), workers);
    }
}

#[tokio::test]
async fn threads_bounds_the_blocking_pool() {
    let served = Served::start_with(&[("flyer_threads", "1")], None);
    let client = reqwest::Client::new();
    let started = Instant::now();
    let calls = (0..3).map(|i| {
        let url = format!("{}/sync-test?x={}", served.base, 7 + i);
        let client = client.clone();
        async move { client.get(url).send().await.unwrap().status() }
    });
    let statuses = futures_util::future::join_all(calls).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    // Three 0.2 s blocking calls through one thread cannot overlap.
    assert!(
        started.elapsed() >= Duration::from_millis(550),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn log_level_filters_the_log_but_not_the_access_log() {
    let served = Served::start_with(&[("flyer_log_level", "debug")], None);
    reqwest::get(format!("{}/health_check", served.base))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let lines = served.output.lock().unwrap().join("\n");
    assert!(
        lines.contains("DEBUG") && lines.contains("connection opened"),
        "no debug line at flyer_log_level=debug:\n{lines}"
    );
    assert!(
        lines.contains("\"path\":\"/flyer/v1/health_check\""),
        "{lines}"
    );

    let served = Served::start_with(&[("flyer_log_level", "info")], None);
    reqwest::get(format!("{}/health_check", served.base))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let lines = served.output.lock().unwrap().join("\n");
    assert!(
        !lines.contains("DEBUG"),
        "debug line at flyer_log_level=info:\n{lines}"
    );
    assert!(
        lines.contains("\"path\":\"/flyer/v1/health_check\""),
        "{lines}"
    );
}

#[tokio::test]
async fn sigterm_lets_in_flight_requests_finish() {
    let mut served = Served::start_with(&[("flyer_graceful_timeout", "10")], None);
    let client = reqwest::Client::new();
    let calls: Vec<_> = (0..3)
        .map(|_| {
            let url = format!("{}/sleep?ms=1500", served.base);
            let client = client.clone();
            tokio::spawn(async move { client.get(url).send().await })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(400)).await;
    let sent = Instant::now();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &served.pid().to_string()])
        .status()
        .expect("run kill");
    assert!(killed.success(), "kill -TERM: {killed:?}");
    for call in calls {
        let resp = call.await.unwrap().expect("the request completed");
        assert_eq!(resp.status(), 200);
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["data"], 1500);
    }
    let status = loop {
        if let Some(status) = served.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            sent.elapsed() < Duration::from_secs(8),
            "still running after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
    assert!(
        reqwest::get(format!("{}/health_check", served.base))
            .await
            .is_err()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_queued_demo_route_refuses_beyond_its_limit() {
    // 16 blocking threads: requests admitted to /sync-test (0.2 s each) pile up, holding
    // their permits while they wait for a thread; the 320 admitted take 4 s to drain, so
    // the 400 requests arrive while the route is full even on a busy machine.
    let served = Served::start_with(
        &[("flyer_threads", "16"), ("flyer_queue_timeout", "30")],
        None,
    );
    let client = reqwest::Client::new();
    let calls: Vec<_> = (0..400)
        .map(|i| {
            let req = client.get(format!("{}/sync-test?x={i}", served.base));
            tokio::spawn(async move { req.send().await.unwrap() })
        })
        .collect();
    let (mut ok, mut refused) = (0, 0);
    for call in calls {
        let resp = call.await.unwrap();
        match resp.status().as_u16() {
            200 => ok += 1,
            503 => {
                refused += 1;
                assert_eq!(resp.headers()["retry-after"], "1");
                let body: Value = resp.json().await.unwrap();
                assert_eq!(body["code"], 50300);
            }
            other => panic!("unexpected status {other}"),
        }
    }
    assert!(refused >= 1, "nothing refused ({ok} admitted)");
    assert!(ok >= 320, "only {ok} admitted");
    assert_eq!(ok + refused, 400);
}

/// `migrate status|up|down|fresh` on a SQLite file, as an operator runs them.
#[test]
fn migrate_commands_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let migrate = |args: &[&str]| {
        let out = demo()
            .current_dir(dir.path())
            .env("flyer_db_name", "ops.db")
            .arg("migrate")
            .args(args)
            .output()
            .expect("run flyer-demo migrate");
        assert!(
            out.status.success(),
            "migrate {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let users = "m20250601_000001_create_users";
    assert_eq!(migrate(&["status"]), format!("pending  {users}\n"));
    assert_eq!(migrate(&["up"]), format!("applied  {users}\n"));
    assert_eq!(migrate(&["up"]), "nothing to do\n");
    assert_eq!(migrate(&["status"]), format!("applied  {users}\n"));
    assert_eq!(migrate(&["down"]), format!("rolled back  {users}\n"));
    assert_eq!(migrate(&["status"]), format!("pending  {users}\n"));
    assert_eq!(
        migrate(&["fresh"]),
        format!("dropped every table\napplied  {users}\n")
    );
    assert!(dir.path().join("ops.db").exists());

    let (ok, _, err) = run(&["migrate", "sideways"]);
    assert!(!ok && err.contains("sideways"), "{err}");
}

#[test]
fn a_bad_db_url_stops_start_up_without_the_password() {
    let out = demo()
        .env(
            "flyer_db_url",
            "postgres://app:hunter2@db.internal:notaport/app",
        )
        .output()
        .expect("run flyer-demo");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("flyer_db_url") && err.contains("invalid port"),
        "{err}"
    );
    assert!(!err.contains("hunter2"), "{err}");
}

/// With nothing set and no database server, the demo serves its users from `./flyer.db`,
/// created and migrated at start-up.
#[tokio::test]
async fn a_fresh_machine_serves_users_from_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start_with(&[], Some(dir.path()));
    let client = reqwest::Client::new();
    let mut ready = 0;
    for _ in 0..100 {
        ready = client
            .get(format!("{}/ready", served.base))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16();
        if ready == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(ready, 200, "never ready");
    let resp = client
        .post(format!("{}/users", served.base))
        .json(&json!({"name": "Ada", "email": "ada@example.com", "age": 36}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["data"]["name"], "Ada");
    let list: Value = get_json(&client, format!("{}/users", served.base)).await;
    assert_eq!(list["pagination"]["total"], 1, "{list}");
    assert!(dir.path().join("flyer.db").exists());
}

/// Everything the demo writes to stdout is one format: with stdout not a terminal, one
/// JSON object a line — the log and the access log alike.
#[tokio::test]
async fn stdout_is_one_format() {
    let served = Served::start_with(&[("flyer_log_level", "debug")], None);
    reqwest::get(format!("{}/health_check", served.base))
        .await
        .unwrap();
    reqwest::get(format!("{}/openapi.json", served.base))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let lines = served.output.lock().unwrap().clone();
    assert!(lines.len() >= 4, "{lines:?}");
    for line in &lines {
        let parsed: Result<Value, _> = serde_json::from_str(line);
        assert!(parsed.is_ok(), "not a JSON line: {line}");
    }
    let access = lines
        .iter()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|l| l.get("path").is_some())
        .count();
    assert_eq!(access, 2, "{lines:?}");

    let served = Served::start_with(&[("flyer_log_format", "text")], None);
    reqwest::get(format!("{}/health_check", served.base))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let lines = served.output.lock().unwrap().clone();
    assert!(
        lines
            .iter()
            .all(|l| serde_json::from_str::<Value>(l).is_err()),
        "{lines:?}"
    );
}

/// A registered migrator whose migrations have not run: `/ready` is not ready, naming
/// them, and the 50000 a missing table gives is logged with what to run.
#[tokio::test]
async fn pending_migrations_are_not_ready() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start_with(&[("flyer_db_migrate", "0")], Some(dir.path()));
    let client = reqwest::Client::new();
    let resp = client
        .get(format!("{}/ready", served.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 503);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["code"], 50300, "{body}");
    assert_eq!(body["data"]["database"], "1 pending migration", "{body}");
    assert!(
        body["msg"].as_str().unwrap().contains("migrate up"),
        "{body}"
    );

    let resp = client
        .get(format!("{}/users", served.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 500);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["msg"], "internal error", "nothing more for the client");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let log = served.output.lock().unwrap().join("\n");
    assert!(
        log.contains("no such table") && log.contains("migrate up"),
        "{log}"
    );

    let (ok, _, err) = {
        let out = demo()
            .current_dir(dir.path())
            .args(["migrate", "up"])
            .output()
            .unwrap();
        (
            out.status.success(),
            String::new(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    assert!(ok, "{err}");
    let resp = client
        .get(format!("{}/ready", served.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "ready once migrated");
}
