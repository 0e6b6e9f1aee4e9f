//! Helpers shared by flyer's integration tests: HTTP calls that return what a client
//! sees, parsed.

mod cluster;
mod history;
mod proxy;

pub use cluster::PrivateCluster;
pub use history::{History, Run};
pub use proxy::Proxy;
use reqwest::header::HeaderMap;
use serde_json::Value;

/// What came back from one HTTP call.
#[derive(Debug)]
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// The response headers.
    pub headers: HeaderMap,
    /// The body, parsed as JSON (`Value::Null` when it is not JSON).
    pub json: Value,
    /// The body as text.
    pub text: String,
}

impl Answer {
    /// A header's value as text (empty when absent).
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

async fn answer(resp: reqwest::Response) -> Answer {
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await.expect("read the body");
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer {
        status,
        headers,
        json,
        text,
    }
}

/// Sends `req` and reads the answer.
pub async fn send(req: reqwest::RequestBuilder) -> Answer {
    answer(req.send().await.expect("the server answers")).await
}

/// `GET url`.
pub async fn get(url: &str) -> Answer {
    send(reqwest::Client::new().get(url)).await
}

/// `POST url` with a JSON body.
pub async fn post_json(url: &str, body: &Value) -> Answer {
    send(reqwest::Client::new().post(url).json(body)).await
}

/// Today's date in UTC, `YYYY-MM-DD`, as log files and timestamps write it.
pub fn today_utc() -> String {
    humantime::format_rfc3339(std::time::SystemTime::now()).to_string()[..10].to_owned()
}

/// A running `flyer-probe` (a gateway, a worker, or both), killed when dropped.
pub struct Probe {
    child: std::process::Child,
    /// `http://127.0.0.1:PORT/flyer/v1`.
    pub base: String,
}

/// `GET url` over a plain socket, for code that cannot await: the status and the body.
pub fn blocking_get(url: &str) -> Option<(u16, String)> {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://")?;
    let (host, path) = rest.split_at(rest.find('/')?);
    let mut stream = std::net::TcpStream::connect(host).ok()?;
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n").ok()?;
    let mut text = String::new();
    stream.read_to_string(&mut text).ok()?;
    let status = text.split_whitespace().nth(1)?.parse().ok()?;
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_owned())?;
    Some((status, body))
}

impl Probe {
    /// Starts the probe binary `exe` as `role` on `redis_url`, keys under `namespace`.
    pub fn start(exe: &str, role: &str, redis_url: &str, namespace: &str) -> Self {
        Self::start_with(exe, role, redis_url, namespace, &[])
    }

    /// [`Probe::start`], with more variables; returns once it admits requests (a queue
    /// group warms up for a lease period the first time it is used).
    pub fn start_with(
        exe: &str,
        role: &str,
        redis_url: &str,
        namespace: &str,
        env: &[(&str, &str)],
    ) -> Self {
        use std::io::{BufRead, BufReader};
        let mut command = std::process::Command::new(exe);
        command
            .env_remove("RUST_LOG")
            .env("flyer_host", "127.0.0.1")
            .env("flyer_port", "0")
            .env("flyer_access_log", "0")
            .env("flyer_queue_backend", "redis")
            .env("flyer_redis_url", redis_url)
            .env("flyer_queue_namespace", namespace)
            .env("flyer_role", role);
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::inherit())
            .spawn()
            .expect("start flyer-probe");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let base = loop {
            let line = lines
                .next()
                .expect("flyer-probe exited before listening")
                .expect("read stdout");
            if let Some(at) = line.find("listening on http://") {
                break line[at + "listening on ".len()..]
                    .split_whitespace()
                    .next()
                    .unwrap()
                    .to_owned();
            }
        };
        // Its log, for a test being debugged: FLYER_TEST_VERBOSE=1.
        let verbose = std::env::var_os("FLYER_TEST_VERBOSE").is_some();
        let pid = child.id();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                if verbose {
                    eprintln!("[probe {pid}] {line}");
                }
            }
        });
        let probe = Probe { child, base };
        if role != "worker" {
            probe.wait_admitting();
        }
        probe
    }

    /// Waits until a queued route admits (its group's state has warmed up).
    pub fn wait_admitting(&self) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
        loop {
            match blocking_get(&format!("{}/probe/quick", self.base)) {
                Some((503, body)) if body.contains("being rebuilt") => {}
                Some(_) => return,
                None => {}
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the probe at {} never admitted a queued request",
                self.base
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends `signal` (`TERM`, `STOP`, `CONT`, ...) with kill(1).
    pub fn signal(&self, signal: &str) {
        let sent = std::process::Command::new("kill")
            .args([&format!("-{signal}"), &self.pid().to_string()])
            .status()
            .expect("run kill");
        assert!(sent.success(), "kill -{signal} {}", self.pid());
    }

    /// Waits for the process to exit (after SIGTERM, say); its exit status.
    pub fn wait(&mut self) -> std::process::ExitStatus {
        self.child.wait().expect("wait for flyer-probe")
    }

    /// SIGKILL: no chance to clean up.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Probe {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A private `redis-server` on a free port, for tests that stop and restart it (the
/// shared one on 6379 is never stopped).
pub struct PrivateRedis {
    child: Option<std::process::Child>,
    /// Its port.
    pub port: u16,
    /// More arguments of `redis-server` (`--maxmemory 4mb`, ...).
    args: Vec<String>,
}

impl PrivateRedis {
    /// Starts one; fails naming `redis-server` when it cannot.
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    /// [`PrivateRedis::start`], with more arguments of `redis-server`.
    pub fn start_with(args: &[&str]) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut redis = PrivateRedis {
            child: None,
            port,
            args: args.iter().map(|a| (*a).to_owned()).collect(),
        };
        redis.resume();
        redis
    }

    /// `redis://127.0.0.1:PORT/0`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    /// Stops it (SIGKILL).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port.
    pub fn resume(&mut self) {
        let child = std::process::Command::new("redis-server")
            .args([
                "--port",
                &self.port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .args(&self.args)
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("redis-server is not installed: apt-get install redis-server");
        self.child = Some(child);
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("redis-server did not start on port {}", self.port);
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A client of the shared Redis at 127.0.0.1:6379; fails naming it when it is down.
pub async fn shared_redis() -> fred::clients::Client {
    redis_client("redis://127.0.0.1:6379/0").await.unwrap_or_else(|e| {
        panic!(
            "Redis at 127.0.0.1:6379 does not answer ({e}); start it with: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save \"\" --appendonly no"
        )
    })
}

/// A connected client of `url`.
pub async fn redis_client(url: &str) -> Result<fred::clients::Client, fred::error::Error> {
    use fred::interfaces::ClientLike;
    let config = fred::types::config::Config::from_url(url)?;
    let client = fred::types::Builder::from_config(config).build()?;
    client.init().await?;
    Ok(client)
}
