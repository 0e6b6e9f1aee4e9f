use flyer_runtime::prelude::*;

struct User {
    name: String,
}

#[endpoint(GET, "/me")]
async fn me() -> Result<User> {
    Ok(User {
        name: "me".to_owned(),
    })
}

fn main() {}
