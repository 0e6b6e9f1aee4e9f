use flyer_runtime::prelude::*;

// Three mistakes: all three are reported, each at its own token.
#[endpoint(FETCH, "/echo", colour = "blue")]
async fn echo<T: ToString>(value: Query<String>) -> String {
    value.0
}

fn main() {}
