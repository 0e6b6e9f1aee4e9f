//! The demo binary as an operator uses it: its subcommands, and serving through real HTTP.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

fn demo() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_flyer-demo"));
    cmd.env_remove("RUST_LOG");
    cmd
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
}

impl Served {
    fn start() -> Self {
        let mut child = demo()
            .env("flyer_host", "127.0.0.1")
            .env("flyer_port", "0")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start flyer-demo");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let base = loop {
            let line = lines
                .next()
                .expect("flyer-demo exited before listening")
                .expect("read stdout");
            if let Some(at) = line.find("listening on http://") {
                let url = &line[at + "listening on ".len()..];
                break url.split_whitespace().next().unwrap().to_owned();
            }
        };
        // Keep draining the log so the server never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Served { child, base }
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

    let health: Value = client
        .get(format!("{base}/health_check"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
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
    let body: Value = client
        .get(format!("{base}/items?size=2&prefix=x"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["data"], json!(["x 1", "x 2"]));
    let body: Value = client
        .get(format!("{base}/items"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["data"].as_array().unwrap().len(), 3, "default size");
    let body: Value = client
        .get(format!("{base}/sum/100"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
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
