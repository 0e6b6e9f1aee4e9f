//! The demo binary: every endpoint of the `flyer_demo` library, served.

// Linking the library is what registers its endpoints.
use flyer_demo as _;

fn main() {
    flyer_runtime::serve!();
}
