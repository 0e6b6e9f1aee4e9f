use std::collections::HashMap;

use flyer_runtime::prelude::*;

#[endpoint(GET, "/grid")]
async fn grid() -> HashMap<(u32, u32), String> {
    HashMap::new()
}

fn main() {}
