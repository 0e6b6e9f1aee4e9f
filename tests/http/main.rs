//! flyer through real HTTP, in one test binary: the endpoints registered here and in the
//! demo library (which this binary links), served by `TestServer` exactly as the binary
//! serves them.

mod connections;
mod endpoints;
mod pipeline;
mod queue;
mod validation;

// The demo's endpoints live in its library; linking it is what registers them.
use flyer_demo as _;
