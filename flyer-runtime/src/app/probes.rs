//! The two probes every service answers, open even when Basic auth is on:
//! `GET {prefix}/health_check` (liveness: answers while the process serves, touches
//! nothing) and `GET {prefix}/ready` (readiness: 200 when every configured dependency
//! answers, else 503 with a 50300 envelope naming the ones that do not).

use std::sync::Arc;

use poem_openapi::Object;
use poem_openapi::types::ToJSON;

#[cfg(feature = "sql")]
use crate::data::db::Db;
#[cfg(feature = "sql")]
use crate::data::db_error::describe;
#[cfg(feature = "sql")]
use crate::data::migrate::{self, Migrations};
#[cfg(feature = "redis")]
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
    #[cfg(feature = "sql")]
    database: String,
    /// `up`, or why Redis is not; absent when no Redis is configured.
    #[oai(skip_serializing_if_is_none)]
    redis: Option<String>,
}

impl Readiness {
    /// What to do about pending migrations, when that is what is wrong.
    fn database_pending(&self) -> &'static str {
        #[cfg(feature = "sql")]
        if self.database.ends_with("pending migration")
            || self.database.ends_with("pending migrations")
        {
            return " (run the binary's `migrate up`, or start it with flyer_db_migrate=1)";
        }
        ""
    }
}

/// One dependency's answer.
struct Probe {
    /// What it is, for the message: `the database (postgres 10.0.0.5:5432/app)`.
    what: String,
    /// `Err` says why it is not up.
    answer: std::result::Result<(), String>,
}

impl Probe {
    fn state(&self) -> String {
        match &self.answer {
            Ok(()) => "up".to_owned(),
            Err(why) => why.clone(),
        }
    }
}

/// The database answers, and, when the service registers migrations, none is pending:
/// a schema that lacks them is not ready, whether or not `flyer_db_migrate` runs them.
#[cfg(feature = "sql")]
async fn database(resources: &Resources) -> Option<Probe> {
    let db = resources.get::<Db>()?;
    let mut answer = db.check().await;
    if answer.is_ok()
        && let Some(migrations) = resources.get::<Migrations>()
    {
        answer = match migrate::pending(db, *migrations).await {
            Ok(0) => Ok(()),
            Ok(1) => Err("1 pending migration".to_owned()),
            Ok(n) => Err(format!("{n} pending migrations")),
            Err(err) => Err(format!("cannot read its migrations: {}", describe(&err))),
        };
    }
    Some(Probe {
        what: format!("the database ({})", db.target()),
        answer,
    })
}

#[cfg(feature = "redis")]
async fn redis(resources: &Resources) -> Option<Probe> {
    let redis = resources.get::<Redis>()?;
    Some(Probe {
        what: format!("Redis ({})", redis.target()),
        answer: redis.check().await,
    })
}

#[cfg(not(feature = "redis"))]
async fn redis(_: &Resources) -> Option<Probe> {
    None
}

/// Readiness probe.
///
/// Answers 200 when every configured dependency answers (the database, and Redis when
/// configured), else 503 with code 50300, naming the ones that do not in `msg` and
/// saying why in `data`. Open even when Basic auth is on.
#[endpoint(GET, "/ready", tag = "health", errors = [50300])]
async fn ready(deps: Dependencies) -> Result<Readiness> {
    let resources = deps.0;
    #[cfg(feature = "sql")]
    let (database, redis) = tokio::join!(database(&resources), redis(&resources));
    #[cfg(not(feature = "sql"))]
    let (database, redis) = (None::<Probe>, redis(&resources).await);
    let down: Vec<String> = [&database, &redis]
        .into_iter()
        .flatten()
        .filter_map(|p| {
            p.answer
                .as_ref()
                .err()
                .map(|why| format!("{}: {why}", p.what))
        })
        .collect();
    let readiness = Readiness {
        #[cfg(feature = "sql")]
        database: database
            .as_ref()
            .map_or_else(|| "not set up".to_owned(), Probe::state),
        redis: redis.as_ref().map(Probe::state),
    };
    if down.is_empty() {
        return Ok(readiness);
    }
    let pending = readiness.database_pending();
    Err(
        Error::over_capacity(format!("not ready: {}{pending}", down.join("; ")))
            .with_data(readiness.to_json().unwrap_or_default()),
    )
}
