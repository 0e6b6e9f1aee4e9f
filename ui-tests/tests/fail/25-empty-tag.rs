use flyer_runtime::prelude::*;

#[endpoint(GET, "/users", tag = "")]
async fn list_users() -> Vec<String> {
    Vec::new()
}

fn main() {}
