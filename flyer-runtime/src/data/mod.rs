//! The data a service keeps: the SQL database (sea-orm) and its migrations, and Redis
//! (fred). Each connects lazily, heals by itself, and says whether it is up.

#[cfg(feature = "sql")]
pub mod db;
#[cfg(feature = "sql")]
pub(crate) mod db_error;
#[cfg(feature = "sql")]
pub mod migrate;
#[cfg(feature = "redis")]
pub mod redis;
