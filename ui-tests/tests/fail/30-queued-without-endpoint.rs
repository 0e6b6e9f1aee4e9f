use flyer_runtime::prelude::*;

// #[queued] only means something on an endpoint.
#[queued(limit = 10)]
async fn prime(x: Query<u64>) -> bool {
    x.0 > 1
}

fn main() {}
