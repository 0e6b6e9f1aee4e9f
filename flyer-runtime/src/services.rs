//! What the service holds for its whole life and hands to every request: its Redis pool
//! (and the other dependencies configured), built once, inside the runtime.

use std::sync::Arc;

use crate::config::Config;
use crate::error::Error;
use crate::redis::Redis;

/// The dependencies of a running service.
pub(crate) struct Services {
    /// The Redis pool, when a Redis is configured.
    pub redis: Option<Redis>,
}

impl Services {
    /// Connects (in the background) to what `config` names. Must run inside the runtime.
    pub(crate) fn start(config: &Config) -> Result<Arc<Self>, Error> {
        let redis = config.redis.as_ref().map(Redis::connect).transpose()?;
        Ok(Arc::new(Services { redis }))
    }
}
