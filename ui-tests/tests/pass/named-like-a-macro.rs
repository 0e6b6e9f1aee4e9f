//! Endpoints may share their names with prelude macros and with their own arguments.
use flyer_runtime::prelude::*;

#[endpoint(GET, "/bench")]
#[queued(limit = 1)]
async fn bench() -> u32 {
    1
}

#[endpoint(GET, "/test")]
fn test() -> u32 {
    2
}

#[endpoint(GET, "/tenant")]
async fn tenant(tenant: Query<String>) -> String {
    tenant.0
}

fn main() {}
