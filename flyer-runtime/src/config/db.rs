//! The SQL database (`flyer_db_*`): a URL, or Flyer's parts; SQLite's `flyer.db` when
//! nothing is set.

use std::fmt;
use std::time::Duration;

#[cfg(feature = "mysql")]
use sea_orm::sqlx::mysql::MySqlConnectOptions;
#[cfg(feature = "postgres")]
use sea_orm::sqlx::postgres::PgConnectOptions;
#[cfg(feature = "sqlite")]
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
        DEFAULT_DRIVER,
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

/// The driver used when none is named: SQLite, when this build has it.
const DEFAULT_DRIVER: &str = if cfg!(feature = "sqlite") {
    "sqlite"
} else if cfg!(feature = "postgres") {
    "postgres"
} else {
    "mysql"
};

/// Why a driver cannot be used: this build was made without it.
fn missing(driver: &str) -> String {
    format!("this build has no {driver} driver: enable flyer-runtime's `{driver}` feature")
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
    /// `sqlite`, `mysql` or `postgres`: as `flyer_db_driver` and the features name it.
    fn name(self) -> &'static str {
        match self {
            DbDriver::Sqlite => "sqlite",
            DbDriver::MySql => "mysql",
            DbDriver::Postgres => "postgres",
        }
    }
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
    #[cfg(feature = "sqlite")]
    Sqlite(SqliteConnectOptions),
    /// MySQL or MariaDB.
    #[cfg(feature = "mysql")]
    MySql(MySqlConnectOptions),
    /// PostgreSQL.
    #[cfg(feature = "postgres")]
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
            #[cfg(feature = "sqlite")]
            DbConnect::Sqlite(_) => DbDriver::Sqlite,
            #[cfg(feature = "mysql")]
            DbConnect::MySql(_) => DbDriver::MySql,
            #[cfg(feature = "postgres")]
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
// SQLite reads only the driver and the name.
#[cfg_attr(not(any(feature = "mysql", feature = "postgres")), allow(dead_code))]
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
    let driver = parts.driver;
    let found = if url.is_empty() {
        from_parts(parts).map_err(|why| (&DRIVER.var, driver.name().to_owned(), why))
    } else {
        from_url(url.expose()).map_err(|why| {
            // The URL holds the password: the error shows it masked.
            let expected = format!(
                "a database URL such as sqlite://flyer.db?mode=rwc, mysql://user:pass@127.0.0.1:3306/db or postgres://user:pass@127.0.0.1:5432/db ({why})"
            );
            (&URL.var, redact_url(url.expose()), expected)
        })
    };
    let (connect, in_memory) = match found {
        Ok(found) => found,
        Err((var, shown, expected)) => {
            r.fail_shown(var, shown, expected);
            default_connect()
        }
    };
    let target = match &connect {
        #[cfg(feature = "sqlite")]
        DbConnect::Sqlite(o) => format!("sqlite {}", o.get_filename().display()),
        #[cfg(feature = "mysql")]
        DbConnect::MySql(o) => format!(
            "mysql {}:{}/{}",
            o.get_host(),
            o.get_port(),
            o.get_database().unwrap_or("")
        ),
        #[cfg(feature = "postgres")]
        DbConnect::Postgres(o) => format!(
            "postgres {}:{}/{}",
            o.get_host(),
            o.get_port(),
            o.get_database().unwrap_or("")
        ),
    };
    let is_sqlite = target.starts_with("sqlite ");
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

/// What stands in for a connection that is wrongly configured, so that reading goes on
/// (the configuration is refused anyway).
fn default_connect() -> (DbConnect, bool) {
    let parts = Parts {
        driver: driver(DEFAULT_DRIVER).unwrap_or(DbDriver::Sqlite),
        host: String::new(),
        port: None,
        user: String::new(),
        pass: Secret::new(""),
        name: String::new(),
    };
    from_parts(parts).expect("the default driver is in the build")
}

/// The connection `url` names, and whether it is an in-memory SQLite; `Err` says why not.
fn from_url(url: &str) -> Result<(DbConnect, bool), String> {
    let scheme = url.split_once(':').map_or("", |(s, _)| s);
    // sqlx's messages name the problem (a bad port, an unknown sslmode), never the
    // password: checked in the tests.
    #[allow(unused)]
    let sqlx = |e: sea_orm::sqlx::Error| {
        let msg = e.to_string();
        msg.strip_prefix("error with configuration: ")
            .unwrap_or(&msg)
            .to_owned()
    };
    match scheme.to_ascii_lowercase().as_str() {
        #[cfg(feature = "sqlite")]
        "sqlite" => url.parse::<SqliteConnectOptions>().map_err(sqlx).map(|o| {
            (
                DbConnect::Sqlite(o),
                url.contains(":memory:") || url.contains("mode=memory"),
            )
        }),
        #[cfg(feature = "mysql")]
        "mysql" | "mariadb" => url
            .parse::<MySqlConnectOptions>()
            .map_err(sqlx)
            .map(|o| (DbConnect::MySql(o), false)),
        #[cfg(feature = "postgres")]
        "postgres" | "postgresql" => url
            .parse::<PgConnectOptions>()
            .map_err(sqlx)
            .map(|o| (DbConnect::Postgres(o), false)),
        #[allow(unreachable_patterns)]
        "sqlite" => Err(missing("sqlite")),
        #[allow(unreachable_patterns)]
        "mysql" | "mariadb" => Err(missing("mysql")),
        #[allow(unreachable_patterns)]
        "postgres" | "postgresql" => Err(missing("postgres")),
        other => Err(format!("unknown scheme {other:?}")),
    }
}

/// The connection Flyer's parts describe; `Err` when this build lacks the driver.
fn from_parts(p: Parts) -> Result<(DbConnect, bool), String> {
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
        #[cfg(feature = "sqlite")]
        DbDriver::Sqlite => {
            let _ = host;
            let file = or(&p.name, "flyer.db");
            if file == ":memory:" {
                let options = ":memory:"
                    .parse::<SqliteConnectOptions>()
                    .expect("`:memory:` is a valid SQLite database");
                return Ok((DbConnect::Sqlite(options), true));
            }
            let options = SqliteConnectOptions::new()
                .filename(file)
                .create_if_missing(true)
                // Readers do not block the writer, nor the writer them: what a pool of
                // connections to one file needs.
                .journal_mode(SqliteJournalMode::Wal);
            Ok((DbConnect::Sqlite(options), false))
        }
        #[cfg(feature = "mysql")]
        DbDriver::MySql => {
            let mut options = MySqlConnectOptions::new()
                .host(host)
                .port(p.port.unwrap_or(3306))
                .username(&or(&p.user, "root"))
                .database(&or(&p.name, "flyer"));
            if !p.pass.is_empty() {
                options = options.password(p.pass.expose());
            }
            Ok((DbConnect::MySql(options), false))
        }
        #[cfg(feature = "postgres")]
        DbDriver::Postgres => {
            let mut options = PgConnectOptions::new_without_pgpass()
                .host(host)
                .port(p.port.unwrap_or(5432))
                .username(&or(&p.user, "postgres"))
                .database(&or(&p.name, "flyer"));
            if !p.pass.is_empty() {
                options = options.password(p.pass.expose());
            }
            Ok((DbConnect::Postgres(options), false))
        }
        #[allow(unreachable_patterns)]
        other => {
            let _ = (host, or);
            Err(missing(other.name()))
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
