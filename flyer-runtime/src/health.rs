//! The liveness probe, `GET {prefix}/health_check`: answers while the process serves, and
//! touches nothing else.

use crate::endpoint;

/// Liveness probe.
///
/// Answers `{"code": 200, "msg": "success"}` while the process can serve requests.
#[endpoint(GET, "/health_check", tag = "health")]
async fn health_check() {}
