//! What `#[queued]` and `#[rate_limit]` declare about a route, as the macro writes it: plain
//! values that the queue and the rate limiter read, and the spec documents.

use std::time::Duration;

/// The `#[queued]` and `#[rate_limit]` of one route.
#[doc(hidden)]
pub struct Controls {
    /// `METHOD /path/{template}`: what the limits are keyed by, never the concrete URL.
    pub route: &'static str,
    pub queue: Option<QueueSpec>,
    pub rate_limit: Option<RateLimitSpec>,
}

/// `#[queued(limit = N, timeout = "10s", concurrency = M, at_most_once, priority = "high",
/// group = "g", reserve = k)]`.
#[doc(hidden)]
pub struct QueueSpec {
    pub limit: u32,
    pub timeout_ms: Option<u64>,
    pub concurrency: Option<u32>,
    pub at_most_once: bool,
    pub priority: Priority,
    /// The group whose permits the route shares; `None`: a group of its own.
    pub group: Option<&'static str>,
    /// Permits of the group only `high` requests may take.
    pub reserve: u32,
}

/// The level a route's requests start at among those of its group: waiting `high` ones
/// start first, then `normal`, then `low`.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Priority {
    High,
    Normal,
    Low,
}

impl Priority {
    /// `high`, `normal` or `low`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Priority::High => "high",
            Priority::Normal => "normal",
            Priority::Low => "low",
        }
    }

    /// Its position in [`Priority::ALL`].
    pub(crate) fn rank(self) -> usize {
        self as usize
    }
}

impl QueueSpec {
    /// The route's own timeout, or `default` (`flyer_queue_timeout`).
    pub(crate) fn timeout_or(&self, default: Duration) -> Duration {
        self.timeout_ms.map_or(default, Duration::from_millis)
    }
}

/// `#[rate_limit(rate = "100/s", burst = 200, key = "ip")]`.
#[doc(hidden)]
pub struct RateLimitSpec {
    /// Requests per `period_ms`.
    pub count: u32,
    pub period_ms: u64,
    pub burst: u32,
    pub key: RateKey,
}

impl RateLimitSpec {
    /// Time between two requests at the sustained rate.
    pub(crate) fn emission(&self) -> Duration {
        Duration::from_millis(self.period_ms) / self.count
    }
}

/// Whom a rate limit counts.
#[doc(hidden)]
pub enum RateKey {
    /// Every request of the route together.
    Global,
    /// Each client IP (through trusted proxies only).
    Ip,
    /// Each value of this (lower-case) header.
    Header(&'static str),
}

/// The routes among `controls` that declare a queue, with their declaration.
pub(crate) fn queues<'a>(
    controls: &'a [&'static Controls],
) -> impl Iterator<Item = (&'static str, &'static QueueSpec)> + 'a {
    controls
        .iter()
        .filter_map(|c| c.queue.as_ref().map(|q| (c.route, q)))
}

/// The routes among `controls` that declare a rate limit, with their declaration.
pub(crate) fn rate_limits<'a>(
    controls: &'a [&'static Controls],
) -> impl Iterator<Item = (&'static str, &'static RateLimitSpec)> + 'a {
    controls
        .iter()
        .filter_map(|c| c.rate_limit.as_ref().map(|r| (c.route, r)))
}
