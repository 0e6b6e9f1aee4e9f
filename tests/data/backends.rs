//! Scratch databases: a temporary SQLite file, or a database of its own on the shared
//! MariaDB or PostgreSQL server, named after this process so parallel runs never meet.
//! A run that died leaves its databases behind; the next run drops those whose process
//! is gone.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use flyer_demo::migration::Migrator;
use flyer_runtime::testing::{self, TestServer};
use flyer_tests::{Answer, get};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, Statement};

/// The three databases flyer speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Backend {
    Sqlite,
    MariaDb,
    Postgres,
}

/// A server's address, and how to start it when it does not answer (from SERVICES.md).
struct Server {
    name: &'static str,
    port: u16,
    admin_url: &'static str,
    start: &'static str,
}

const MARIADB: Server = Server {
    name: "MariaDB",
    port: 3306,
    admin_url: "mysql://root@127.0.0.1:3306/mysql",
    start: "start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd",
};

const POSTGRES: Server = Server {
    name: "PostgreSQL",
    port: 5432,
    admin_url: "postgres://postgres@127.0.0.1:5432/postgres",
    start: "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
};

const PREFIX: &str = "flyer_t_";

/// A database of its own for one test.
pub(crate) struct Scratch {
    pub backend: Backend,
    /// The database's name (SQLite: the file).
    pub name: String,
    /// The server's port (0 for SQLite).
    pub port: u16,
    admin: Option<DatabaseConnection>,
    _dir: Option<tempfile::TempDir>,
}

impl Scratch {
    /// Creates the database; fails the test, naming the server and how to start it,
    /// when the server does not answer.
    pub(crate) async fn new(backend: Backend) -> Self {
        static SEQ: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "{PREFIX}{}_{}",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::Relaxed)
        );
        let server = match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("a temporary directory");
                let file = dir.path().join(format!("{name}.db"));
                return Scratch {
                    backend,
                    name: file.display().to_string(),
                    port: 0,
                    admin: None,
                    _dir: Some(dir),
                };
            }
            Backend::MariaDb => &MARIADB,
            Backend::Postgres => &POSTGRES,
        };
        let mut options = ConnectOptions::new(server.admin_url);
        // A server that is down fails the test in seconds, not sqlx's default 30.
        options
            .connect_timeout(Duration::from_secs(5))
            .sqlx_logging(false);
        let admin = Database::connect(options).await.unwrap_or_else(|err| {
            panic!(
                "{} does not answer on 127.0.0.1:{} ({err}); start it with: {}",
                server.name, server.port, server.start
            )
        });
        drop_abandoned(&admin, backend).await;
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap_or_else(|err| panic!("cannot create the scratch database {name}: {err}"));
        Scratch {
            backend,
            name,
            port: server.port,
            admin: Some(admin),
            _dir: None,
        }
    }

    /// The database's URL through `port` (a proxy, say), with `password` in it when given
    /// (PostgreSQL's trust auth ignores it: the tests use it to check it never leaks).
    pub(crate) fn url_via(&self, port: u16, password: Option<&str>) -> String {
        let auth = |user: &str| match password {
            Some(p) => format!("{user}:{p}"),
            None => user.to_owned(),
        };
        match self.backend {
            Backend::Sqlite => format!("sqlite://{}?mode=rwc", self.name),
            Backend::MariaDb => format!("mysql://{}@127.0.0.1:{port}/{}", auth("root"), self.name),
            Backend::Postgres => format!(
                "postgres://{}@127.0.0.1:{port}/{}",
                auth("postgres"),
                self.name
            ),
        }
    }

    /// The database's URL.
    pub(crate) fn url(&self) -> String {
        self.url_via(self.port, None)
    }

    /// A test server of the database, its migrations run at start-up, with `vars` set too.
    pub(crate) async fn serve(&self, vars: &[(&str, &str)]) -> TestServer {
        let url = self.url();
        serve_url(&url, vars).await
    }

    /// Drops the database (SQLite's file goes with its directory).
    pub(crate) async fn drop(self) {
        if let Some(admin) = &self.admin {
            drop_database(admin, self.backend, &self.name).await;
            let _ = admin.clone().close().await;
        }
    }
}

/// A test server of the database at `url`, migrations run at start-up, `vars` set too.
pub(crate) async fn serve_url(url: &str, vars: &[(&str, &str)]) -> TestServer {
    let mut all = vec![("flyer_db_url", url), ("flyer_db_migrate", "1")];
    all.extend_from_slice(vars);
    let config = testing::config(&all).expect("a valid configuration");
    TestServer::with_migrator::<Migrator>(config).await
}

async fn drop_database(admin: &DatabaseConnection, backend: Backend, name: &str) {
    let sql = match backend {
        // FORCE: a pool of a test that failed may still hold connections.
        Backend::Postgres => format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        _ => format!("DROP DATABASE IF EXISTS {name}"),
    };
    if let Err(err) = admin.execute_unprepared(&sql).await {
        eprintln!("cannot drop the scratch database {name}: {err}");
    }
}

/// Drops the scratch databases of processes that are gone.
async fn drop_abandoned(admin: &DatabaseConnection, backend: Backend) {
    let sql = match backend {
        Backend::Postgres => {
            format!("SELECT datname AS name FROM pg_database WHERE datname LIKE '{PREFIX}%'")
        }
        _ => format!(
            "SELECT schema_name AS name FROM information_schema.schemata WHERE schema_name LIKE '{PREFIX}%'"
        ),
    };
    let stmt = Statement::from_string(admin.get_database_backend(), sql);
    let Ok(rows) = admin.query_all_raw(stmt).await else {
        return;
    };
    for row in rows {
        let Ok(name) = row.try_get::<String>("", "name") else {
            continue;
        };
        let pid = name
            .strip_prefix(PREFIX)
            .and_then(|rest| rest.split('_').next())
            .and_then(|pid| pid.parse::<u32>().ok());
        if pid.is_some_and(|pid| !std::path::Path::new(&format!("/proc/{pid}")).exists()) {
            drop_database(admin, backend, &name).await;
        }
    }
}

/// Polls `url` (a `/ready`) until it answers 200, for at most `within`; the last answer.
pub(crate) async fn until_ready(url: &str, within: Duration) -> Answer {
    let started = Instant::now();
    loop {
        let answer = get(url).await;
        if answer.status == 200 || started.elapsed() > within {
            return answer;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
