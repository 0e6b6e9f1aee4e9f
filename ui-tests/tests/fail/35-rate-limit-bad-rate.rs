use flyer_runtime::prelude::*;

#[endpoint(GET, "/search")]
#[rate_limit(rate = "fast", key = "ip")]
async fn search(q: Query<String>) -> String {
    q.0
}

fn main() {}
