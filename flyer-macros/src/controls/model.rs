//! What validation makes of `#[queued]` and `#[rate_limit]`: the values the expansion
//! writes into the route's static.

use crate::values::{Priority, RateKey};

pub(crate) struct Queued {
    pub(crate) limit: u32,
    pub(crate) timeout_ms: Option<u64>,
    pub(crate) concurrency: Option<u32>,
    pub(crate) at_most_once: bool,
    pub(crate) priority: Priority,
    /// The group whose permits it shares; `None`: its own.
    pub(crate) group: Option<String>,
    /// Permits of the group kept for `high`.
    pub(crate) reserve: u32,
}

pub(crate) struct RateLimit {
    /// Requests per `period_ms`.
    pub(crate) count: u32,
    pub(crate) period_ms: u64,
    pub(crate) burst: u32,
    pub(crate) key: RateKey,
}
