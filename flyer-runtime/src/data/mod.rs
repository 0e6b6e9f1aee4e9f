//! The data a service keeps: the SQL database (sea-orm) and its migrations, and Redis
//! (fred). Each connects lazily, heals by itself, and says whether it is up.

pub mod db;
mod db_error;
pub mod migrate;
pub mod redis;
