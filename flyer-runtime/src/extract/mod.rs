//! What a handler can take as an argument beyond poem-openapi's extractors: the client's
//! address, the database, Redis — and the map of shared objects they are read from.

pub(crate) mod client_ip;
#[cfg(feature = "sql")]
pub(crate) mod db;
#[cfg(feature = "redis")]
pub(crate) mod redis;
pub(crate) mod state;
