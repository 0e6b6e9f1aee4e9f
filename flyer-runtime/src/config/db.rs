//! The SQL database (`flyer_db_*`): a URL, or Flyer's parts; SQLite's `flyer.db` when
//! nothing is set.

use std::fmt;
use std::time::Duration;

use sea_orm::sqlx::mysql::MySqlConnectOptions;
use sea_orm::sqlx::postgres::PgConnectOptions;
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};

use super::secret::{self, Secret};
use super::values::{self, POSITIVE_SECONDS};
use super::vars::{Reader, secret, settings, var};

settings! {
    URL: Secret = secret(
        "flyer_db_url",
        "sqlite://path?mode=rwc, mysql://user:pass@host:3306/db (MariaDB too) or postgres://user:pass@host:5432/db; wins over the flyer_db_* parts",
    )
    .parsed("a database URL", secret::parse);
    DRIVER: DbDriver = var(
        "flyer_db_driver",
        "sqlite",
        "sqlite (a file, nothing to install), mysql (MySQL or MariaDB) or postgres",
    )
    .parsed("sqlite, mysql (MariaDB too) or postgres", driver);
    HOST: String = var("flyer_db_host", "127.0.0.1", "database server host (mysql, postgres)")
        .parsed("a host name or address", values::text);
    PORT: Option<u16> = var("flyer_db_port", "", "database server port (default: 3306 for mysql, 5432 for postgres)")
        .parsed("a port number", values::optional_port);
    USER: String = var("flyer_db_user", "", "database user (default: root for mysql, postgres for postgres)")
        .parsed("a user name", values::text);
    PASS: Secret = secret("flyer_db_pass", "database password").parsed("a password", secret::parse);
    NAME: String = var(
        "flyer_db_name",
        "",
        "database name (default: flyer); for sqlite the file (default: flyer.db, created on first use)",
    )
    .parsed("a database name", values::text);
    POOL_SIZE: u32 = var("flyer_db_pool_size", "32", "most database connections open at once (opened on demand)")
        .parsed("a number of connections, 1 or more", values::count_u32);
    RECYCLE: Duration = var(
        "flyer_db_recycle",
        "1800",
        "seconds a database connection lives before it is closed and replaced",
    )
    .parsed(POSITIVE_SECONDS, values::positive_duration);
    ACQUIRE_TIMEOUT: Duration = var(
        "flyer_db_acquire_timeout",
        "5",
        "seconds a query waits for a pooled connection, a new one being opened included (50300 after)",
    )
    .parsed(POSITIVE_SECONDS, values::positive_duration);
    CONNECT_TIMEOUT: Duration = var(
        "flyer_db_connect_timeout",
        "5",
        "seconds /ready, start-up migrations and the migrate command wait for the database to answer",
    )
    .parsed(POSITIVE_SECONDS, values::positive_duration);
    MIGRATE: Option<bool> = var(
        "flyer_db_migrate",
        "",
        "run the registered migrations at start-up (1) or not (0); default: 1 for sqlite, 0 otherwise",
    )
    .parsed("1 or 0 (true/false, yes/no, on/off), or unset", values::optional_flag);
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

fn driver(raw: &str) -> Option<DbDriver> {
    match raw.to_ascii_lowercase().as_str() {
        "sqlite" => Some(DbDriver::Sqlite),
        "mysql" | "mariadb" => Some(DbDriver::MySql),
        "postgres" | "postgresql" => Some(DbDriver::Postgres),
        _ => None,
    }
}

/// How to reach the database, credentials included: never printed.
#[derive(Clone)]
pub enum DbConnect {
    /// SQLite.
    Sqlite(SqliteConnectOptions),
    /// MySQL or MariaDB.
    MySql(MySqlConnectOptions),
    /// PostgreSQL.
    Postgres(PgConnectOptions),
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

/// The parts of the group that say where the database is.
struct Parts {
    driver: DbDriver,
    host: String,
    port: Option<u16>,
    user: String,
    pass: Secret,
    name: String,
}

/// Reads the group.
pub(super) fn read(r: &mut Reader<'_>) -> DbSettings {
    let url = r.get(&URL);
    let parts = Parts {
        driver: r.get(&DRIVER),
        host: r.get(&HOST),
        port: r.get(&PORT),
        user: r.get(&USER),
        pass: r.get(&PASS),
        name: r.get(&NAME),
    };
    let pool_size = r.get(&POOL_SIZE);
    let recycle = r.get(&RECYCLE);
    let acquire_timeout = r.get(&ACQUIRE_TIMEOUT);
    let connect_timeout = r.get(&CONNECT_TIMEOUT);
    let migrate = r.get(&MIGRATE);
    let (connect, in_memory) = if url.is_empty() {
        from_parts(parts)
    } else {
        match from_url(url.expose()) {
            Ok(found) => found,
            Err(why) => {
                // The URL holds the password: the error shows it masked.
                r.fail_shown(
                    &URL.var,
                    redact_url(url.expose()),
                    format!(
                        "a database URL such as sqlite://flyer.db?mode=rwc, mysql://user:pass@127.0.0.1:3306/db or postgres://user:pass@127.0.0.1:5432/db ({why})"
                    ),
                );
                from_parts(parts)
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
    DbSettings {
        connect,
        in_memory,
        pool_size,
        recycle,
        acquire_timeout,
        connect_timeout,
        migrate: migrate.unwrap_or(is_sqlite),
        target,
    }
}

/// The connection `url` names, and whether it is an in-memory SQLite; `Err` says why not.
fn from_url(url: &str) -> Result<(DbConnect, bool), String> {
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
        other => return Err(format!("unknown scheme {other:?}")),
    };
    // sqlx's messages name the problem (a bad port, an unknown sslmode), never the
    // password: checked in the tests.
    parsed.map_err(|e| {
        let msg = e.to_string();
        msg.strip_prefix("error with configuration: ")
            .unwrap_or(&msg)
            .to_owned()
    })
}

/// The connection Flyer's parts describe.
fn from_parts(p: Parts) -> (DbConnect, bool) {
    let host = if p.host.is_empty() {
        "127.0.0.1"
    } else {
        &p.host
    };
    let or = |value: &str, default: &'static str| -> String {
        if value.is_empty() {
            default.to_owned()
        } else {
            value.to_owned()
        }
    };
    match p.driver {
        DbDriver::Sqlite => {
            let file = or(&p.name, "flyer.db");
            if file == ":memory:" {
                let options = ":memory:"
                    .parse::<SqliteConnectOptions>()
                    .expect("`:memory:` is a valid SQLite database");
                return (DbConnect::Sqlite(options), true);
            }
            let options = SqliteConnectOptions::new()
                .filename(file)
                .create_if_missing(true)
                // Readers do not block the writer, nor the writer them: what a pool of
                // connections to one file needs.
                .journal_mode(SqliteJournalMode::Wal);
            (DbConnect::Sqlite(options), false)
        }
        DbDriver::MySql => {
            let mut options = MySqlConnectOptions::new()
                .host(host)
                .port(p.port.unwrap_or(3306))
                .username(&or(&p.user, "root"))
                .database(&or(&p.name, "flyer"));
            if !p.pass.is_empty() {
                options = options.password(p.pass.expose());
            }
            (DbConnect::MySql(options), false)
        }
        DbDriver::Postgres => {
            let mut options = PgConnectOptions::new_without_pgpass()
                .host(host)
                .port(p.port.unwrap_or(5432))
                .username(&or(&p.user, "postgres"))
                .database(&or(&p.name, "flyer"));
            if !p.pass.is_empty() {
                options = options.password(p.pass.expose());
            }
            (DbConnect::Postgres(options), false)
        }
    }
}

/// `scheme://user:***@host/...`: the URL with its password masked, and its query (which
/// may carry one too) dropped.
pub(super) fn redact_url(url: &str) -> String {
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
