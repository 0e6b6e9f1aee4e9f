use flyer_runtime::prelude::*;

#[endpoint(GET, "/echo")]
async fn echo<T: ToString>(value: Query<String>) -> String {
    value.0
}

fn main() {}
