//! What the service holds for its whole life and hands to every request: its Redis pool
//! (and the other dependencies configured), built once, inside the runtime.

use std::sync::Arc;

use crate::config::Config;
use crate::db::Db;
use crate::error::Error;
use crate::queue::Queues;
use crate::rate_limit::RateLimits;
use crate::redis::Redis;
use crate::registry;

/// The dependencies of a running service.
pub(crate) struct Services {
    /// The Redis pool, when a Redis is configured.
    pub redis: Option<Redis>,
    /// The SQL database's pool (lazy: it connects when a query needs it).
    pub db: Db,
    /// The queues of the `#[queued]` routes.
    pub queues: Queues,
    /// The limits of the `#[rate_limit]` routes.
    pub rate_limits: RateLimits,
}

impl Services {
    /// The services the pipeline handed to `req`; a 503 where there are none (a request
    /// that did not come through a flyer server).
    pub(crate) fn of(req: &poem::Request) -> poem::Result<&Arc<Self>> {
        req.extensions().get::<Arc<Self>>().ok_or_else(|| {
            poem::Error::from_string(
                "no dependencies are set up in this server",
                poem::http::StatusCode::SERVICE_UNAVAILABLE,
            )
        })
    }

    /// Connects (in the background) to what `config` names. Must run inside the runtime.
    /// `namespace` prefixes the queue's Redis keys.
    pub(crate) fn start(config: &Config, namespace: &str) -> Result<Arc<Self>, Error> {
        let redis = config.redis.as_ref().map(Redis::connect).transpose()?;
        let regs = registry::all();
        let queues = Queues::start(config, namespace, redis.as_ref(), &regs)?;
        let rate_limits = RateLimits::new(config, namespace, redis.as_ref(), &regs);
        let db = Db::connect(&config.db);
        Ok(Arc::new(Services {
            redis,
            db,
            queues,
            rate_limits,
        }))
    }
}
