use flyer_runtime::prelude::*;

#[endpoint(GET, "/prime")]
#[queued(limit = 0)]
async fn prime(x: Query<u64>) -> bool {
    x.0 > 1
}

fn main() {}
