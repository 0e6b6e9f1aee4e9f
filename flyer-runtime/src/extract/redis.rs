//! `redis: Redis`: the Redis pool, as an endpoint argument. Not a documented parameter.

use crate::api::checks::DeclaresErrors;
use crate::data::redis::Redis;
use crate::error::codes;
use crate::extract::state::Resources;

/// When no Redis is configured, the request is answered 50300 naming the settings.
impl<'a> poem::FromRequest<'a> for Redis {
    async fn from_request(
        req: &'a poem::Request,
        _body: &mut poem::RequestBody,
    ) -> poem::Result<Self> {
        Resources::of(req)?.get::<Redis>().cloned().ok_or_else(|| {
            poem::Error::from_string(
                "no Redis is configured: set flyer_redis_url or flyer_redis_host",
                poem::http::StatusCode::SERVICE_UNAVAILABLE,
            )
        })
    }
}

/// A route taking `redis: Redis` answers 50300 while Redis is away.
impl DeclaresErrors for Redis {
    const ERRORS: &'static [u32] = &[codes::OVER_CAPACITY];
}
