use flyer_runtime::prelude::*;

#[endpoint(GET, "/users", deprecated = "yes")]
async fn list_users() -> Vec<String> {
    Vec::new()
}

fn main() {}
