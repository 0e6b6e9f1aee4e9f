use flyer_runtime::prelude::*;

#[endpoint(GET, "/users")]
async fn list_users(page: Query<u32>, limit: u32) -> Vec<String> {
    vec![format!("page {} of {limit}", page.0)]
}

fn main() {}
