//! Serving HTTP: the address, the path prefix, threads, connections, deadlines, bodies,
//! proxies and Basic auth.

use std::net::IpAddr;
use std::time::Duration;

use ipnet::IpNet;

use super::secret::{self, Secret};
use super::values::{self, FLAG, SECONDS};
use super::vars::{Reader, secret, settings, var};

settings! {
    HOST: IpAddr = var("flyer_host", "0.0.0.0", "IP address to listen on")
        .parsed("an IP address such as 0.0.0.0 or 127.0.0.1", values::ip);
    PORT: u16 = var("flyer_port", "8080", "TCP port to listen on (0 picks a free one)")
        .parsed("a port number from 0 to 65535", values::port);
    BASE_URL: String = var("flyer_base_url", "/flyer", "path every route lives under, before the version")
        .parsed("a path such as /flyer (letters, digits, - _ . ~ and /)", values::path_segments);
    VERSION: String = var(
        "flyer_version",
        "v1",
        "API version segment: routes live under {flyer_base_url}/{flyer_version}",
    )
    .parsed("one path segment such as v1", version);
    WORKERS: usize = var(
        "flyer_workers",
        "",
        "runtime worker threads (default: the CPUs available to the process, cgroup quota included)",
    )
    .parsed("a number of threads, 1 or more", workers);
    THREADS: usize = var("flyer_threads", "512", "most threads of the blocking pool, where plain-fn endpoints run")
        .parsed("a number of threads, 1 or more", values::count);
    WORKER_CONNECTIONS: usize = var(
        "flyer_worker_connections",
        "1000",
        "most connections served at once; the surplus waits in the listen backlog",
    )
    .parsed("a number of connections, 1 or more", values::count);
    TIMEOUT: Duration = var(
        "flyer_timeout",
        "60",
        "seconds a handler has to produce its response (50400 after); streams are not cut",
    )
    .parsed(SECONDS, values::positive_duration);
    HEADER_TIMEOUT: Duration = var(
        "flyer_header_timeout",
        "10",
        "seconds a client has to send a request's headers once it started (40800 after)",
    )
    .parsed(SECONDS, values::positive_duration);
    KEEPALIVE: Duration = var(
        "flyer_keepalive",
        "5",
        "seconds an idle keep-alive connection is kept open (0: one request per connection)",
    )
    .parsed(SECONDS, values::duration);
    GRACEFUL_TIMEOUT: Duration = var(
        "flyer_graceful_timeout",
        "10",
        "seconds in-flight requests get to finish after SIGTERM/SIGINT",
    )
    .parsed(SECONDS, values::duration);
    BODY_LIMIT: usize = var(
        "flyer_body_limit",
        "2MiB",
        "largest request body (41300 above): bytes, or with a unit (KiB, MiB, KB, MB)",
    )
    .parsed("a size in bytes, or with a unit: 2MiB, 512KB", values::positive_size);
    ERROR_STATUS: bool = var(
        "flyer_error_status",
        "",
        "200 answers every error envelope with HTTP 200 (Flyer's habit); unset: the code's status",
    )
    .parsed("200, or unset", error_status);
    TRUSTED_PROXIES: Vec<IpNet> = var(
        "flyer_trusted_proxies",
        "",
        "comma-separated IPs or CIDRs whose X-Forwarded-For is believed",
    )
    .parsed("comma-separated IP addresses or CIDRs (10.0.0.0/8, 127.0.0.1)", values::networks);
    AUTH_ENABLE: bool = var("flyer_auth_enable", "0", "HTTP Basic auth on every user route (1) or none (0)")
        .parsed(FLAG, values::flag);
    AUTH_USER: String = var("flyer_auth_user", "", "Basic auth user name").parsed("a user name", values::text);
    AUTH_PASS: Secret = secret("flyer_auth_pass", "Basic auth password").parsed("a password", secret::parse);
}

fn version(raw: &str) -> Option<String> {
    values::path_segments(raw)
        .filter(|v| v.matches('/').count() <= 1)
        .map(|v| v.trim_start_matches('/').to_owned())
}

fn workers(raw: &str) -> Option<usize> {
    if raw.is_empty() {
        // The CPUs this process may use: the affinity mask and the cgroup quota included.
        Some(std::thread::available_parallelism().map_or(1, |n| n.get()))
    } else {
        values::count(raw)
    }
}

fn error_status(raw: &str) -> Option<bool> {
    match raw {
        "" => Some(false),
        "200" => Some(true),
        _ => None,
    }
}

/// Basic auth credentials (`flyer_auth_*`).
#[derive(Clone, Debug)]
pub struct BasicAuth {
    /// `flyer_auth_user`.
    pub user: String,
    /// `flyer_auth_pass`.
    pub pass: Secret,
}

/// How HTTP is served.
#[derive(Clone, Debug)]
pub struct ServerSettings {
    /// `flyer_host`.
    pub host: IpAddr,
    /// `flyer_port`.
    pub port: u16,
    /// `flyer_base_url`, normalised: empty or `/segment...`, no trailing `/`.
    pub base_url: String,
    /// `flyer_version`.
    pub version: String,
    /// `flyer_workers`.
    pub workers: usize,
    /// `flyer_threads`.
    pub threads: usize,
    /// `flyer_worker_connections`.
    pub worker_connections: usize,
    /// `flyer_timeout`.
    pub timeout: Duration,
    /// `flyer_header_timeout`.
    pub header_timeout: Duration,
    /// `flyer_keepalive`; zero disables keep-alive.
    pub keepalive: Duration,
    /// `flyer_graceful_timeout`.
    pub graceful_timeout: Duration,
    /// `flyer_body_limit`, in bytes.
    pub body_limit: usize,
    /// `flyer_error_status=200`.
    pub error_status_200: bool,
    /// `flyer_trusted_proxies`.
    pub trusted_proxies: Vec<IpNet>,
    /// `flyer_auth_*`, when enabled.
    pub auth: Option<BasicAuth>,
}

/// Reads the group.
pub(super) fn read(r: &mut Reader<'_>) -> ServerSettings {
    let host = r.get(&HOST);
    let port = r.get(&PORT);
    let base_url = r.get(&BASE_URL);
    let version = r.get(&VERSION);
    let workers = r.get(&WORKERS);
    let threads = r.get(&THREADS);
    let worker_connections = r.get(&WORKER_CONNECTIONS);
    let timeout = r.get(&TIMEOUT);
    let header_timeout = r.get(&HEADER_TIMEOUT);
    let keepalive = r.get(&KEEPALIVE);
    let graceful_timeout = r.get(&GRACEFUL_TIMEOUT);
    let body_limit = r.get(&BODY_LIMIT);
    let error_status_200 = r.get(&ERROR_STATUS);
    let trusted_proxies = r.get(&TRUSTED_PROXIES);
    let auth_enable = r.get(&AUTH_ENABLE);
    let user = r.get(&AUTH_USER);
    let pass = r.get(&AUTH_PASS);
    let auth = if !auth_enable {
        None
    } else if user.is_empty() || pass.is_empty() || user.contains(':') {
        r.fail(
            &AUTH_USER.var,
            &user,
            "a user name without `:` and a flyer_auth_pass, since flyer_auth_enable=1",
        );
        None
    } else {
        Some(BasicAuth { user, pass })
    };
    ServerSettings {
        host,
        port,
        base_url,
        version,
        workers,
        threads,
        worker_connections,
        timeout,
        header_timeout,
        keepalive,
        graceful_timeout,
        body_limit,
        error_status_200,
        trusted_proxies,
        auth,
    }
}
