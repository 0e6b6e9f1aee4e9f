use flyer_runtime::prelude::*;

#[endpoint(GET, "/users", summry = "List users")]
async fn list_users() -> Vec<String> {
    Vec::new()
}

// The attribute is wrong, but the function is still there: no "cannot find function".
fn main() {
    let _future = list_users();
}
