//! The two probes every service answers, open even when Basic auth is on:
//! `GET {prefix}/health_check` (liveness: answers while the process serves, touches
//! nothing) and `GET {prefix}/ready` (readiness: 200 when every configured dependency
//! answers, else 503 with a 50300 envelope naming the ones that do not).

use std::sync::Arc;

use poem_openapi::Object;

use crate::data::db::Db;
use crate::data::redis::Redis;
use crate::extract::state::Resources;
use crate::{Error, Result, endpoint};

/// Liveness probe.
///
/// Answers `{"code": 200, "msg": "success"}` while the process can serve requests.
#[endpoint(GET, "/health_check", tag = "health")]
async fn health_check() {}

/// The dependencies, as the readiness probe's argument. Not a documented parameter.
struct Dependencies(Arc<Resources>);

impl<'a> poem::FromRequest<'a> for Dependencies {
    async fn from_request(
        req: &'a poem::Request,
        _body: &mut poem::RequestBody,
    ) -> poem::Result<Self> {
        Resources::of(req).cloned().map(Dependencies)
    }
}

/// What each dependency answered.
#[derive(Object)]
#[oai(rename = "FlyerReadiness")]
struct Readiness {
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
    let resources = deps.0;
    let (Some(db), redis) = (resources.get::<Db>(), resources.get::<Redis>()) else {
        return Err(Error::over_capacity("not ready: no database is set up"));
    };
    let redis_answer = async {
        match redis {
            Some(redis) => Some(redis.check().await),
            None => None,
        }
    };
    let (database, redis_answer) = tokio::join!(db.check(), redis_answer);
    let mut down = Vec::new();
    if let Err(why) = &database {
        down.push(format!("the database ({}): {why}", db.target()));
    }
    if let (Some(Err(why)), Some(r)) = (&redis_answer, redis) {
        down.push(format!("Redis ({}): {why}", r.target()));
    }
    let readiness = Readiness {
        database: database.err().unwrap_or_else(|| "up".to_owned()),
        redis: redis_answer.map(|r| r.err().unwrap_or_else(|| "up".to_owned())),
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
