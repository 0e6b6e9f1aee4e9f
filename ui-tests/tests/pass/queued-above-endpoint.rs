//! `#[queued]` and `#[rate_limit]` may be written above or below `#[endpoint]`; every key
//! of `#[queued]`.
use flyer_runtime::prelude::*;

#[queued(limit = 2, timeout = "1s", concurrency = 1)]
#[endpoint(GET, "/above")]
async fn above() -> u32 {
    1
}

#[endpoint(GET, "/below")]
#[queued(limit = 2, at_most_once)]
#[rate_limit(rate = "10/s", burst = 20, key = "header:X-Api-Key")]
fn below(n: Query<u32>) -> u32 {
    n.0
}

/// Two routes of one queue group, at two priorities.
#[endpoint(GET, "/urgent")]
#[queued(group = "reports", limit = 4, concurrency = 2, reserve = 1, priority = "high")]
async fn urgent() -> u32 {
    2
}

#[queued(group = "reports", limit = 4, concurrency = 2, reserve = 1, priority = "low")]
#[endpoint(GET, "/later")]
async fn later() -> u32 {
    3
}

fn main() {}
