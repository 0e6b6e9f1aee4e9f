use flyer_runtime::prelude::*;

#[endpoint(GET, "/report")]
#[queued(limit = 4, reserve = 4, priority = "high")]
async fn report() -> bool {
    true
}

fn main() {}
