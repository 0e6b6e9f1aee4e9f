use flyer_runtime::prelude::*;

#[endpoint(GET, "/users")]
async fn list_users(#[oai(maximum = 10)] limit: Query<u32>) -> Vec<String> {
    vec![format!("limit {}", limit.0)]
}

fn main() {}
