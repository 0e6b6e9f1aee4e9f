//! Database errors as envelopes, through `?` as well as [`error`]: a unique or
//! foreign-key violation is 40900, a missing row 40400, an unreachable server or an
//! exhausted pool 50300, anything else 50000. The client never sees SQL, the driver's
//! message or credentials; the cause is logged.

use sea_orm::sqlx;
use sea_orm::{DbErr, RuntimeErr, SqlErr, TransactionError};

use crate::error::{BoxedError, Error, Translator};

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

#[cfg(feature = "sqlite")]
fn sqlite_busy(db: &dyn sqlx::error::DatabaseError) -> bool {
    // SQLITE_BUSY (5) and SQLITE_LOCKED (6); extended codes keep them in their low byte.
    use sqlx::error::DatabaseError;
    db.try_downcast_ref::<sqlx::sqlite::SqliteError>()
        .and_then(|e| e.code()?.parse::<u32>().ok())
        .is_some_and(|n| matches!(n & 0xff, 5 | 6))
}

#[cfg(not(feature = "sqlite"))]
fn sqlite_busy(_: &dyn sqlx::error::DatabaseError) -> bool {
    false
}

#[cfg(feature = "mysql")]
fn mysql_unavailable(db: &dyn sqlx::error::DatabaseError) -> bool {
    // 1040 too many connections, 1053 server shutting down, 1205 lock wait timeout,
    // 1213 deadlock.
    db.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>()
        .is_some_and(|e| matches!(e.number(), 1040 | 1053 | 1205 | 1213))
}

#[cfg(not(feature = "mysql"))]
fn mysql_unavailable(_: &dyn sqlx::error::DatabaseError) -> bool {
    false
}

/// What went wrong, in words fit for a client or a probe: the kind, not the driver's text.
pub(crate) fn describe(err: &DbErr) -> String {
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
            e if is_missing_table(e) => {
                return Error::internal("internal error").with_source(MissingTable(err));
            }
            _ => Error::internal("internal error"),
        },
    };
    mapped.with_source(err)
}

/// Whether `err` says a table does not exist: SQLite's "no such table", PostgreSQL's
/// 42P01, MySQL's 42S02 (1146).
fn is_missing_table(err: &DbErr) -> bool {
    let (DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e))) = err
    else {
        return false;
    };
    let sqlx::Error::Database(db) = e.as_ref() else {
        return false;
    };
    matches!(db.code().as_deref(), Some("42P01" | "42S02"))
        || db.message().starts_with("no such table")
}

/// A query on a table that does not exist: the schema lacks its migrations. The log line
/// of the 50000 says what to run; the client sees only "internal error".
#[derive(Debug)]
struct MissingTable(DbErr);

impl std::fmt::Display for MissingTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: the database lacks a table, so its migrations have not run. Register them with `flyer_runtime::serve!(migrator = Migrator)`, then run the binary's `migrate up` (or start it with flyer_db_migrate=1)",
            self.0
        )
    }
}

impl std::error::Error for MissingTable {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

/// [`error`] for the error of sea-orm's own `transaction`.
fn transaction_error(err: TransactionError<DbErr>) -> Error {
    match err {
        TransactionError::Connection(e) | TransactionError::Transaction(e) => error(e),
    }
}

/// `?` on a sea-orm error in a handler keeps the database's code.
fn translate(err: BoxedError) -> std::result::Result<Error, BoxedError> {
    let err = match err.downcast::<DbErr>() {
        Ok(db) => return Ok(error(*db)),
        Err(other) => other,
    };
    match err.downcast::<TransactionError<DbErr>>() {
        Ok(tx) => Ok(transaction_error(*tx)),
        Err(other) => Err(other),
    }
}

inventory::submit! { Translator(translate) }

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

    /// A query on a missing table (a real one, on SQLite): the client's message says
    /// nothing, the cause logged with it says what to run.
    #[cfg(feature = "sqlite")]
    #[tokio::test]
    async fn a_missing_table_says_what_to_run() {
        use sea_orm::ConnectionTrait;
        let db = sea_orm::Database::connect("sqlite::memory:").await.unwrap();
        let err = db
            .execute_unprepared("SELECT * FROM users")
            .await
            .unwrap_err();
        let mapped = super::error(err);
        assert_eq!(
            (mapped.code(), mapped.msg()),
            (codes::INTERNAL, "internal error")
        );
        let logged = mapped.source().unwrap().to_string();
        assert!(logged.contains("no such table"), "{logged}");
        assert!(
            logged.contains("migrator = Migrator") && logged.contains("migrate up"),
            "{logged}"
        );
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
