//! The demo's schema, as sea-orm-migration steps. `main.rs` registers [`Migrator`] with
//! `serve!(migrator = Migrator)`: the migrations run at start-up on SQLite (the default
//! database), and `flyer-demo migrate up|down|status|fresh` runs them by hand.

use flyer_runtime::sea_orm_migration;
use sea_orm_migration::prelude::*;

mod m20250601_000001_create_users;

/// Every migration of the demo, oldest first.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(m20250601_000001_create_users::Migration)]
    }
}
