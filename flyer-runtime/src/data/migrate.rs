//! The service's schema migrations (sea-orm-migration), registered once with
//! `serve!(migrator = Migrator)`: run at start-up when `flyer_db_migrate=1` (the default
//! for SQLite), and by the binary's `migrate` command (`up`, `down`, `status`, `fresh`).
//!
//! On MySQL/MariaDB and PostgreSQL, migrations run on one connection holding a lock named
//! after the database, so instances starting together migrate one after the other instead
//! of racing. Start-up migrations run in the background: while the database does not
//! answer they are retried, the service is not ready (`/ready`), and handlers taking
//! `db: Db` answer 50300; a migration that fails for any other reason is logged and
//! leaves the service not ready until it is fixed.

use std::future::Future;
use std::io::Write;
use std::pin::Pin;
use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement};
use sea_orm_migration::{MigrationStatus, MigratorTrait};

use super::db::{self, Db, Schema};
use super::db_error::is_unavailable;
#[cfg(feature = "sqlite")]
use crate::config::DbConnect;
use crate::config::DbSettings;

type Fut<'a, T> = Pin<Box<dyn Future<Output = Result<T, DbErr>> + Send + 'a>>;
/// Every migration's name, and whether it is applied.
type Statuses = Vec<(String, bool)>;

/// A service's migrations: its sea-orm-migration `Migrator`, as `serve!(migrator = M)`
/// and [`TestServer::with_migrator`](crate::testing::TestServer::with_migrator) register
/// it. Build one with [`Migrations::of`].
#[derive(Clone, Copy)]
pub struct Migrations {
    up: for<'a> fn(&'a DatabaseConnection, Option<u32>) -> Fut<'a, ()>,
    down: for<'a> fn(&'a DatabaseConnection, Option<u32>) -> Fut<'a, ()>,
    fresh: for<'a> fn(&'a DatabaseConnection) -> Fut<'a, ()>,
    status: for<'a> fn(&'a DatabaseConnection) -> Fut<'a, Statuses>,
}

impl std::fmt::Debug for Migrations {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Migrations")
    }
}

impl Migrations {
    /// The migrations of `M`.
    pub fn of<M: MigratorTrait + 'static>() -> Self {
        fn up<M: MigratorTrait + 'static>(db: &DatabaseConnection, n: Option<u32>) -> Fut<'_, ()> {
            M::up(db, n)
        }
        fn down<M: MigratorTrait + 'static>(
            db: &DatabaseConnection,
            n: Option<u32>,
        ) -> Fut<'_, ()> {
            M::down(db, n)
        }
        fn fresh<M: MigratorTrait + 'static>(db: &DatabaseConnection) -> Fut<'_, ()> {
            M::fresh(db)
        }
        fn status<M: MigratorTrait + 'static>(db: &DatabaseConnection) -> Fut<'_, Statuses> {
            Box::pin(async move {
                // Read-only: `status` creates no table, so any user may run it.
                Ok(M::get_migration_with_status_read_only(db)
                    .await?
                    .iter()
                    .map(|m| (m.name().to_owned(), m.status() == MigrationStatus::Applied))
                    .collect())
            })
        }
        Migrations {
            up: up::<M>,
            down: down::<M>,
            fresh: fresh::<M>,
            status: status::<M>,
        }
    }
}

/// How many of `migrations` the database lacks (read-only: creates no table).
pub(crate) async fn pending(db: &Db, migrations: Migrations) -> Result<usize, DbErr> {
    Ok((migrations.status)(db.conn())
        .await?
        .iter()
        .filter(|(_, applied)| !applied)
        .count())
}

/// `migrate`'s actions.
#[derive(clap::Subcommand, Clone, Copy, Debug)]
pub(crate) enum Action {
    /// Apply pending migrations (all of them, or the next N).
    Up {
        /// How many to apply.
        steps: Option<u32>,
    },
    /// Roll back the last N applied migrations (default 1).
    Down {
        /// How many to roll back.
        #[arg(default_value_t = 1)]
        steps: u32,
    },
    /// List every migration, applied or pending.
    Status,
    /// Drop every table of the database, then apply every migration.
    Fresh,
}

/// A lock key per database: PostgreSQL's advisory locks are per database already.
const PG_LOCK_KEY: i64 = 0x666c_7965_725f_6d69; // "flyer_mi"
/// How long an instance waits for another one's migrations (MySQL's lock needs a bound).
const MYSQL_LOCK_WAIT_SECS: u32 = 3600;

/// Runs `work` on a connection fit for migrations, alone: for SQLite the pool itself (an
/// in-memory database exists only there) while this process holds a lock file beside the
/// database; for the servers one connection of its own, holding the database's lock.
async fn locked<T>(
    db: &Db,
    work: impl for<'a> FnOnce(&'a DatabaseConnection) -> Fut<'a, T>,
) -> Result<T, DbErr> {
    let backend = db.get_database_backend();
    if backend == DbBackend::Sqlite {
        #[cfg(feature = "sqlite")]
        let _lock = match &db.settings().connect {
            DbConnect::Sqlite(o) if !db.settings().in_memory => {
                Some(lock_file(o.get_filename()).await?)
            }
            #[allow(unreachable_patterns)]
            _ => None,
        };
        return work(db.conn()).await;
    }
    let mut settings = db.settings().clone();
    settings.acquire_timeout = settings.connect_timeout;
    let conn = db::pool(&settings, 1);
    let result = async {
        match backend {
            DbBackend::Postgres => {
                conn.execute_unprepared(&format!("SELECT pg_advisory_lock({PG_LOCK_KEY})"))
                    .await?;
            }
            _ => {
                let stmt = Statement::from_string(
                    backend,
                    format!(
                        "SELECT CAST(GET_LOCK(CONCAT('flyer_migrate:', DATABASE()), {MYSQL_LOCK_WAIT_SECS}) AS SIGNED) AS locked"
                    ),
                );
                let got: Option<i64> = match conn.query_one_raw(stmt).await? {
                    Some(row) => row.try_get("", "locked")?,
                    None => None,
                };
                if got != Some(1) {
                    return Err(DbErr::Migration(
                        "another instance held the migration lock for too long".to_owned(),
                    ));
                }
            }
        }
        work(&conn).await
    }
    .await;
    // Closing the connection releases the lock, whatever happened above.
    let _ = conn.close().await;
    result
}

/// Takes `{database}-migrate-lock`, beside a SQLite file, for this process: another one
/// migrating the same file waits. Released when the returned file is dropped. Polled, not
/// blocked on: a blocking thread would be one more thread of the service's pools.
#[cfg(feature = "sqlite")]
async fn lock_file(database: &std::path::Path) -> Result<std::fs::File, DbErr> {
    let mut path = database.as_os_str().to_owned();
    path.push("-migrate-lock");
    let cannot = |e: &dyn std::fmt::Display| {
        DbErr::Migration(format!("cannot lock the database for migrations: {e}"))
    };
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| cannot(&e))?;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(std::fs::TryLockError::WouldBlock) => {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(cannot(&e)),
        }
    }
}

/// Starts the start-up migrations in the background when `migrations` are registered
/// and `flyer_db_migrate` is on; until they are done, the schema is `Pending`.
pub(crate) fn at_startup(db: &Db, migrations: Option<Migrations>) {
    let Some(migrations) = migrations.filter(|_| db.settings().migrate) else {
        return;
    };
    db.set_schema(Schema::Pending("not run yet".to_owned()));
    let db = db.clone();
    tokio::spawn(async move {
        let mut backoff = Duration::from_millis(100);
        let mut warned = false;
        loop {
            match locked(&db, |c| (migrations.up)(c, None)).await {
                Ok(()) => {
                    tracing::info!(database = db.target(), "database migrated");
                    db.set_schema(Schema::Ready);
                    return;
                }
                Err(err) if is_unavailable(&err) => {
                    if !warned {
                        tracing::warn!(
                            database = db.target(),
                            error = %err,
                            "the database does not answer: migrations will run when it does"
                        );
                        warned = true;
                    }
                    db.set_schema(Schema::Pending("the database does not answer".to_owned()));
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(5));
                }
                Err(err) => {
                    tracing::error!(database = db.target(), error = %err, "migration failed");
                    db.set_schema(Schema::Failed("see the service's log".to_owned()));
                    return;
                }
            }
        }
    });
}

/// The `migrate` command: runs `action` and prints what changed; returns the exit code.
pub(crate) fn command(
    name: &str,
    settings: &DbSettings,
    migrations: Option<Migrations>,
    action: Action,
) -> i32 {
    let Some(migrations) = migrations else {
        eprintln!(
            "{name}: this service registers no migrations: serve them with `flyer_runtime::serve!(migrator = Migrator)`"
        );
        return 2;
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("{name}: cannot start the tokio runtime: {err}");
            return 1;
        }
    };
    runtime.block_on(async {
        let db = Db::connect(settings);
        let result = run(&db, migrations, action).await;
        db.close().await;
        match result {
            Ok(lines) => {
                let mut out = std::io::stdout().lock();
                for line in lines {
                    let _ = writeln!(out, "{line}");
                }
                0
            }
            Err(err) => {
                eprintln!("{name}: migrate: database {}: {err}", db.target());
                1
            }
        }
    })
}

async fn run(db: &Db, m: Migrations, action: Action) -> Result<Vec<String>, DbErr> {
    locked(db, |conn| {
        Box::pin(async move {
            if let Action::Status = action {
                return Ok((m.status)(conn)
                    .await?
                    .into_iter()
                    .map(|(name, applied)| {
                        format!("{}  {name}", if applied { "applied" } else { "pending" })
                    })
                    .collect());
            }
            let before = (m.status)(conn).await?;
            match action {
                Action::Up { steps } => (m.up)(conn, steps).await?,
                Action::Down { steps } => (m.down)(conn, Some(steps)).await?,
                Action::Fresh => (m.fresh)(conn).await?,
                Action::Status => unreachable!("answered above"),
            }
            let after = (m.status)(conn).await?;
            let mut lines: Vec<String> = Vec::new();
            if let Action::Fresh = action {
                lines.push("dropped every table".to_owned());
            }
            for ((name, was), (_, is)) in before.iter().zip(&after) {
                match (was, is) {
                    (false, true) => lines.push(format!("applied  {name}")),
                    (true, false) => lines.push(format!("rolled back  {name}")),
                    (true, true) if matches!(action, Action::Fresh) => {
                        lines.push(format!("applied  {name}"))
                    }
                    _ => {}
                }
            }
            if lines.is_empty() {
                lines.push("nothing to do".to_owned());
            }
            Ok(lines)
        })
    })
    .await
}
