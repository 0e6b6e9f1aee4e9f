//! The demo binary: every endpoint of the `flyer_demo` library, served, with its
//! migrations.

use flyer_demo::migration::Migrator;

fn main() {
    // Naming the library links it for sure, and start-up checks it registered endpoints.
    flyer_runtime::serve!(migrator = Migrator, endpoints = [flyer_demo]);
}
