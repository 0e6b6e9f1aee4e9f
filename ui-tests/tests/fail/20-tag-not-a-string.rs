use flyer_runtime::prelude::*;

#[endpoint(GET, "/users", tag = 5)]
async fn list_users() -> Vec<String> {
    Vec::new()
}

fn main() {}
