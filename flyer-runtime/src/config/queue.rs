//! The request queue of `#[queued]` routes: its backend and this instance's role.

use std::time::Duration;

use super::values::{self, SECONDS};
use super::vars::{Reader, settings, var};

settings! {
    BACKEND: QueueBackend = var(
        "flyer_queue_backend",
        "local",
        "local (limits per process) or redis (limits shared by every instance on the Redis)",
    )
    .parsed("local or redis", backend);
    ROLE: Role = var(
        "flyer_role",
        "all",
        "all (serve and execute), gateway (serve, admit, enqueue) or worker (execute queued routes)",
    )
    .parsed("all, gateway or worker", role);
    NAMESPACE: Option<String> = var(
        "flyer_queue_namespace",
        "",
        "prefix of the queue's Redis keys (default: the crate's name), so services can share a Redis",
    )
    .parsed("letters, digits, - _ . and :", namespace);
    RATE_LIMIT_FAIL: RateLimitFail = var(
        "flyer_rate_limit_fail",
        "open",
        "what a #[rate_limit] route does while its Redis is unreachable (backend redis): open (let requests through) or closed (50300)",
    )
    .parsed("open or closed", rate_limit_fail);
    TIMEOUT: Duration = var(
        "flyer_queue_timeout",
        "10",
        "seconds an admitted request of a #[queued] route has to be answered (50400 after), unless the route sets timeout",
    )
    .parsed(SECONDS, values::positive_duration);
}

/// `flyer_queue_backend`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueueBackend {
    /// Limits per process.
    Local,
    /// Limits shared through Redis.
    Redis,
}

/// `flyer_role`: what this instance does with `#[queued]` routes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Serves HTTP and executes.
    All,
    /// Serves HTTP, admits and enqueues; never executes queued routes.
    Gateway,
    /// Executes queued routes from Redis; serves only the health check over HTTP.
    Worker,
}

/// `flyer_rate_limit_fail`: what a shared rate limit does without its Redis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RateLimitFail {
    /// Requests go through (the route's queue, if any, still bounds them).
    Open,
    /// Requests are refused with 50300.
    Closed,
}

fn rate_limit_fail(raw: &str) -> Option<RateLimitFail> {
    match raw {
        "open" => Some(RateLimitFail::Open),
        "closed" => Some(RateLimitFail::Closed),
        _ => None,
    }
}

fn backend(raw: &str) -> Option<QueueBackend> {
    match raw {
        "local" => Some(QueueBackend::Local),
        "redis" => Some(QueueBackend::Redis),
        _ => None,
    }
}

fn role(raw: &str) -> Option<Role> {
    match raw {
        "all" => Some(Role::All),
        "gateway" => Some(Role::Gateway),
        "worker" => Some(Role::Worker),
        _ => None,
    }
}

fn namespace(raw: &str) -> Option<Option<String>> {
    raw.bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
        .then(|| (!raw.is_empty()).then(|| raw.to_owned()))
}

/// The queue of `#[queued]` routes.
#[derive(Clone, Debug)]
pub struct QueueSettings {
    /// `flyer_queue_backend`.
    pub backend: QueueBackend,
    /// `flyer_role`.
    pub role: Role,
    /// `flyer_queue_namespace`; `None`: the service's name.
    pub namespace: Option<String>,
    /// `flyer_queue_timeout`.
    pub timeout: Duration,
    /// `flyer_rate_limit_fail`.
    pub rate_limit_fail: RateLimitFail,
}

/// Reads the group; `has_redis` says whether a Redis is configured.
pub(super) fn read(r: &mut Reader<'_>, has_redis: bool) -> QueueSettings {
    let backend = r.get(&BACKEND);
    if backend == QueueBackend::Redis && !cfg!(feature = "queue-redis") {
        r.fail(
            &BACKEND.var,
            "redis",
            "local: this build has no Redis backend (flyer-runtime's `queue-redis` feature)",
        );
    } else if backend == QueueBackend::Redis && !has_redis {
        r.fail(
            &BACKEND.var,
            "redis",
            "a Redis to use: set flyer_redis_url or flyer_redis_host",
        );
    }
    let role = r.get(&ROLE);
    if role != Role::All && backend != QueueBackend::Redis {
        let raw = r.raw.last().map(|v| v.1.clone()).unwrap_or_default();
        r.fail(
            &ROLE.var,
            &raw,
            "all, unless flyer_queue_backend=redis (gateways and workers meet in Redis)",
        );
    }
    QueueSettings {
        backend,
        role,
        namespace: r.get(&NAMESPACE),
        rate_limit_fail: r.get(&RATE_LIMIT_FAIL),
        timeout: r.get(&TIMEOUT),
    }
}
