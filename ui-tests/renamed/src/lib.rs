//! Endpoints of a crate whose Cargo.toml renames flyer-runtime to `my_flyer`, so that no
//! `flyer_runtime` is in scope: the generated code must name the crate as this one does,
//! found in Cargo.toml or given with `crate = "..."`. That it compiles is most of the
//! test.

use my_flyer::prelude::*;

/// The name found in Cargo.toml, with `#[queued]` read below `#[endpoint]`.
#[endpoint(GET, "/auto/{n}", tag = "renamed")]
#[queued(limit = 2)]
pub async fn auto(n: Path<u32>) -> u32 {
    *n
}

/// flyer-runtime re-exported under a path of this crate's own.
pub mod deps {
    pub use my_flyer as flyer;
}

/// The path given with `crate = "..."`, with `#[rate_limit]` moved below `#[endpoint]`
/// and named through that path.
#[rate_limit(rate = "10/s")]
#[endpoint(GET, "/explicit", tag = "renamed", crate = "crate::deps::flyer")]
pub fn explicit(n: Query<u32>) -> Result<u32> {
    Ok(n.0)
}

#[cfg(test)]
mod tests {
    use my_flyer::{App, ServiceInfo};

    #[test]
    fn both_endpoints_are_registered() {
        let info = ServiceInfo {
            name: "renamed",
            version: "0",
            description: None,
        };
        let config = my_flyer::testing::config(&[]).expect("the default configuration");
        let spec = App::new(info, config).spec_json();
        assert!(spec.contains("/auto/{n}"), "{spec}");
        assert!(spec.contains("/explicit"), "{spec}");
    }
}
