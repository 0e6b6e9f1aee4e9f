//! `db: Db`: the database pool, as an endpoint argument. Not a documented parameter.

use crate::api::checks::DeclaresErrors;
use crate::data::db::Db;
use crate::error::codes;
use crate::extract::state::Resources;

/// While start-up migrations are pending, the request waits for them (at most
/// `flyer_db_acquire_timeout`, then 50300).
impl<'a> poem::FromRequest<'a> for Db {
    async fn from_request(
        req: &'a poem::Request,
        _body: &mut poem::RequestBody,
    ) -> poem::Result<Self> {
        let db = Resources::of(req)?.get::<Db>().cloned().ok_or_else(|| {
            poem::Error::from_string(
                "no database is set up in this server",
                poem::http::StatusCode::SERVICE_UNAVAILABLE,
            )
        })?;
        db.schema_ready()
            .await
            .map_err(|e| poem::Error::from_string(e.msg().to_owned(), e.status()))?;
        Ok(db)
    }
}

/// A route taking `db: Db` answers 50300 while the database is away.
impl DeclaresErrors for Db {
    const ERRORS: &'static [u32] = &[codes::OVER_CAPACITY];
}
