use flyer_runtime::prelude::*;

#[endpoint(GET, "/users")]
async fn get_user(id: Path<u64>) -> String {
    format!("user {}", *id)
}

fn main() {}
