//! Where Redis is (`flyer_redis_*`): one configuration for the queue and for handlers.

use std::fmt;

use super::secret::{self, Secret};
use super::values;
use super::vars::{Reader, secret, settings, var};

settings! {
    URL: Secret = secret("flyer_redis_url", "redis://[:password@]host:port/db; wins over the flyer_redis_* parts")
        .parsed("a URL such as redis://:password@127.0.0.1:6379/0", secret::parse);
    HOST: String = var("flyer_redis_host", "", "Redis host; unset (and no flyer_redis_url): no Redis")
        .parsed("a host name or address", values::text);
    PORT: u16 = var("flyer_redis_port", "6379", "Redis port").parsed("a port number", values::port);
    PASS: Secret = secret("flyer_redis_pass", "Redis password").parsed("a password", secret::parse);
    DB: u8 = var("flyer_redis_db", "0", "Redis database number")
        .parsed("a database number from 0 to 255", |s| s.parse().ok());
    POOL_SIZE: usize = var("flyer_redis_pool_size", "8", "connections for ordinary Redis commands")
        .parsed("a number of connections, 1 or more", values::count);
}

/// Where a Redis is, from `flyer_redis_url` or the `flyer_redis_*` parts.
#[derive(Clone)]
pub struct RedisSettings {
    /// The server, database and password, as fred takes them.
    pub config: fred::types::config::Config,
    /// `flyer_redis_pool_size`.
    pub pool_size: usize,
    /// `host:port/db`, for messages (no password).
    pub target: String,
}

impl fmt::Debug for RedisSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisSettings")
            .field("target", &self.target)
            .field("pool_size", &self.pool_size)
            .finish_non_exhaustive()
    }
}

/// Reads the group: `None` when neither the URL nor the host is set.
pub(super) fn read(r: &mut Reader<'_>) -> Option<RedisSettings> {
    use fred::types::config::{Config, ServerConfig};
    let url = r.get(&URL);
    let host = r.get(&HOST);
    let port = r.get(&PORT);
    let pass = r.get(&PASS);
    let db = r.get(&DB);
    let pool_size = r.get(&POOL_SIZE);
    let (config, target) = if !url.is_empty() {
        let Ok(config) = Config::from_url(url.expose()) else {
            r.fail(
                &URL.var,
                url.expose(),
                "a URL such as redis://:password@127.0.0.1:6379/0",
            );
            return None;
        };
        let target = match &config.server {
            ServerConfig::Centralized { server } => format!(
                "{}:{}/{}",
                server.host,
                server.port,
                config.database.unwrap_or(0)
            ),
            other => format!("{other:?}"),
        };
        (config, target)
    } else if !host.is_empty() {
        let config = Config {
            server: ServerConfig::new_centralized(host.clone(), port),
            password: (!pass.is_empty()).then(|| pass.expose().to_owned()),
            database: (db != 0).then_some(db),
            ..Default::default()
        };
        (config, format!("{host}:{port}/{db}"))
    } else {
        return None;
    };
    Some(RedisSettings {
        config,
        pool_size,
        target,
    })
}
