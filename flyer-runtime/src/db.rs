//! The SQL database through sea-orm: one pool (`flyer_db_*`), handed to handlers as
//! `db: Db`.
//!
//! The pool is lazy: nothing connects at start-up, so a service starts while its database
//! is down, and a query that needs a connection opens one, or waits for a free one, for at
//! most `flyer_db_acquire_timeout` (50300 after). A connection found dead is dropped and
//! replaced, so the service heals when the database comes back, without a restart.
//!
//! Database errors become envelopes, through `?` as well as [`error`]: a unique or
//! foreign-key violation is 40900, a missing row 40400, an unreachable server or an
//! exhausted pool 50300, anything else 50000. The client never sees SQL, the driver's
//! message or credentials; the cause is logged.

use std::sync::Arc;
use std::time::Duration;

use sea_orm::sqlx::pool::{PoolConnectionMetadata, PoolOptions};
use sea_orm::sqlx::{self, Connection};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, ExecResult,
    QueryResult, RuntimeErr, SqlErr, SqlxMySqlConnector, SqlxPostgresConnector,
    SqlxSqliteConnector, Statement, TransactionError, TransactionTrait,
};
use tokio::sync::watch;

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
        DbConnect::Sqlite(o) => SqlxSqliteConnector::from_sqlx_sqlite_pool(
            pool_options(settings, size).connect_lazy_with(o.clone()),
        ),
        DbConnect::MySql(o) => SqlxMySqlConnector::from_sqlx_mysql_pool(
            pool_options(settings, size).connect_lazy_with(o.clone()),
        ),
        DbConnect::Postgres(o) => SqlxPostgresConnector::from_sqlx_postgres_pool(
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
    async fn schema_ready(&self) -> Result<()> {
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

/// The database as an endpoint argument: `db: Db`. Not a documented parameter. While
/// start-up migrations are pending, the request waits for them (at most
/// `flyer_db_acquire_timeout`, then 50300).
impl<'a> poem::FromRequest<'a> for Db {
    async fn from_request(
        req: &'a poem::Request,
        _body: &mut poem::RequestBody,
    ) -> poem::Result<Self> {
        let db = crate::services::Services::of(req)?.db.clone();
        db.schema_ready()
            .await
            .map_err(|e| poem::Error::from_string(e.msg().to_owned(), e.status()))?;
        Ok(db)
    }
}

/// Whether `err` says the database cannot be reached or has no connection to spare,
/// rather than that the query was wrong: what a retry later may fix.
pub(crate) fn is_unavailable(err: &DbErr) -> bool {
    match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => {
            sqlx_unavailable(e)
        }
        _ => false,
    }
}

fn sqlx_unavailable(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => {
            let code = db.code();
            let code = code.as_deref().unwrap_or("");
            // SQLSTATE (PostgreSQL; MySQL reports one too): 08 connection exception,
            // 53 insufficient resources (too many connections), 57P0x shut down or
            // starting up, 40001/40P01 serialization failure or deadlock, 55P03 lock not
            // available.
            code.starts_with("08")
                || code.starts_with("53")
                || code.starts_with("57P0")
                || matches!(code, "40001" | "40P01" | "55P03")
                || sqlite_busy(db.as_ref())
                || mysql_unavailable(db.as_ref())
        }
        _ => false,
    }
}

fn sqlite_busy(db: &dyn sqlx::error::DatabaseError) -> bool {
    // SQLITE_BUSY (5) and SQLITE_LOCKED (6); extended codes keep them in their low byte.
    use sqlx::error::DatabaseError;
    db.try_downcast_ref::<sqlx::sqlite::SqliteError>()
        .and_then(|e| e.code()?.parse::<u32>().ok())
        .is_some_and(|n| matches!(n & 0xff, 5 | 6))
}

fn mysql_unavailable(db: &dyn sqlx::error::DatabaseError) -> bool {
    // 1040 too many connections, 1053 server shutting down, 1205 lock wait timeout,
    // 1213 deadlock.
    db.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>()
        .is_some_and(|e| matches!(e.number(), 1040 | 1053 | 1205 | 1213))
}

/// What went wrong, in words fit for a client or a probe: the kind, not the driver's text.
fn describe(err: &DbErr) -> String {
    match err {
        DbErr::ConnectionAcquire(_) => "no connection within flyer_db_acquire_timeout".to_owned(),
        DbErr::Conn(_) => "cannot connect".to_owned(),
        e if is_unavailable(e) => "connection lost".to_owned(),
        _ => "query failed".to_owned(),
    }
}

/// The envelope of a database error: 40900 for a unique or foreign-key violation, 40400
/// for a missing row, 50300 when the database is unreachable or has no connection to
/// spare, 50000 otherwise. The cause is kept for the log, never sent.
pub fn error(err: DbErr) -> Error {
    let mapped = match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => {
            Error::conflict("conflict: a record with this unique value already exists")
        }
        Some(SqlErr::ForeignKeyConstraintViolation(_)) => {
            Error::conflict("conflict: the record refers to a missing one, or is referred to")
        }
        _ => match &err {
            DbErr::RecordNotFound(_) | DbErr::RecordNotUpdated => Error::not_found("not found"),
            e if is_unavailable(e) => {
                tracing::warn!(error = %e, "database unavailable");
                Error::over_capacity(format!("the database is unavailable: {}", describe(e)))
            }
            _ => Error::internal("internal error"),
        },
    };
    mapped.with_source(err)
}

/// [`error`] for the error of sea-orm's own `transaction`.
pub(crate) fn transaction_error(err: TransactionError<DbErr>) -> Error {
    match err {
        TransactionError::Connection(e) | TransactionError::Transaction(e) => error(e),
    }
}

/// A route taking `db: Db` answers 50300 while the database is away.
impl crate::checks::DeclaresErrors for Db {
    const ERRORS: &'static [u32] = &[crate::error::codes::OVER_CAPACITY];
}

#[cfg(test)]
mod tests {
    use sea_orm::{ConnAcquireErr, DbErr, RuntimeErr};

    use crate::error::{Error, codes};

    /// `?` on a sea-orm error in a handler: the blanket `From` keeps the database's code.
    fn through_question_mark(err: DbErr) -> Error {
        let result: Result<(), DbErr> = Err(err);
        let answer = || -> crate::Result<()> { Ok(result?) };
        answer().unwrap_err()
    }

    #[test]
    fn database_errors_map_to_codes_without_details() {
        for (err, code, msg) in [
            (
                DbErr::RecordNotFound("users 7".to_owned()),
                codes::NOT_FOUND,
                "not found",
            ),
            (DbErr::RecordNotUpdated, codes::NOT_FOUND, "not found"),
            (
                DbErr::ConnectionAcquire(ConnAcquireErr::Timeout),
                codes::OVER_CAPACITY,
                "the database is unavailable: no connection within flyer_db_acquire_timeout",
            ),
            (
                DbErr::Conn(RuntimeErr::Internal("refused".to_owned())),
                codes::OVER_CAPACITY,
                "the database is unavailable: cannot connect",
            ),
            (
                DbErr::Exec(RuntimeErr::SqlxError(std::sync::Arc::new(
                    sea_orm::sqlx::Error::PoolTimedOut,
                ))),
                codes::OVER_CAPACITY,
                "the database is unavailable: connection lost",
            ),
            (
                DbErr::Custom("SELECT secret FROM t".to_owned()),
                codes::INTERNAL,
                "internal error",
            ),
        ] {
            let shown = err.to_string();
            let mapped = through_question_mark(err);
            assert_eq!((mapped.code(), mapped.msg()), (code, msg), "{shown}");
            assert!(mapped.source().is_some(), "the cause is kept for the log");
        }
    }

    #[test]
    fn other_errors_stay_internal() {
        let io = std::io::Error::other("disk on fire");
        let mapped = Error::from(io);
        assert_eq!(
            (mapped.code(), mapped.msg()),
            (codes::INTERNAL, "internal error")
        );
    }
}
