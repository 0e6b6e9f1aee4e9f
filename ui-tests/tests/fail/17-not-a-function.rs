use flyer_runtime::prelude::*;

#[endpoint(GET, "/users")]
struct Users {
    names: Vec<String>,
}

fn main() {}
