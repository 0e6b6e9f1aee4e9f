use flyer_runtime::prelude::*;

#[endpoint(GET, "/x/{id}")]
async fn get_x(id: Query<u32>) -> u32 {
    id.0
}

fn main() {}
