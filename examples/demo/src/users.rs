//! sanic-ms's users example on the database: create, read, list (Flyer's pagination),
//! replace and delete, with validation and a unique email.
//!
//! Database errors need no handling here: `?` turns a duplicate email into 40900, and
//! an unreachable database into 50300.

use flyer_runtime::prelude::*;
use flyer_runtime::sea_orm;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, EntityTrait, IntoActiveModel, PaginatorTrait, QueryOrder,
    QuerySelect,
};

pub mod entity;

/// A user.
#[derive(Object)]
pub struct User {
    /// Assigned by the service.
    pub id: i64,
    /// The user's name.
    pub name: String,
    /// The user's email, unique among users.
    pub email: String,
    /// The user's age in years.
    pub age: i16,
}

impl From<entity::Model> for User {
    fn from(m: entity::Model) -> Self {
        User {
            id: m.id,
            name: m.name,
            email: m.email,
            age: m.age,
        }
    }
}

/// A user as a client writes it, to create or replace one.
#[derive(Object)]
pub struct UserIn {
    /// 1 to 128 characters.
    #[oai(validator(min_length = 1, max_length = 128))]
    pub name: String,
    /// An email address, unique among users.
    #[oai(validator(max_length = 255, pattern = r"^[^@\s]+@[^@\s]+$"))]
    pub email: String,
    /// 0 to 200.
    #[oai(validator(minimum(value = "0"), maximum(value = "200")))]
    pub age: i16,
}

/// Create a user.
///
/// 40900 when another user has the email.
#[endpoint(POST, "/users", tag = "users", errors = [40900])]
pub async fn create_user(db: Db, body: Json<UserIn>) -> Result<User> {
    let Json(body) = body;
    let user = entity::ActiveModel {
        name: Set(body.name),
        email: Set(body.email),
        age: Set(body.age),
        ..Default::default()
    }
    .insert(&db)
    .await?;
    Ok(user.into())
}

/// Get a user.
#[endpoint(GET, "/users/{id}", tag = "users", errors = [40400])]
pub async fn get_user(db: Db, id: Path<i64>) -> Result<User> {
    entity::Entity::find_by_id(id.0)
        .one(&db)
        .await?
        .map(User::from)
        .ok_or_else(|| Error::not_found(format!("no user {}", id.0)))
}

/// List users.
///
/// Oldest first: `offset` skips that many, `size` (1 to 100) is the page's size; the
/// envelope's `pagination` gives the total.
#[endpoint(GET, "/users", tag = "users")]
pub async fn list_users(
    db: Db,
    #[oai(default)] offset: Query<u64>,
    #[oai(
        default = "default_page_size",
        validator(minimum(value = "1"), maximum(value = "100"))
    )]
    size: Query<u64>,
) -> Result<Page<User>> {
    // SQL offsets are signed: one past any table's end is an empty page all the same.
    let skip = offset.0.min(i64::MAX as u64);
    let page = entity::Entity::find()
        .order_by_asc(entity::Column::Id)
        .offset(skip)
        .limit(size.0)
        .all(&db);
    let total = entity::Entity::find().count(&db);
    let (items, total) = tokio::try_join!(page, total)?;
    Ok(Page {
        items: items.into_iter().map(User::from).collect(),
        total,
        offset: offset.0,
        size: size.0,
    })
}

fn default_page_size() -> u64 {
    20
}

/// Replace a user.
///
/// Read and write in one transaction: it commits when the closure returns `Ok`, and
/// rolls back on an error (a taken email: 40900) or a panic.
#[endpoint(PUT, "/users/{id}", tag = "users", errors = [40400, 40900])]
pub async fn replace_user(db: Db, id: Path<i64>, body: Json<UserIn>) -> Result<User> {
    let Json(body) = body;
    db.transaction(async |tx| {
        let found = entity::Entity::find_by_id(id.0)
            .one(tx)
            .await?
            .ok_or_else(|| Error::not_found(format!("no user {}", id.0)))?;
        let mut user = found.into_active_model();
        user.name = Set(body.name);
        user.email = Set(body.email);
        user.age = Set(body.age);
        Ok(user.update(tx).await?.into())
    })
    .await
}

/// Delete a user.
#[endpoint(DELETE, "/users/{id}", tag = "users", errors = [40400])]
pub async fn delete_user(db: Db, id: Path<i64>) -> Result<()> {
    let deleted = entity::Entity::delete_by_id(id.0).exec(&db).await?;
    if deleted.rows_affected == 0 {
        return Err(Error::not_found(format!("no user {}", id.0)));
    }
    Ok(())
}
