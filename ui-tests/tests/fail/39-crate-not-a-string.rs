use flyer_runtime::prelude::*;

#[endpoint(GET, "/users", crate = flyer_runtime)]
async fn list_users() -> Vec<String> {
    Vec::new()
}

fn main() {}
