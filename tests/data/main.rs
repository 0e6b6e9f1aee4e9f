//! flyer's data layer through real HTTP, in one test binary: the demo's users resource on
//! SQLite, MariaDB and PostgreSQL (the real servers of this machine, a scratch database
//! per test), transactions, a database that goes away and comes back, Redis through the
//! handler argument, readiness, and the settings.
//!
//! A server these tests need that does not answer fails them, with the command that
//! starts it: nothing is skipped.

mod backends;
mod outage;
mod probes;
mod redis;
mod settings;
mod transactions;
mod users;

// The demo's endpoints (the users resource) live in its library; linking it registers them.
use flyer_demo as _;
