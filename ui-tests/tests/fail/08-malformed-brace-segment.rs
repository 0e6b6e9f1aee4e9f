use flyer_runtime::prelude::*;

#[endpoint(GET, "/users/{id")]
async fn get_user() -> u64 {
    0
}

fn main() {}
