//! `crate = "..."` names flyer-runtime by a path of the user's own, in every generated
//! path and in `#[queued]` moved below `#[endpoint]`. (A dependency renamed in Cargo.toml,
//! found without `crate`, is the `flyer-ui-tests-renamed` package: Cargo refuses one
//! package under two names, so it cannot sit beside `flyer_runtime` here.)

use flyer_runtime::prelude::*;

mod deps {
    pub use ::flyer_runtime as flyer;
}

#[queued(limit = 1)]
#[endpoint(GET, "/reexported/{id}", crate = "crate::deps::flyer")]
async fn reexported(id: Path<u32>) -> Result<u32> {
    Ok(*id)
}

fn main() {}
