//! The SQL database through sea-orm: one pool (`flyer_db_*`), handed to handlers as
//! `db: Db`.
//!
//! The pool is lazy: nothing connects at start-up, so a service starts while its database
//! is down, and a query that needs a connection opens one, or waits for a free one, for at
//! most `flyer_db_acquire_timeout` (50300 after). A connection found dead is dropped and
//! replaced, so the service heals when the database comes back, without a restart.
//! Database errors become envelopes: see [`error`].

use std::sync::Arc;
use std::time::Duration;

use sea_orm::sqlx::pool::{PoolConnectionMetadata, PoolOptions};
use sea_orm::sqlx::{self, Connection};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, ExecResult,
    QueryResult, Statement, TransactionTrait,
};
use tokio::sync::watch;

pub use super::db_error::error;

use super::db_error::describe;
use crate::config::{DbConnect, DbDriver, DbSettings};
use crate::error::{Error, Result};

/// A connection idle at least this long is pinged before it is handed out: it may have
/// died meanwhile (a restarted server, a cut network). Busier ones are not, which saves a
/// round trip per query; one that died anyway fails its query (50300) and is dropped.
const PING_IF_IDLE_FOR: Duration = Duration::from_secs(1);
/// An idle connection is closed after this long: the pool shrinks back when traffic does.
const IDLE_TIMEOUT: Duration = Duration::from_secs(600);

/// Where the schema stands, for the service's own migrations run at start-up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Schema {
    /// Migrated, or nothing to migrate here.
    Ready,
    /// Start-up migrations have not run yet (the reason: the database does not answer, say).
    Pending(String),
    /// A migration failed: the process needs a fix and a restart.
    Failed(String),
}

struct Inner {
    conn: DatabaseConnection,
    settings: DbSettings,
    schema: watch::Sender<Schema>,
}

/// The database pool, as an endpoint argument: `db: Db`. Cheap to clone.
///
/// Use it wherever sea-orm takes a connection: `users::Entity::find_by_id(id).one(&db)`.
/// [`Db::transaction`] commits when its closure returns `Ok`, and rolls back on `Err`
/// or when the handler panics or times out.
///
/// ```no_run
/// use flyer_runtime::prelude::*;
/// use flyer_runtime::sea_orm::{ConnectionTrait, Statement};
///
/// /// How many rows a table has.
/// #[endpoint(GET, "/count", tag = "data")]
/// async fn count(db: Db) -> Result<i64> {
///     let stmt = Statement::from_string(db.get_database_backend(), "SELECT COUNT(*) AS n FROM users");
///     let row = db.query_one_raw(stmt).await?.ok_or_else(|| Error::not_found("no row"))?;
///     Ok(row.try_get("", "n")?)
/// }
/// # fn main() {}
/// ```
#[derive(Clone)]
pub struct Db {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("target", &self.inner.settings.target)
            .finish_non_exhaustive()
    }
}

/// sqlx pool options with flyer's policy, for any of the three databases.
fn pool_options<DB: sqlx::Database>(settings: &DbSettings, size: u32) -> PoolOptions<DB> {
    let options = PoolOptions::<DB>::new()
        .max_connections(size)
        .acquire_timeout(settings.acquire_timeout)
        // sqlx pings every connection on release already; pinging again on every
        // acquire would double the round trips: `before_acquire` pings idle ones only.
        .test_before_acquire(false)
        .before_acquire(|conn, meta: PoolConnectionMetadata| {
            Box::pin(async move {
                if meta.idle_for >= PING_IF_IDLE_FOR {
                    conn.ping().await?;
                }
                Ok(true)
            })
        });
    if settings.in_memory {
        // An in-memory SQLite database lives as long as one connection to it: keep one,
        // forever.
        options
            .min_connections(1)
            .max_lifetime(None)
            .idle_timeout(None)
    } else {
        options
            .min_connections(0)
            .max_lifetime(settings.recycle)
            .idle_timeout(IDLE_TIMEOUT)
    }
}

/// A lazy pool of at most `size` connections: nothing connects until a query needs it.
/// Must run inside the tokio runtime (the pool's upkeep is a task).
pub(crate) fn pool(settings: &DbSettings, size: u32) -> DatabaseConnection {
    let size = if settings.in_memory { 1 } else { size };
    match &settings.connect {
        #[cfg(feature = "sqlite")]
        DbConnect::Sqlite(o) => sea_orm::SqlxSqliteConnector::from_sqlx_sqlite_pool(
            pool_options(settings, size).connect_lazy_with(o.clone()),
        ),
        #[cfg(feature = "mysql")]
        DbConnect::MySql(o) => sea_orm::SqlxMySqlConnector::from_sqlx_mysql_pool(
            pool_options(settings, size).connect_lazy_with(o.clone()),
        ),
        #[cfg(feature = "postgres")]
        DbConnect::Postgres(o) => sea_orm::SqlxPostgresConnector::from_sqlx_postgres_pool(
            pool_options(settings, size).connect_lazy_with(o.clone()),
        ),
    }
}

impl Db {
    /// A lazy pool for `settings`. Must run inside the tokio runtime.
    pub(crate) fn connect(settings: &DbSettings) -> Self {
        let conn = pool(settings, settings.pool_size);
        let (schema, _) = watch::channel(Schema::Ready);
        Db {
            inner: Arc::new(Inner {
                conn,
                settings: settings.clone(),
                schema,
            }),
        }
    }

    /// The sea-orm connection (a pool), for APIs that want one by value or by type.
    pub fn conn(&self) -> &DatabaseConnection {
        &self.inner.conn
    }

    /// Which database this is.
    pub fn driver(&self) -> DbDriver {
        self.inner.settings.driver()
    }

    /// `driver host:port/name` (or `sqlite path`): no user, no password.
    pub fn target(&self) -> &str {
        &self.inner.settings.target
    }

    pub(crate) fn settings(&self) -> &DbSettings {
        &self.inner.settings
    }

    pub(crate) fn set_schema(&self, schema: Schema) {
        self.inner.schema.send_replace(schema);
    }

    pub(crate) fn schema(&self) -> Schema {
        self.inner.schema.borrow().clone()
    }

    /// Waits, for at most the acquire timeout, until start-up migrations are done: no
    /// handler works on a half-migrated schema.
    pub(crate) async fn schema_ready(&self) -> Result<()> {
        // The common case costs a read lock, no timer.
        if *self.inner.schema.borrow() == Schema::Ready {
            return Ok(());
        }
        let mut rx = self.inner.schema.subscribe();
        let waited = tokio::time::timeout(
            self.inner.settings.acquire_timeout,
            rx.wait_for(|s| !matches!(s, Schema::Pending(_))),
        )
        .await;
        let state = match &waited {
            Ok(Ok(state)) => Some(Schema::clone(state)),
            _ => None,
        };
        match state {
            Some(Schema::Ready) => Ok(()),
            Some(Schema::Failed(_)) => Err(Error::over_capacity(
                "the database is unavailable: its migrations failed",
            )),
            _ => Err(Error::over_capacity(
                "the database is unavailable: its migrations have not run yet",
            )),
        }
    }

    /// Runs `SELECT 1`, within `flyer_db_connect_timeout`; `Err` says why not, in words
    /// fit for `/ready` (no credentials).
    pub(crate) async fn check(&self) -> std::result::Result<(), String> {
        match self.schema() {
            Schema::Ready => {}
            Schema::Pending(why) => return Err(format!("migrations pending: {why}")),
            Schema::Failed(why) => return Err(format!("migrations failed: {why}")),
        }
        match tokio::time::timeout(self.inner.settings.connect_timeout, self.inner.conn.ping())
            .await
        {
            Ok(Ok(())) => Ok(()),
            Ok(Err(err)) => Err(describe(&err)),
            Err(_) => Err(format!(
                "no answer within {:?}",
                self.inner.settings.connect_timeout
            )),
        }
    }

    /// Starts a transaction: commit it with `tx.commit().await?`; dropped without a
    /// commit (an early `?`, a panic, a timeout), it is rolled back.
    pub async fn begin(&self) -> Result<DatabaseTransaction> {
        self.inner.conn.begin().await.map_err(error)
    }

    /// Runs `f` in a transaction, committed when `f` returns `Ok` and rolled back when
    /// it returns `Err`, panics, or the handler is cut short by `flyer_timeout`.
    ///
    /// ```no_run
    /// # use flyer_runtime::prelude::*;
    /// # use flyer_runtime::sea_orm::{ConnectionTrait, Statement};
    /// # async fn f(db: Db) -> Result<()> {
    /// db.transaction(async |tx| {
    ///     let backend = tx.get_database_backend();
    ///     tx.execute_raw(Statement::from_string(backend, "UPDATE stock SET n = n - 1")).await?;
    ///     tx.execute_raw(Statement::from_string(backend, "INSERT INTO orders DEFAULT VALUES")).await?;
    ///     Ok(())
    /// })
    /// .await
    /// # }
    /// ```
    pub async fn transaction<T, F>(&self, f: F) -> Result<T>
    where
        F: AsyncFnOnce(&DatabaseTransaction) -> Result<T>,
    {
        let tx = self.begin().await?;
        match f(&tx).await {
            Ok(value) => {
                tx.commit().await.map_err(error)?;
                Ok(value)
            }
            Err(err) => {
                if let Err(rollback) = tx.rollback().await {
                    // The connection is dropped instead; the error that made us roll back
                    // is the one to answer.
                    tracing::warn!(error = %rollback, "rollback failed");
                }
                Err(err)
            }
        }
    }

    /// Closes the pool's connections (for the `migrate` command, before it exits).
    pub(crate) async fn close(&self) {
        let _ = self.inner.conn.close_by_ref().await;
    }
}

/// Queries through `&db` run on the pool, once start-up migrations are done.
#[async_trait::async_trait]
impl ConnectionTrait for Db {
    fn get_database_backend(&self) -> DbBackend {
        self.inner.conn.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> std::result::Result<ExecResult, DbErr> {
        self.inner.conn.execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> std::result::Result<ExecResult, DbErr> {
        self.inner.conn.execute_unprepared(sql).await
    }

    async fn query_one_raw(
        &self,
        stmt: Statement,
    ) -> std::result::Result<Option<QueryResult>, DbErr> {
        self.inner.conn.query_one_raw(stmt).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> std::result::Result<Vec<QueryResult>, DbErr> {
        self.inner.conn.query_all_raw(stmt).await
    }
}
