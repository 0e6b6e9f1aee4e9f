use flyer_runtime::prelude::*;

#[endpoint]
async fn list_users() -> Vec<String> {
    Vec::new()
}

fn main() {}
