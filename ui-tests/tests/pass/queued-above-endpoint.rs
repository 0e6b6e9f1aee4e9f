//! `#[queued]` and `#[rate_limit]` may be written above or below `#[endpoint]`.
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

fn main() {}
