use flyer_runtime::prelude::*;

#[endpoint("GET", "/users")]
async fn list_users() -> Vec<String> {
    Vec::new()
}

fn main() {}
