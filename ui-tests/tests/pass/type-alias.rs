//! Arguments written as type aliases of extractors.

use flyer_runtime::prelude::*;

type UserId = Path<u64>;
type Verbose = Query<Option<bool>>;

#[endpoint(GET, "/users/{id}")]
async fn get_user(id: UserId, verbose: Verbose) -> String {
    format!("user {} (verbose: {:?})", *id, verbose.0)
}

/// Two path parameters through aliases, declared in the reverse of the path's order.
type Name = Path<String>;

#[endpoint(GET, "/users/{id}/files/{name}")]
async fn get_file(name: Name, id: UserId) -> String {
    format!("file {} of user {}", *name, *id)
}

fn main() {}
