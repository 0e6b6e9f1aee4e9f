use flyer_runtime::prelude::*;

#[endpoint(GET, "/search")]
#[rate_limit(rate = "10/s", key = "user")]
async fn search(q: Query<String>) -> String {
    q.0
}

fn main() {}
