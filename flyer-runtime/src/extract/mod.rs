//! What a handler can take as an argument beyond poem-openapi's extractors: the client's
//! address, the database, Redis — and the map of shared objects they are read from.

pub(crate) mod client_ip;
pub(crate) mod db;
pub(crate) mod redis;
pub(crate) mod state;
