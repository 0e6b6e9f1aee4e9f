//! The `users` table, as sea-orm sees it.

use flyer_runtime::sea_orm;
use sea_orm::entity::prelude::*;

/// A row of `users`.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    /// Assigned by the database.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// 1 to 128 characters.
    pub name: String,
    /// Unique: a second user with the same email is a conflict (40900).
    #[sea_orm(unique)]
    pub email: String,
    /// 0 to 200.
    pub age: i16,
}

impl ActiveModelBehavior for ActiveModel {}
