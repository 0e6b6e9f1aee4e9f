//! Every environment variable flyer reads, its default and its meaning, in one place.
//!
//! Names are Flyer's (`flyer_port`, ...); the upper-case form (`FLYER_PORT`) is read too,
//! the lower-case one winning when both are set. A `.env` file in the working directory
//! is read when present; the process environment wins over it. Every value is parsed at
//! start-up, and a bad one is an error naming the variable, the value and what was
//! expected. Secrets are never printed: `config` shows them as `***`.

use std::collections::HashMap;
use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use ipnet::IpNet;

/// One setting: its variable, its default, and what it means.
#[derive(Debug)]
pub struct Var {
    /// The variable's name (lower case; the upper-case form is read too).
    pub name: &'static str,
    /// The value used when the variable is unset (empty: unset).
    pub default: &'static str,
    /// What it sets.
    pub meaning: &'static str,
    /// Whether its value is a secret, never printed.
    pub secret: bool,
}

const fn var(name: &'static str, default: &'static str, meaning: &'static str) -> Var {
    Var {
        name,
        default,
        meaning,
        secret: false,
    }
}

/// Every variable, in the order `config` prints them.
pub const VARS: &[Var] = &[
    var("flyer_host", "0.0.0.0", "IP address to listen on"),
    var(
        "flyer_port",
        "8080",
        "TCP port to listen on (0 picks a free one)",
    ),
    var(
        "flyer_base_url",
        "/flyer",
        "path every route lives under, before the version",
    ),
    var(
        "flyer_version",
        "v1",
        "API version segment: routes live under {flyer_base_url}/{flyer_version}",
    ),
    var(
        "flyer_workers",
        "",
        "runtime worker threads (default: the CPUs available to the process, cgroup quota included)",
    ),
    var(
        "flyer_threads",
        "512",
        "most threads of the blocking pool, where plain-fn endpoints run",
    ),
    var(
        "flyer_worker_connections",
        "1000",
        "most connections served at once; the surplus waits in the listen backlog",
    ),
    var(
        "flyer_timeout",
        "60",
        "seconds a handler has to produce its response (50400 after); streams are not cut",
    ),
    var(
        "flyer_header_timeout",
        "10",
        "seconds a client has to send a request's headers once it started (40800 after)",
    ),
    var(
        "flyer_keepalive",
        "5",
        "seconds an idle keep-alive connection is kept open (0: one request per connection)",
    ),
    var(
        "flyer_graceful_timeout",
        "10",
        "seconds in-flight requests get to finish after SIGTERM/SIGINT",
    ),
    var(
        "flyer_log_level",
        "info",
        "trace, debug, info, warn(ing) or error/critical",
    ),
    var(
        "flyer_access_log",
        "1",
        "one access-log line per request (1) or none (0)",
    ),
    var(
        "flyer_access_log_json",
        "1",
        "access log as JSON (1) or plain text (0)",
    ),
    var(
        "flyer_access_logfile",
        "-",
        "where the access log goes: - for stdout, or a file path (rotated daily: path.YYYY-MM-DD)",
    ),
    var(
        "flyer_body_limit",
        "2MiB",
        "largest request body (41300 above): bytes, or with a unit (KiB, MiB, KB, MB)",
    ),
    var(
        "flyer_error_status",
        "",
        "200 answers every error envelope with HTTP 200 (Flyer's habit); unset: the code's status",
    ),
    var(
        "flyer_trusted_proxies",
        "",
        "comma-separated IPs or CIDRs whose X-Forwarded-For is believed",
    ),
    var(
        "flyer_auth_enable",
        "0",
        "HTTP Basic auth on every user route (1) or none (0)",
    ),
    var("flyer_auth_user", "", "Basic auth user name"),
    secret("flyer_auth_pass", "Basic auth password"),
    // Redis: one configuration for the queue and for handlers.
    secret(
        "flyer_redis_url",
        "redis://[:password@]host:port/db; wins over the flyer_redis_* parts",
    ),
    var(
        "flyer_redis_host",
        "",
        "Redis host; unset (and no flyer_redis_url): no Redis",
    ),
    var("flyer_redis_port", "6379", "Redis port"),
    secret("flyer_redis_pass", "Redis password"),
    var("flyer_redis_db", "0", "Redis database number"),
    var(
        "flyer_redis_pool_size",
        "8",
        "connections for ordinary Redis commands",
    ),
    // The request queue of #[queued] routes.
    var(
        "flyer_queue_backend",
        "local",
        "local (limits per process) or redis (limits shared by every instance on the Redis)",
    ),
    var(
        "flyer_role",
        "all",
        "all (serve and execute), gateway (serve, admit, enqueue) or worker (execute queued routes)",
    ),
    var(
        "flyer_queue_namespace",
        "",
        "prefix of the queue's Redis keys (default: the crate's name), so services can share a Redis",
    ),
    var(
        "flyer_queue_timeout",
        "10",
        "seconds an admitted request of a #[queued] route has to be answered (50400 after), unless the route sets timeout",
    ),
    // SQL through sea-orm (see db.rs): a URL, or Flyer's parts; SQLite when nothing is set.
    secret(
        "flyer_db_url",
        "sqlite://path?mode=rwc, mysql://user:pass@host:3306/db (MariaDB too) or postgres://user:pass@host:5432/db; wins over the flyer_db_* parts",
    ),
    var(
        "flyer_db_driver",
        "sqlite",
        "sqlite (a file, nothing to install), mysql (MySQL or MariaDB) or postgres",
    ),
    var(
        "flyer_db_host",
        "127.0.0.1",
        "database server host (mysql, postgres)",
    ),
    var(
        "flyer_db_port",
        "",
        "database server port (default: 3306 for mysql, 5432 for postgres)",
    ),
    var(
        "flyer_db_user",
        "",
        "database user (default: root for mysql, postgres for postgres)",
    ),
    secret("flyer_db_pass", "database password"),
    var(
        "flyer_db_name",
        "",
        "database name (default: flyer); for sqlite the file (default: flyer.db, created on first use)",
    ),
    var(
        "flyer_db_pool_size",
        "32",
        "most database connections open at once (opened on demand)",
    ),
    var(
        "flyer_db_recycle",
        "1800",
        "seconds a database connection lives before it is closed and replaced",
    ),
    var(
        "flyer_db_acquire_timeout",
        "5",
        "seconds a query waits for a pooled connection, a new one being opened included (50300 after)",
    ),
    var(
        "flyer_db_connect_timeout",
        "5",
        "seconds /ready, start-up migrations and the migrate command wait for the database to answer",
    ),
    var(
        "flyer_db_migrate",
        "",
        "run the registered migrations at start-up (1) or not (0); default: 1 for sqlite, 0 otherwise",
    ),
];

const fn secret(name: &'static str, meaning: &'static str) -> Var {
    Var {
        name,
        default: "",
        meaning,
        secret: true,
    }
}

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

/// A value that is never printed: its `Debug` and `Display` show `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// The secret itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Basic auth credentials (`flyer_auth_*`).
#[derive(Clone, Debug)]
pub struct BasicAuth {
    /// `flyer_auth_user`.
    pub user: String,
    /// `flyer_auth_pass`.
    pub pass: Secret,
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

/// `flyer_queue_backend`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueueBackend {
    /// Limits per process.
    Local,
    /// Limits shared through Redis.
    Redis,
}

/// `flyer_role`: what this instance does with `#[queued]` routes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Serves HTTP and executes.
    All,
    /// Serves HTTP, admits and enqueues; never executes queued routes.
    Gateway,
    /// Executes queued routes from Redis; serves only the health check over HTTP.
    Worker,
}

/// The effective configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// `flyer_host`.
    pub host: IpAddr,
    /// `flyer_port`.
    pub port: u16,
    /// `flyer_base_url`, normalised: empty or `/segment...`, no trailing `/`.
    pub base_url: String,
    /// `flyer_version`.
    pub version: String,
    /// `flyer_workers`.
    pub workers: usize,
    /// `flyer_threads`.
    pub threads: usize,
    /// `flyer_worker_connections`.
    pub worker_connections: usize,
    /// `flyer_timeout`.
    pub timeout: Duration,
    /// `flyer_header_timeout`.
    pub header_timeout: Duration,
    /// `flyer_keepalive`; zero disables keep-alive.
    pub keepalive: Duration,
    /// `flyer_graceful_timeout`.
    pub graceful_timeout: Duration,
    /// `flyer_log_level`.
    pub log_level: tracing::Level,
    /// `flyer_access_log`.
    pub access_log: bool,
    /// `flyer_access_log_json`.
    pub access_log_json: bool,
    /// `flyer_access_logfile`: `None` for stdout.
    pub access_logfile: Option<PathBuf>,
    /// `flyer_body_limit`, in bytes.
    pub body_limit: usize,
    /// `flyer_error_status=200`.
    pub error_status_200: bool,
    /// `flyer_trusted_proxies`.
    pub trusted_proxies: Vec<IpNet>,
    /// `flyer_auth_*`, when enabled.
    pub auth: Option<BasicAuth>,
    /// `flyer_redis_*`, when a Redis is configured.
    pub redis: Option<RedisSettings>,
    /// `flyer_queue_backend`.
    pub queue_backend: QueueBackend,
    /// `flyer_role`.
    pub role: Role,
    /// `flyer_queue_namespace`; `None`: the service's name.
    pub queue_namespace: Option<String>,
    /// `flyer_queue_timeout`.
    pub queue_timeout: Duration,
    /// `flyer_db_*`: the SQL database (SQLite's `flyer.db` when nothing is set).
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

/// Reads raw values and turns them into typed ones, or into a [`ConfigError`].
struct Reader<F> {
    get: F,
    raw: Vec<(&'static Var, String, Source)>,
}

impl<F: Fn(&str) -> Option<(String, Source)>> Reader<F> {
    /// The raw value of `name`; what is kept for printing has secrets redacted.
    fn raw(&mut self, name: &'static str) -> String {
        let var = VARS
            .iter()
            .find(|v| v.name == name)
            .expect("every variable read is listed in VARS");
        let (value, source) = (self.get)(name)
            .map(|(v, s)| (v.trim().to_owned(), s))
            .unwrap_or_else(|| (var.default.to_owned(), Source::Default));
        let kept = if var.secret && !value.is_empty() {
            "***".to_owned()
        } else {
            value.clone()
        };
        self.raw.push((var, kept, source));
        value
    }

    fn parse<T>(
        &mut self,
        name: &'static str,
        expected: &str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Result<T, ConfigError> {
        let raw = self.raw(name);
        parse(&raw).ok_or_else(|| ConfigError {
            var: name,
            value: if VARS.iter().any(|v| v.name == name && v.secret) {
                "***".to_owned()
            } else {
                raw
            },
            expected: expected.to_owned(),
        })
    }
}

fn bool_value(raw: &str) -> Option<bool> {
    match raw.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// `10` (seconds), `1.5`, or a unit: `500ms`, `2m`.
fn duration_value(raw: &str) -> Option<Duration> {
    match raw.parse::<f64>() {
        Ok(secs) if secs.is_finite() && secs >= 0.0 => Some(Duration::from_secs_f64(secs)),
        Ok(_) => None,
        Err(_) => humantime::parse_duration(raw).ok(),
    }
}

/// `2097152`, `2MiB`, `512KB`.
fn size_value(raw: &str) -> Option<usize> {
    let split = raw.find(|c: char| !c.is_ascii_digit()).unwrap_or(raw.len());
    let (digits, unit) = raw.split_at(split);
    let n: usize = digits.parse().ok()?;
    let factor: usize = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1_000,
        "kib" => 1 << 10,
        "m" | "mb" => 1_000_000,
        "mib" => 1 << 20,
        "g" | "gb" => 1_000_000_000,
        "gib" => 1 << 30,
        _ => return None,
    };
    n.checked_mul(factor)
}

fn level_value(raw: &str) -> Option<tracing::Level> {
    Some(match raw.to_ascii_lowercase().as_str() {
        "trace" => tracing::Level::TRACE,
        "debug" => tracing::Level::DEBUG,
        "info" => tracing::Level::INFO,
        "warn" | "warning" => tracing::Level::WARN,
        "error" | "critical" => tracing::Level::ERROR,
        _ => return None,
    })
}

fn proxies_value(raw: &str) -> Option<Vec<IpNet>> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpNet>()
                .ok()
                .or_else(|| s.parse::<IpAddr>().ok().map(IpNet::from))
        })
        .collect()
}

fn positive(n: usize) -> Option<usize> {
    (n > 0).then_some(n)
}

/// The CPUs this process may use: the affinity mask and the cgroup CPU quota included.
fn available_cpus() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// `flyer/` → `/flyer`; `` → ``; `None` when a character is not allowed in a path.
fn normalise_segments(raw: &str) -> Option<String> {
    let trimmed = raw.trim_matches('/');
    if trimmed.is_empty() {
        return Some(String::new());
    }
    let ok = trimmed.split('/').all(|seg| {
        !seg.is_empty()
            && seg
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~'))
    });
    ok.then(|| format!("/{trimmed}"))
}

/// `flyer_redis_url`, or `flyer_redis_host` and its parts; `None` when neither is set.
fn redis_settings<F: Fn(&str) -> Option<(String, Source)>>(
    r: &mut Reader<F>,
) -> Result<Option<RedisSettings>, ConfigError> {
    let url = r.raw("flyer_redis_url");
    let host = r.raw("flyer_redis_host");
    let port: u16 = r.parse("flyer_redis_port", "a port number", |s| s.parse().ok())?;
    let pass = r.raw("flyer_redis_pass");
    let db: u8 = r.parse("flyer_redis_db", "a database number from 0 to 255", |s| {
        s.parse().ok()
    })?;
    let pool_size = r.parse(
        "flyer_redis_pool_size",
        "a number of connections, 1 or more",
        |s| s.parse().ok().and_then(positive),
    )?;
    let (config, target) = if !url.is_empty() {
        let config = fred::types::config::Config::from_url(&url).map_err(|_| ConfigError {
            var: "flyer_redis_url",
            value: "***".to_owned(),
            expected: "a URL such as redis://:password@127.0.0.1:6379/0".to_owned(),
        })?;
        let target = match &config.server {
            fred::types::config::ServerConfig::Centralized { server } => {
                format!(
                    "{}:{}/{}",
                    server.host,
                    server.port,
                    config.database.unwrap_or(0)
                )
            }
            other => format!("{other:?}"),
        };
        (config, target)
    } else if !host.is_empty() {
        let config = fred::types::config::Config {
            server: fred::types::config::ServerConfig::new_centralized(host.clone(), port),
            password: (!pass.is_empty()).then_some(pass),
            database: (db != 0).then_some(db),
            ..Default::default()
        };
        (config, format!("{host}:{port}/{db}"))
    } else {
        return Ok(None);
    };
    Ok(Some(RedisSettings {
        config,
        pool_size,
        target,
    }))
}

/// `flyer_db_driver`, or the scheme of `flyer_db_url`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DbDriver {
    /// A SQLite file (or `sqlite::memory:`).
    Sqlite,
    /// MySQL or MariaDB.
    MySql,
    /// PostgreSQL.
    Postgres,
}

impl DbDriver {
    /// `sqlite`, `mysql` or `postgres`, as `flyer_db_driver` spells it.
    pub fn name(self) -> &'static str {
        match self {
            DbDriver::Sqlite => "sqlite",
            DbDriver::MySql => "mysql",
            DbDriver::Postgres => "postgres",
        }
    }
}

/// How to reach the database, credentials included: never printed.
#[derive(Clone)]
pub enum DbConnect {
    /// SQLite.
    Sqlite(sea_orm::sqlx::sqlite::SqliteConnectOptions),
    /// MySQL or MariaDB.
    MySql(sea_orm::sqlx::mysql::MySqlConnectOptions),
    /// PostgreSQL.
    Postgres(sea_orm::sqlx::postgres::PgConnectOptions),
}

/// The SQL database and its pool, from `flyer_db_url` or the `flyer_db_*` parts.
#[derive(Clone)]
pub struct DbSettings {
    /// Where the database is, and the credentials.
    pub connect: DbConnect,
    /// An in-memory SQLite database: one connection, never recycled, or it would vanish.
    pub in_memory: bool,
    /// `flyer_db_pool_size`.
    pub pool_size: u32,
    /// `flyer_db_recycle`.
    pub recycle: Duration,
    /// `flyer_db_acquire_timeout`.
    pub acquire_timeout: Duration,
    /// `flyer_db_connect_timeout`.
    pub connect_timeout: Duration,
    /// `flyer_db_migrate`.
    pub migrate: bool,
    /// `driver host:port/name` (no user, no password), for messages.
    pub target: String,
}

impl DbSettings {
    /// Which database this is.
    pub fn driver(&self) -> DbDriver {
        match self.connect {
            DbConnect::Sqlite(_) => DbDriver::Sqlite,
            DbConnect::MySql(_) => DbDriver::MySql,
            DbConnect::Postgres(_) => DbDriver::Postgres,
        }
    }
}

impl fmt::Debug for DbSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DbSettings")
            .field("target", &self.target)
            .field("pool_size", &self.pool_size)
            .field("migrate", &self.migrate)
            .finish_non_exhaustive()
    }
}

/// `flyer_db_url`, or `flyer_db_driver` and its parts; SQLite's `flyer.db` when nothing
/// is set.
fn db_settings<F: Fn(&str) -> Option<(String, Source)>>(
    r: &mut Reader<F>,
) -> Result<DbSettings, ConfigError> {
    use sea_orm::sqlx::mysql::MySqlConnectOptions;
    use sea_orm::sqlx::postgres::PgConnectOptions;
    use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};

    let url = r.raw("flyer_db_url");
    let driver = r.parse(
        "flyer_db_driver",
        "sqlite, mysql (MariaDB too) or postgres",
        |s| match s.to_ascii_lowercase().as_str() {
            "sqlite" => Some(DbDriver::Sqlite),
            "mysql" | "mariadb" => Some(DbDriver::MySql),
            "postgres" | "postgresql" => Some(DbDriver::Postgres),
            _ => None,
        },
    )?;
    let host = r.raw("flyer_db_host");
    let port: Option<u16> = r.parse("flyer_db_port", "a port number", |s| {
        if s.is_empty() {
            Some(None)
        } else {
            s.parse().ok().map(Some)
        }
    })?;
    let user = r.raw("flyer_db_user");
    let pass = r.raw("flyer_db_pass");
    let name = r.raw("flyer_db_name");
    let pool_size = r.parse(
        "flyer_db_pool_size",
        "a number of connections, 1 or more",
        |s| s.parse().ok().filter(|n| *n > 0),
    )?;
    let seconds = "seconds (10, 1.5) or a duration (500ms, 2m), more than 0";
    let positive_duration = |s: &str| duration_value(s).filter(|d| !d.is_zero());
    let recycle = r.parse("flyer_db_recycle", seconds, positive_duration)?;
    let acquire_timeout = r.parse("flyer_db_acquire_timeout", seconds, positive_duration)?;
    let connect_timeout = r.parse("flyer_db_connect_timeout", seconds, positive_duration)?;
    let migrate: Option<bool> = r.parse(
        "flyer_db_migrate",
        "1 or 0 (true/false, yes/no, on/off), or unset",
        |s| {
            if s.is_empty() {
                Some(None)
            } else {
                bool_value(s).map(Some)
            }
        },
    )?;

    let (connect, in_memory) = if !url.is_empty() {
        // The URL holds the password: the error shows it masked.
        let bad = |why: String| ConfigError {
            var: "flyer_db_url",
            value: redact_url(&url),
            expected: format!(
                "a database URL such as sqlite://flyer.db?mode=rwc, mysql://user:pass@127.0.0.1:3306/db or postgres://user:pass@127.0.0.1:5432/db ({why})"
            ),
        };
        let scheme = url.split_once(':').map_or("", |(s, _)| s);
        let parsed = match scheme.to_ascii_lowercase().as_str() {
            "sqlite" => url.parse::<SqliteConnectOptions>().map(|o| {
                (
                    DbConnect::Sqlite(o),
                    url.contains(":memory:") || url.contains("mode=memory"),
                )
            }),
            "mysql" | "mariadb" => url
                .parse::<MySqlConnectOptions>()
                .map(|o| (DbConnect::MySql(o), false)),
            "postgres" | "postgresql" => url
                .parse::<PgConnectOptions>()
                .map(|o| (DbConnect::Postgres(o), false)),
            other => return Err(bad(format!("unknown scheme {other:?}"))),
        };
        // sqlx's messages name the problem (a bad port, an unknown sslmode), never the
        // password: checked in the tests.
        parsed.map_err(|e| {
            let msg = e.to_string();
            bad(msg
                .strip_prefix("error with configuration: ")
                .unwrap_or(&msg)
                .to_owned())
        })?
    } else {
        let host = if host.is_empty() { "127.0.0.1" } else { &host };
        match driver {
            DbDriver::Sqlite => {
                let file = if name.is_empty() { "flyer.db" } else { &name };
                let memory = file == ":memory:";
                let options = if memory {
                    ":memory:"
                        .parse::<SqliteConnectOptions>()
                        .expect("`:memory:` is a valid SQLite database")
                } else {
                    SqliteConnectOptions::new()
                        .filename(file)
                        .create_if_missing(true)
                        // Readers do not block the writer, nor the writer them: what a
                        // pool of connections to one file needs.
                        .journal_mode(SqliteJournalMode::Wal)
                };
                (DbConnect::Sqlite(options), memory)
            }
            DbDriver::MySql => {
                let mut options = MySqlConnectOptions::new()
                    .host(host)
                    .port(port.unwrap_or(3306))
                    .username(if user.is_empty() { "root" } else { &user })
                    .database(if name.is_empty() { "flyer" } else { &name });
                if !pass.is_empty() {
                    options = options.password(&pass);
                }
                (DbConnect::MySql(options), false)
            }
            DbDriver::Postgres => {
                let mut options = PgConnectOptions::new_without_pgpass()
                    .host(host)
                    .port(port.unwrap_or(5432))
                    .username(if user.is_empty() { "postgres" } else { &user })
                    .database(if name.is_empty() { "flyer" } else { &name });
                if !pass.is_empty() {
                    options = options.password(&pass);
                }
                (DbConnect::Postgres(options), false)
            }
        }
    };
    let target = match &connect {
        DbConnect::Sqlite(o) => format!("sqlite {}", o.get_filename().display()),
        DbConnect::MySql(o) => format!(
            "mysql {}:{}/{}",
            o.get_host(),
            o.get_port(),
            o.get_database().unwrap_or("")
        ),
        DbConnect::Postgres(o) => format!(
            "postgres {}:{}/{}",
            o.get_host(),
            o.get_port(),
            o.get_database().unwrap_or("")
        ),
    };
    let is_sqlite = matches!(connect, DbConnect::Sqlite(_));
    Ok(DbSettings {
        connect,
        in_memory,
        pool_size,
        recycle,
        acquire_timeout,
        connect_timeout,
        migrate: migrate.unwrap_or(is_sqlite),
        target,
    })
}

/// `scheme://user:***@host/...`: the URL with its password masked, and its query (which
/// may carry one too) dropped.
fn redact_url(url: &str) -> String {
    let url = url.split_once('?').map_or(url, |(head, _)| head);
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            let masked = if userinfo.contains(':') { ":***" } else { "" };
            format!("{scheme}://{user}{masked}@{host}{path}")
        }
        None => url.to_owned(),
    }
}

/// Reads `.env` in the working directory, if there is one.
fn dotenv() -> Result<HashMap<String, String>, ConfigError> {
    match dotenvy::from_filename_iter(".env") {
        Ok(iter) => iter
            .map(|item| {
                item.map_err(|err| ConfigError {
                    var: ".env",
                    value: err.to_string(),
                    expected: "lines of NAME=value".to_owned(),
                })
            })
            .collect(),
        Err(dotenvy::Error::Io(err)) if err.kind() == std::io::ErrorKind::NotFound => {
            Ok(HashMap::new())
        }
        Err(err) => Err(ConfigError {
            var: ".env",
            value: err.to_string(),
            expected: "a readable file of NAME=value lines".to_owned(),
        }),
    }
}

impl Config {
    /// Reads the process environment, then `.env`, then the defaults.
    pub fn from_env() -> Result<Self, ConfigError> {
        let file = dotenv()?;
        Self::read(|name| {
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
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        Self::read(|name| get(name).map(|v| (v, Source::Env)))
    }

    fn read(get: impl Fn(&str) -> Option<(String, Source)>) -> Result<Self, ConfigError> {
        let mut r = Reader {
            get,
            raw: Vec::new(),
        };
        let host = r.parse(
            "flyer_host",
            "an IP address such as 0.0.0.0 or 127.0.0.1",
            |s| s.parse().ok(),
        )?;
        let port = r.parse("flyer_port", "a port number from 0 to 65535", |s| {
            s.parse().ok()
        })?;
        let base_url = r.parse(
            "flyer_base_url",
            "a path such as /flyer (letters, digits, - _ . ~ and /)",
            normalise_segments,
        )?;
        let version = r.parse("flyer_version", "one path segment such as v1", |s| {
            normalise_segments(s)
                .filter(|v| v.matches('/').count() <= 1)
                .map(|v| v.trim_start_matches('/').to_owned())
        })?;
        let workers = r.parse("flyer_workers", "a number of threads, 1 or more", |s| {
            if s.is_empty() {
                Some(available_cpus())
            } else {
                s.parse().ok().and_then(positive)
            }
        })?;
        let threads = r.parse("flyer_threads", "a number of threads, 1 or more", |s| {
            s.parse().ok().and_then(positive)
        })?;
        let worker_connections = r.parse(
            "flyer_worker_connections",
            "a number of connections, 1 or more",
            |s| s.parse().ok().and_then(positive),
        )?;
        let seconds = "seconds (10, 1.5) or a duration (500ms, 2m)";
        let nonzero = |d: Duration| (!d.is_zero()).then_some(d);
        let timeout = r.parse("flyer_timeout", seconds, |s| {
            duration_value(s).and_then(nonzero)
        })?;
        let header_timeout = r.parse("flyer_header_timeout", seconds, |s| {
            duration_value(s).and_then(nonzero)
        })?;
        let keepalive = r.parse("flyer_keepalive", seconds, duration_value)?;
        let graceful_timeout = r.parse("flyer_graceful_timeout", seconds, duration_value)?;
        let log_level = r.parse(
            "flyer_log_level",
            "trace, debug, info, warn, warning, error or critical",
            level_value,
        )?;
        let flag = "1 or 0 (true/false, yes/no, on/off)";
        let access_log = r.parse("flyer_access_log", flag, bool_value)?;
        let access_log_json = r.parse("flyer_access_log_json", flag, bool_value)?;
        let access_logfile = r.parse("flyer_access_logfile", "- or a file path", |s| match s {
            "" => None,
            "-" => Some(None),
            path => Some(Some(PathBuf::from(path))),
        })?;
        let body_limit = r.parse(
            "flyer_body_limit",
            "a size in bytes, or with a unit: 2MiB, 512KB",
            |s| size_value(s).and_then(positive),
        )?;
        let error_status_200 = r.parse("flyer_error_status", "200, or unset", |s| match s {
            "" => Some(false),
            "200" => Some(true),
            _ => None,
        })?;
        let trusted_proxies = r.parse(
            "flyer_trusted_proxies",
            "comma-separated IP addresses or CIDRs (10.0.0.0/8, 127.0.0.1)",
            proxies_value,
        )?;
        let auth_enable = r.parse("flyer_auth_enable", flag, bool_value)?;
        let user = r.raw("flyer_auth_user");
        let pass = r.raw("flyer_auth_pass");
        let auth = if auth_enable {
            if user.is_empty() || pass.is_empty() || user.contains(':') {
                return Err(ConfigError {
                    var: "flyer_auth_user",
                    value: user,
                    expected:
                        "a user name without `:` and a flyer_auth_pass, since flyer_auth_enable=1"
                            .to_owned(),
                });
            }
            Some(BasicAuth {
                user,
                pass: Secret(pass),
            })
        } else {
            None
        };
        let redis = redis_settings(&mut r)?;
        let queue_backend = r.parse("flyer_queue_backend", "local or redis", |s| match s {
            "local" => Some(QueueBackend::Local),
            "redis" => Some(QueueBackend::Redis),
            _ => None,
        })?;
        if queue_backend == QueueBackend::Redis && redis.is_none() {
            return Err(ConfigError {
                var: "flyer_queue_backend",
                value: "redis".to_owned(),
                expected: "a Redis to use: set flyer_redis_url or flyer_redis_host".to_owned(),
            });
        }
        let role = r.parse("flyer_role", "all, gateway or worker", |s| match s {
            "all" => Some(Role::All),
            "gateway" => Some(Role::Gateway),
            "worker" => Some(Role::Worker),
            _ => None,
        })?;
        if role != Role::All && queue_backend != QueueBackend::Redis {
            return Err(ConfigError {
                var: "flyer_role",
                value: r.raw.last().map(|v| v.1.clone()).unwrap_or_default(),
                expected:
                    "all, unless flyer_queue_backend=redis (gateways and workers meet in Redis)"
                        .to_owned(),
            });
        }
        let queue_namespace = r.parse(
            "flyer_queue_namespace",
            "letters, digits, - _ . and :",
            |s| {
                let ok = s
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'));
                ok.then(|| (!s.is_empty()).then(|| s.to_owned()))
            },
        )?;
        let queue_timeout = r.parse("flyer_queue_timeout", seconds, |s| {
            duration_value(s).and_then(nonzero)
        })?;
        let db = db_settings(&mut r)?;
        Ok(Config {
            host,
            port,
            base_url,
            version,
            workers,
            threads,
            worker_connections,
            timeout,
            header_timeout,
            keepalive,
            graceful_timeout,
            log_level,
            access_log,
            access_log_json,
            access_logfile,
            body_limit,
            error_status_200,
            trusted_proxies,
            auth,
            redis,
            queue_backend,
            role,
            queue_namespace,
            queue_timeout,
            db,
            raw: r.raw,
        })
    }

    /// `{flyer_base_url}/{flyer_version}`: where every route lives (`/flyer/v1`).
    pub fn prefix(&self) -> String {
        if self.version.is_empty() {
            self.base_url.clone()
        } else {
            format!("{}/{}", self.base_url, self.version)
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
                self.workers.to_string()
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
mod tests {
    use super::*;

    fn with(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        Config::from_lookup(|n| {
            vars.iter()
                .find(|(k, _)| *k == n)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn defaults() {
        let c = with(&[]).unwrap();
        assert_eq!(c.port, 8080);
        assert_eq!(c.prefix(), "/flyer/v1");
        assert_eq!(c.body_limit, 2 << 20);
        assert_eq!(c.timeout, Duration::from_secs(60));
        assert_eq!(c.threads, 512);
        assert!(c.workers >= 1);
        assert!(c.access_logfile.is_none());
        assert!(c.auth.is_none());
    }

    #[test]
    fn parses_values() {
        let c = with(&[
            ("flyer_base_url", "api/"),
            ("flyer_version", "v2"),
            ("flyer_timeout", "1.5"),
            ("flyer_keepalive", "500ms"),
            ("flyer_body_limit", "512KB"),
            ("flyer_trusted_proxies", "10.0.0.0/8, 127.0.0.1"),
            ("flyer_log_level", "WARNING"),
        ])
        .unwrap();
        assert_eq!(c.prefix(), "/api/v2");
        assert_eq!(c.timeout, Duration::from_millis(1500));
        assert_eq!(c.keepalive, Duration::from_millis(500));
        assert_eq!(c.body_limit, 512_000);
        assert_eq!(c.trusted_proxies.len(), 2);
        assert_eq!(c.log_level, tracing::Level::WARN);
    }

    #[test]
    fn rejects_bad_values_naming_them() {
        for (var, value) in [
            ("flyer_port", "80a"),
            ("flyer_base_url", "/a b"),
            ("flyer_version", "v1/x"),
            ("flyer_host", "nowhere"),
            ("flyer_workers", "0"),
            ("flyer_timeout", "0"),
            ("flyer_timeout", "soon"),
            ("flyer_body_limit", "2 parsecs"),
            ("flyer_error_status", "500"),
            ("flyer_trusted_proxies", "10.0.0.0/99"),
            ("flyer_access_log", "maybe"),
            ("flyer_log_level", "loud"),
        ] {
            let e = with(&[(var, value)]).unwrap_err();
            assert_eq!(e.var, var);
            assert!(e.to_string().contains(&format!("{value:?}")), "{e}");
        }
    }

    #[test]
    fn urls_are_shown_with_the_password_masked() {
        for (url, shown) in [
            (
                "postgres://app:hunter2@db:5432/app?sslmode=require&password=x",
                "postgres://app:***@db:5432/app",
            ),
            ("mysql://root@db/app", "mysql://root@db/app"),
            ("mysql://a:b:c@d@db/app", "mysql://a:***@db/app"),
            ("sqlite://flyer.db?mode=rwc", "sqlite://flyer.db"),
            ("not a url", "not a url"),
        ] {
            assert_eq!(redact_url(url), shown);
        }
    }

    #[test]
    fn auth_needs_credentials_and_hides_the_password() {
        let e = with(&[("flyer_auth_enable", "1")]).unwrap_err();
        assert_eq!(e.var, "flyer_auth_user");
        let c = with(&[
            ("flyer_auth_enable", "1"),
            ("flyer_auth_user", "ops"),
            ("flyer_auth_pass", "s3cret"),
        ])
        .unwrap();
        assert_eq!(c.auth.as_ref().unwrap().pass.expose(), "s3cret");
        assert!(!format!("{c:?}").contains("s3cret"), "{c:?}");
        assert!(!c.describe().contains("s3cret"));
        assert!(c.describe().contains("flyer_auth_pass=***"));
    }
}
