//! The readiness probe, `GET {prefix}/ready`: 200 when every configured dependency (the
//! database, Redis when configured) answers, else 503 with a 50300 envelope naming the
//! ones that do not. Unlike `/health_check`, it touches them; like it, it stays open when
//! Basic auth is on, for load balancers and orchestrators.

use std::sync::Arc;

use poem_openapi::Object;

use crate::services::Services;
use crate::{Error, Result, endpoint};

/// The dependencies, as the probe's argument. Not a documented parameter.
pub(crate) struct Dependencies(Arc<Services>);

impl<'a> poem::FromRequest<'a> for Dependencies {
    async fn from_request(
        req: &'a poem::Request,
        _body: &mut poem::RequestBody,
    ) -> poem::Result<Self> {
        Services::of(req).cloned().map(Dependencies)
    }
}

/// What each dependency answered.
#[derive(Object)]
#[oai(rename = "FlyerReadiness")]
pub(crate) struct Readiness {
    /// `up`, or why the database is not.
    database: String,
    /// `up`, or why Redis is not; absent when no Redis is configured.
    #[oai(skip_serializing_if_is_none)]
    redis: Option<String>,
}

/// Readiness probe.
///
/// Answers 200 when every configured dependency answers (the database, and Redis when
/// configured), else 503 with code 50300, naming the ones that do not in `msg` and
/// saying why in `data`. Open even when Basic auth is on.
#[endpoint(GET, "/ready", tag = "health", errors = [50300])]
async fn ready(deps: Dependencies) -> Result<Readiness> {
    let services = deps.0;
    let database = services.db.check();
    let redis = async {
        let redis = services.redis.as_ref()?;
        let answer = match redis.ready() {
            Err(_) => Err("not connected".to_owned()),
            Ok(pool) => {
                use fred::interfaces::ClientLike;
                pool.ping::<String>(None)
                    .await
                    .map(drop)
                    .map_err(|e| format!("PING failed: {}", e.kind().to_str()))
            }
        };
        Some(answer)
    };
    let (database, redis) = tokio::join!(database, redis);
    let mut down = Vec::new();
    if let Err(why) = &database {
        down.push(format!("the database ({}): {why}", services.db.target()));
    }
    if let (Some(Err(why)), Some(r)) = (&redis, &services.redis) {
        down.push(format!("Redis ({}): {why}", r.target()));
    }
    let readiness = Readiness {
        database: database.err().unwrap_or_else(|| "up".to_owned()),
        redis: redis.map(|r| r.err().unwrap_or_else(|| "up".to_owned())),
    };
    if down.is_empty() {
        return Ok(readiness);
    }
    let mut data = serde_json::json!({"database": readiness.database});
    if let Some(redis) = readiness.redis {
        data["redis"] = redis.into();
    }
    Err(Error::over_capacity(format!("not ready: {}", down.join("; "))).with_data(data))
}
