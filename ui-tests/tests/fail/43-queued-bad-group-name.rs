use flyer_runtime::prelude::*;

#[endpoint(GET, "/report")]
#[queued(limit = 4, group = "nightly {reports}")]
async fn report() -> bool {
    true
}

fn main() {}
