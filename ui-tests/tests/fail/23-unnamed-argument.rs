use flyer_runtime::prelude::*;

#[endpoint(GET, "/users")]
async fn list_users(_: Query<u32>) -> Vec<String> {
    Vec::new()
}

fn main() {}
