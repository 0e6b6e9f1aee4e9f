use flyer_runtime::prelude::*;

// A mistake inside the body is rustc's to report: flyer reads only the signature.
#[endpoint(GET, "/users")]
async fn list_users() -> Vec<String> {
    let names = vec![String::new()]
    names
}

fn main() {}
