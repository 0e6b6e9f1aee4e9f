use flyer_runtime::prelude::*;

struct NotAnError;

#[endpoint(GET, "/users")]
async fn list_users() -> Result<Vec<String>, NotAnError> {
    Err(NotAnError)
}

fn main() {}
