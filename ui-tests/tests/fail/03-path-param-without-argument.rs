use flyer_runtime::prelude::*;

#[endpoint(GET, "/users/{id}")]
async fn get_user() -> String {
    String::new()
}

fn main() {}
