//! Serving HTTP: the accept loop and the runtime, one connection's clock, and the
//! pipeline every request goes through (request id, client address, Basic auth, body
//! limit, timeout, panics, envelope, headers, access log).

pub(crate) mod access_log;
pub(crate) mod auth;
pub(crate) mod client_ip;
pub(crate) mod conn;
pub(crate) mod pipeline;
pub(crate) mod server;
