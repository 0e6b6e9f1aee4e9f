use flyer_runtime::prelude::*;

#[endpoint(FETCH, "/users")]
async fn list_users() -> Vec<String> {
    Vec::new()
}

fn main() {}
