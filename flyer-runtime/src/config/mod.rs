//! Every environment variable flyer reads, its default and its meaning, in one place:
//! one file per group (`server`, `logging`, `redis`, `queue`, `db`), each variable
//! declared once in its group's table, with the parser of its value.
//!
//! Names are Flyer's (`flyer_port`, ...); the upper-case form (`FLYER_PORT`) is read too,
//! the lower-case one winning when both are set. A `.env` file in the working directory
//! is read when present; the process environment wins over it. Every value is parsed at
//! start-up, and every bad one is reported — all of them at once, each naming the
//! variable, the value and what was expected. Secrets are never printed: `config` shows
//! them as `***`.

#[cfg(feature = "sql")]
mod db;
mod logging;
mod queue;
#[cfg(feature = "redis")]
mod redis;
mod secret;
mod server;
mod values;
mod vars;

use std::collections::HashMap;
use std::fmt;

#[cfg(feature = "sql")]
pub use db::{DbConnect, DbDriver, DbSettings};
pub use logging::{LogFormat, LogSettings};
pub use queue::{QueueBackend, QueueSettings, RateLimitFail, Role};
#[cfg(feature = "redis")]
pub use redis::RedisSettings;
pub use secret::Secret;
pub use server::{BasicAuth, ServerSettings};
pub use vars::Var;

/// The groups this build reads, in the order `config` prints them.
const GROUPS: &[&[&Var]] = &[
    server::VARS,
    logging::VARS,
    #[cfg(feature = "redis")]
    redis::VARS,
    queue::VARS,
    #[cfg(feature = "sql")]
    db::VARS,
];

/// Every variable, group by group, in the order `config` prints them.
pub const VARS: &[&Var] = &vars::concat::<{ vars::count(GROUPS) }>(GROUPS);

/// Where a setting's value came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// The process environment.
    Env,
    /// The `.env` file.
    DotEnv,
    /// The default.
    Default,
}

/// The effective configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// How HTTP is served (`flyer_host`, `flyer_port`, ...).
    pub server: ServerSettings,
    /// The log and the access log (`flyer_log_level`, `flyer_access_log*`).
    pub log: LogSettings,
    /// `flyer_redis_*`, when a Redis is configured.
    #[cfg(feature = "redis")]
    pub redis: Option<RedisSettings>,
    /// The queue of `#[queued]` routes (`flyer_queue_*`, `flyer_role`).
    pub queue: QueueSettings,
    /// `flyer_db_*`: the SQL database (SQLite's `flyer.db` when nothing is set).
    #[cfg(feature = "sql")]
    pub db: DbSettings,
    /// Every variable's raw value and its source, for `config`.
    raw: Vec<(&'static Var, String, Source)>,
}

/// A variable with a value flyer cannot use.
#[derive(Debug)]
pub struct ConfigError {
    /// The variable.
    pub var: &'static str,
    /// The value it had (`***` for a secret).
    pub value: String,
    /// What it should have been.
    pub expected: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid {}={:?}: expected {}",
            self.var, self.value, self.expected
        )
    }
}

impl std::error::Error for ConfigError {}

/// Every variable with a value flyer cannot use (at least one).
#[derive(Debug)]
pub struct ConfigErrors(Vec<ConfigError>);

impl ConfigErrors {
    /// The first bad variable found, in the order of [`VARS`].
    pub fn first(&self) -> &ConfigError {
        &self.0[0]
    }

    /// Every bad variable, in the order of [`VARS`].
    pub fn iter(&self) -> impl Iterator<Item = &ConfigError> {
        self.0.iter()
    }
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.as_slice() {
            [one] => write!(f, "{one}"),
            all => {
                write!(f, "{} invalid settings:", all.len())?;
                for err in all {
                    write!(f, "\n  - {err}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for ConfigErrors {}

/// Reads `.env` in the working directory, if there is one.
fn dotenv() -> Result<HashMap<String, String>, ConfigErrors> {
    let bad = |value: String, expected: &str| {
        ConfigErrors(vec![ConfigError {
            var: ".env",
            value,
            expected: expected.to_owned(),
        }])
    };
    match dotenvy::from_filename_iter(".env") {
        Ok(iter) => iter
            .map(|item| item.map_err(|err| bad(err.to_string(), "lines of NAME=value")))
            .collect(),
        Err(dotenvy::Error::Io(err)) if err.kind() == std::io::ErrorKind::NotFound => {
            Ok(HashMap::new())
        }
        Err(err) => Err(bad(err.to_string(), "a readable file of NAME=value lines")),
    }
}

impl Config {
    /// Reads the process environment, then `.env`, then the defaults.
    pub fn from_env() -> Result<Self, ConfigErrors> {
        let file = dotenv()?;
        Self::read(&|name| {
            let upper = name.to_ascii_uppercase();
            if let Some(v) = std::env::var(name)
                .ok()
                .or_else(|| std::env::var(&upper).ok())
            {
                return Some((v, Source::Env));
            }
            file.get(name)
                .or_else(|| file.get(&upper))
                .map(|v| (v.clone(), Source::DotEnv))
        })
    }

    /// Reads settings through `get`, asked for each lower-case name; unset ones default.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigErrors> {
        Self::read(&|name| get(name).map(|v| (v, Source::Env)))
    }

    fn read(lookup: vars::Lookup<'_>) -> Result<Self, ConfigErrors> {
        let mut r = vars::Reader::new(lookup);
        let server = server::read(&mut r);
        let log = logging::read(&mut r);
        #[cfg(feature = "redis")]
        let redis = redis::read(&mut r);
        // A Redis named wrongly is reported as such, not again as "no Redis".
        #[cfg(feature = "redis")]
        let has_redis =
            redis.is_some() || r.errors.iter().any(|e| e.var.starts_with("flyer_redis"));
        #[cfg(not(feature = "redis"))]
        let has_redis = false;
        let queue = queue::read(&mut r, has_redis);
        #[cfg(feature = "sql")]
        let db = db::read(&mut r);
        if !r.errors.is_empty() {
            return Err(ConfigErrors(r.errors));
        }
        Ok(Config {
            server,
            log,
            #[cfg(feature = "redis")]
            redis,
            queue,
            #[cfg(feature = "sql")]
            db,
            raw: r.raw,
        })
    }

    /// `{flyer_base_url}/{flyer_version}`: where every route lives (`/flyer/v1`).
    pub fn prefix(&self) -> String {
        let s = &self.server;
        if s.version.is_empty() {
            s.base_url.clone()
        } else {
            format!("{}/{}", s.base_url, s.version)
        }
    }

    /// The effective configuration, one `name=value  # source` line per variable,
    /// secrets shown as `***`.
    pub fn describe(&self) -> String {
        let mut out = String::new();
        for (var, value, source) in &self.raw {
            let source = match source {
                Source::Env => "environment",
                Source::DotEnv => ".env",
                Source::Default => "default",
            };
            let shown = if var.name == "flyer_workers" && value.is_empty() {
                self.server.workers.to_string()
            } else {
                value.clone()
            };
            out.push_str(&format!(
                "{}={}  # {source}: {}\n",
                var.name, shown, var.meaning
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests;
