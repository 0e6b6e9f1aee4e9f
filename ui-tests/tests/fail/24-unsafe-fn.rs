use flyer_runtime::prelude::*;

#[endpoint(GET, "/users")]
async unsafe fn list_users() -> Vec<String> {
    Vec::new()
}

fn main() {}
