//! README.md tells the truth: its Rust examples are compiled (doc tests of flyer-runtime)
//! or are excerpts of the demo's own files, and every `curl` answer it shows is what the
//! demo answers.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

const README: &str = include_str!("../../../README.md");

/// The fenced blocks of the README: (info string, content). A block inside a list item
/// is indented with it: that indentation is not part of its content.
fn blocks() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut open: Option<(usize, String, String)> = None;
    for line in README.lines() {
        let fence = line.trim_start();
        let indent = line.len() - fence.len();
        match (&mut open, fence.strip_prefix("```")) {
            (None, Some(info)) => open = Some((indent, info.trim().to_owned(), String::new())),
            (Some(_), Some(_)) => {
                let (_, info, body) = open.take().unwrap();
                out.push((info, body));
            }
            (Some((width, _, body)), None) => {
                body.push_str(&line[indent.min(*width)..]);
                body.push('\n');
            }
            (None, None) => {}
        }
    }
    out
}

/// Every Rust block is compiled (`rust`, `rust,no_run`: flyer-runtime's doc tests) or is
/// an excerpt of a file, `// excerpt: path` on its first line: each part between `// ...`
/// lines is in that file, in order.
#[test]
fn rust_examples_are_compiled_or_excerpts() {
    let rust: Vec<_> = blocks()
        .into_iter()
        .filter(|(info, _)| info.starts_with("rust"))
        .collect();
    assert!(rust.len() >= 4, "{rust:?}");
    for (info, body) in rust {
        match info.as_str() {
            "rust" | "rust,no_run" => continue,
            "rust,ignore" => {}
            other => panic!("a README block is `{other}`: make it compiled or an excerpt"),
        }
        let (first, rest) = body.split_once('\n').unwrap();
        let path = first
            .strip_prefix("// excerpt: ")
            .unwrap_or_else(|| panic!("a `rust,ignore` block is not an excerpt:\n{body}"));
        let file = std::fs::read_to_string(format!("{}/../../{path}", env!("CARGO_MANIFEST_DIR")))
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        let mut from = 0;
        for part in rest.split("// ...\n").filter(|p| !p.trim().is_empty()) {
            let at = file[from..]
                .find(part)
                .unwrap_or_else(|| panic!("README's excerpt of {path} differs from it:\n{part}"));
            from += at + part.len();
        }
    }
}

/// A `$ curl ...` line of the README, as a request.
struct Curl {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    body: Option<String>,
}

/// The words of a shell line: single quotes group, as the README writes them.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in line.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                any = true;
            }
            ' ' if !quoted => {
                if any {
                    out.push(std::mem::take(&mut word));
                    any = false;
                }
            }
            c => {
                word.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(word);
    }
    out
}

fn curl(line: &str) -> Curl {
    let mut words = words(line).into_iter().skip(1);
    let mut curl = Curl {
        method: "GET".to_owned(),
        url: String::new(),
        headers: Vec::new(),
        body: None,
    };
    while let Some(word) = words.next() {
        match word.as_str() {
            "-s" => {}
            "-X" => curl.method = words.next().unwrap(),
            "-H" => {
                let header = words.next().unwrap();
                let (k, v) = header.split_once(':').unwrap();
                curl.headers
                    .push((k.trim().to_owned(), v.trim().to_owned()));
            }
            "-d" => {
                curl.body = words.next();
                if curl.method == "GET" {
                    curl.method = "POST".to_owned();
                }
            }
            url if !url.starts_with('-') => curl.url = url.to_owned(),
            other => panic!("the README's curl uses {other}: teach this test"),
        }
    }
    curl
}

/// The README's `$ curl` lines with the answer shown under each, in order.
fn exchanges() -> Vec<(Curl, String)> {
    let mut out = Vec::new();
    for (info, body) in blocks() {
        if info != "sh" {
            continue;
        }
        let mut lines = body.lines().peekable();
        while let Some(line) = lines.next() {
            if let Some(command) = line.strip_prefix("$ ").filter(|c| c.starts_with("curl ")) {
                let answer = lines.next().expect("an answer under the curl line");
                out.push((curl(command), answer.to_owned()));
            }
        }
    }
    out
}

/// `want` matches `got`: the same JSON, where the string `"..."` stands for any string.
fn matches(want: &Value, got: &Value) -> bool {
    match (want, got) {
        (Value::String(w), Value::String(_)) if w == "..." => true,
        (Value::Object(w), Value::Object(g)) => {
            w.len() == g.len()
                && w.iter()
                    .all(|(k, v)| g.get(k).is_some_and(|g| matches(v, g)))
        }
        (Value::Array(w), Value::Array(g)) => {
            w.len() == g.len() && w.iter().zip(g).all(|(w, g)| matches(w, g))
        }
        (w, g) => w == g,
    }
}

/// The demo binary on a free port, in a scratch directory; killed when dropped.
struct Demo(Child, String);

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_demo(dir: &std::path::Path) -> Demo {
    let mut child = Command::new(env!("CARGO_BIN_EXE_flyer-demo"))
        .current_dir(dir)
        .env_remove("RUST_LOG")
        .env("flyer_host", "127.0.0.1")
        .env("flyer_port", "0")
        .env("flyer_access_log", "0")
        .stdout(Stdio::piped())
        .spawn()
        .expect("start flyer-demo");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().expect("the demo exited").unwrap();
        if let Some(at) = line.find("listening on http://") {
            let rest = &line[at + "listening on http://".len()..];
            break rest.split('/').next().unwrap().to_owned();
        }
    };
    std::thread::spawn(move || lines.for_each(drop));
    Demo(child, addr)
}

#[tokio::test]
async fn curl_answers_are_the_demos() {
    let dir = tempfile::tempdir().unwrap();
    let demo = start_demo(dir.path());
    let client = reqwest::Client::new();
    // The database is migrated in the background: wait until it is ready.
    for _ in 0..100 {
        let ready = client
            .get(format!("http://{}/flyer/v1/ready", demo.1))
            .send()
            .await;
        if ready.is_ok_and(|r| r.status() == 200) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let exchanges = exchanges();
    assert!(
        exchanges.len() >= 5,
        "the README shows fewer curl calls than expected"
    );
    for (curl, answer) in exchanges {
        let url = format!("http://{}", curl.url.replacen("localhost:8080", &demo.1, 1));
        let method = curl.method.parse().unwrap();
        let mut req = client.request(method, &url);
        for (k, v) in &curl.headers {
            req = req.header(k, v);
        }
        if let Some(body) = curl.body {
            req = req.body(body);
        }
        let got: Value = req.send().await.unwrap().json().await.unwrap();
        let want: Value = serde_json::from_str(&answer)
            .unwrap_or_else(|e| panic!("the README's answer is not JSON ({e}): {answer}"));
        assert!(
            matches(&want, &got),
            "{} {url}\n README: {want}\n demo:   {got}",
            curl.method
        );
    }
}
