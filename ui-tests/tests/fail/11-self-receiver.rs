use flyer_runtime::prelude::*;

struct Users;

impl Users {
    #[endpoint(GET, "/users")]
    async fn list(&self) -> Vec<String> {
        Vec::new()
    }
}

fn main() {}
