use flyer_runtime::prelude::*;

// `errors` lists envelope codes (HTTP status = code / 100), not HTTP statuses.
#[endpoint(GET, "/users/{id}", errors = [404, 40900])]
async fn user(id: Path<u32>) -> u32 {
    id.0
}

fn main() {}
