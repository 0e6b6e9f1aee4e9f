use flyer_runtime::prelude::*;

#[endpoint(GET, "/a/{id}/b/{id}")]
async fn get_b(id: Path<u32>) -> u32 {
    *id
}

fn main() {}
