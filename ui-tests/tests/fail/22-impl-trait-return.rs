use flyer_runtime::prelude::*;

#[endpoint(GET, "/count")]
async fn count() -> impl Send {
    1u32
}

fn main() {}
