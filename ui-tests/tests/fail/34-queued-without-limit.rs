use flyer_runtime::prelude::*;

#[endpoint(GET, "/prime")]
#[queued(timeout = "5s")]
async fn prime(x: Query<u64>) -> bool {
    x.0 > 1
}

fn main() {}
