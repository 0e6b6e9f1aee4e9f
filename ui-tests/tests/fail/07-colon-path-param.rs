use flyer_runtime::prelude::*;

#[endpoint(GET, "/users/:id")]
async fn get_user(id: Path<u64>) -> u64 {
    *id
}

fn main() {}
