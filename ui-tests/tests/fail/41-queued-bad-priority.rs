use flyer_runtime::prelude::*;

#[endpoint(GET, "/report")]
#[queued(limit = 10, priority = "urgent")]
async fn report() -> bool {
    true
}

fn main() {}
