//! The demo binary: every endpoint of the `flyer_demo` library, served, with its
//! migrations.

// Linking the library is what registers its endpoints.
use flyer_demo::migration::Migrator;

fn main() {
    flyer_runtime::serve!(migrator = Migrator);
}
