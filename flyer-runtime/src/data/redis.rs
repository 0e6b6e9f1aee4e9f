//! Redis through fred: one configuration (`flyer_redis_*`), one pool for ordinary
//! commands. Connections are made in the background and remade by themselves; while the
//! server is away, commands fail at once instead of waiting in a buffer, so callers can
//! answer 50300 fast.

use std::time::Duration;

use fred::clients::Pool;
use fred::interfaces::ClientLike;
use fred::types::Builder;
use fred::types::config::{
    ConnectionConfig, PerformanceConfig, ReconnectPolicy, UnresponsiveConfig,
};

use crate::config::RedisSettings;
use crate::error::Error;

/// A command that has not answered by then has failed.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(2);

/// A handle to the Redis pool; cheap to clone.
#[derive(Clone)]
pub struct Redis {
    pool: Pool,
    target: String,
}

impl Redis {
    /// A pool for `settings`, connecting in the background (the service starts while
    /// Redis is down, and heals when it comes back).
    pub(crate) fn connect(settings: &RedisSettings) -> Result<Self, Error> {
        let pool = builder(settings)
            .build_pool(settings.pool_size)
            .map_err(|e| Error::internal("invalid Redis configuration").with_source(e))?;
        pool.connect_pool();
        Ok(Redis {
            pool,
            target: settings.target.clone(),
        })
    }

    /// The pool, for any command: `redis.pool().get::<Option<String>, _>("key")`.
    /// Prefer [`Redis::ready`] first when failing fast matters.
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// `host:port/db` (no password).
    pub fn target(&self) -> &str {
        &self.target
    }

    /// Whether at least one connection is up.
    pub fn is_connected(&self) -> bool {
        self.pool.clients().iter().any(|c| c.is_connected())
    }

    /// The pool when connected, else a 50300 naming Redis: for commands that must not
    /// wait for a reconnection.
    pub fn ready(&self) -> Result<&Pool, Error> {
        if self.is_connected() {
            Ok(&self.pool)
        } else {
            Err(Error::over_capacity(format!(
                "Redis ({}) is unavailable",
                self.target
            )))
        }
    }
}

impl Redis {
    /// Sends `PING`; `Err` says why Redis does not answer, in words fit for `/ready`.
    pub(crate) async fn check(&self) -> Result<(), String> {
        match self.ready() {
            Err(_) => Err("not connected".to_owned()),
            Ok(pool) => pool
                .ping::<String>(None)
                .await
                .map(drop)
                .map_err(|e| format!("PING failed: {}", e.kind().to_str())),
        }
    }

    /// The pool once connected, waiting a moment for a connection being made (at start-up,
    /// after a blip); else a 50300 naming Redis, well inside any request's timeout.
    pub async fn connected(&self) -> Result<&Pool, Error> {
        if !self.is_connected() {
            let wait = self.pool.clients().iter().map(|c| c.wait_for_connect());
            let _ = tokio::time::timeout(
                Duration::from_millis(250),
                futures_util::future::select_ok(wait.map(Box::pin)),
            )
            .await;
        }
        self.ready()
    }
}

/// A fred builder with flyer's policy: reconnect forever (backing off to 2 s), fail
/// commands that cannot be sent instead of queueing them.
pub(crate) fn builder(settings: &RedisSettings) -> Builder {
    let mut config = settings.config.clone();
    config.fail_fast = false;
    let mut builder = Builder::from_config(config);
    builder
        .with_connection_config(|c: &mut ConnectionConfig| {
            c.connection_timeout = Duration::from_secs(2);
            c.internal_command_timeout = Duration::from_secs(2);
            c.max_command_attempts = 1;
            // A connection that silently stops answering (a network that drops it
            // without a word) is closed and made again, rather than left to time out
            // every command sent on it.
            c.unresponsive = UnresponsiveConfig {
                max_timeout: Some(Duration::from_secs(4)),
                interval: Duration::from_secs(1),
            };
        })
        .with_performance_config(|p: &mut PerformanceConfig| {
            p.default_command_timeout = COMMAND_TIMEOUT;
        })
        .set_policy(ReconnectPolicy::new_exponential(0, 50, 2_000, 2));
    builder
}
