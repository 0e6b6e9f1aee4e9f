//! The application, assembled: the collected API under `{flyer_base_url}/{flyer_version}`
//! with its docs, the dependencies it holds (database, Redis, queues, rate limits), and
//! the pipeline every request goes through.

mod probes;

use std::sync::Arc;

use poem::endpoint::BoxEndpoint;
use poem::{Endpoint, EndpointExt, Request, Response, Route};
use poem_openapi::OpenApiService;

use crate::api::check::{self, StartupError};
use crate::api::openapi::Endpoints;
use crate::api::registry;
use crate::api::spec::Controls;
use crate::api::{documented, open};
use crate::config::{Config, Role};
#[cfg(feature = "sql")]
use crate::data::db::Db;
#[cfg(feature = "sql")]
use crate::data::migrate::{self, Migrations};
#[cfg(feature = "redis")]
use crate::data::redis::Redis;
use crate::extract::state::Resources;
use crate::http::pipeline::Pipeline;
use crate::queue::Queues;
use crate::rate_limit::RateLimits;

/// The service's name, version and description, from its `Cargo.toml` (see `serve!`).
#[derive(Clone, Copy, Debug)]
pub struct ServiceInfo {
    /// `CARGO_PKG_NAME`.
    pub name: &'static str,
    /// `CARGO_PKG_VERSION`.
    pub version: &'static str,
    /// `CARGO_PKG_DESCRIPTION`, when set.
    pub description: Option<&'static str>,
}

/// A service: its identity and configuration, from which the spec and the HTTP endpoint
/// are built.
pub struct App {
    info: ServiceInfo,
    config: Config,
    /// The service's migrations, run at start-up when `flyer_db_migrate` is on.
    #[cfg(feature = "sql")]
    migrations: Option<Migrations>,
    /// Crates that must have registered endpoints (`serve!(endpoints = [...])`).
    endpoints_from: &'static [&'static str],
    /// Whether a service with no endpoint of its own may start.
    allow_no_endpoints: bool,
}

/// Calls `$self.$method::<AUTH, ERROR_200>()` with the flags of the configuration: the
/// spec documents Basic auth and `flyer_error_status=200` only when they are in force.
macro_rules! with_spec_flags {
    ($self:ident.$method:ident()) => {
        match (
            $self.config.server.auth.is_some(),
            $self.config.server.error_status_200,
        ) {
            (false, false) => $self.$method::<false, false>(),
            (false, true) => $self.$method::<false, true>(),
            (true, false) => $self.$method::<true, false>(),
            (true, true) => $self.$method::<true, true>(),
        }
    };
}

impl App {
    /// An application of every registered endpoint.
    pub fn new(info: ServiceInfo, config: Config) -> Self {
        App {
            info,
            config,
            #[cfg(feature = "sql")]
            migrations: None,
            endpoints_from: &[],
            allow_no_endpoints: false,
        }
    }

    /// Names the crates whose endpoints the service serves (`serve!(endpoints = [...])`):
    /// start-up fails, naming it, when one of them has registered none (it is not linked).
    pub fn endpoints_from(mut self, crates: &'static [&'static str]) -> Self {
        self.endpoints_from = crates;
        self
    }

    /// Lets the service start with no endpoint of its own (`serve!(allow_no_endpoints)`).
    /// Without it, start-up fails when none is registered: a library of endpoints that
    /// the binary does not link would otherwise leave every route a silent 404.
    pub fn allow_no_endpoints(mut self) -> Self {
        self.allow_no_endpoints = true;
        self
    }

    /// The start-up checks every command runs before it trusts the registered endpoints:
    /// no duplicate route, operation id or schema name, a parameter named one way only,
    /// and the service's endpoints linked (see [`App::allow_no_endpoints`]).
    pub fn check(&self) -> Result<(), StartupError> {
        let regs = registry::all();
        let mut problems = Vec::new();
        for result in [
            check::check(&regs),
            check::linked(&regs, self.endpoints_from, self.allow_no_endpoints),
        ] {
            if let Err(StartupError(found)) = result {
                problems.extend(found);
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(StartupError(problems))
        }
    }

    /// Registers the service's migrations (what `serve!(migrator = M)` does).
    #[cfg(feature = "sql")]
    pub fn with_migrations(mut self, migrations: Migrations) -> Self {
        self.migrations = Some(migrations);
        self
    }

    /// The configuration in force.
    pub fn config(&self) -> &Config {
        &self.config
    }

    fn api<const AUTH: bool, const ERROR_200: bool>(
        &self,
    ) -> OpenApiService<Endpoints<AUTH, ERROR_200>, ()> {
        let api = OpenApiService::new(Endpoints, self.info.name, self.info.version)
            .url_prefix(self.config.prefix());
        match self.info.description.filter(|d| !d.is_empty()) {
            Some(description) => api.description(description),
            None => api,
        }
    }

    fn json<const AUTH: bool, const ERROR_200: bool>(&self) -> String {
        documented::exact_bounds(self.api::<AUTH, ERROR_200>().spec())
    }

    fn yaml<const AUTH: bool, const ERROR_200: bool>(&self) -> String {
        documented::exact_bounds(self.api::<AUTH, ERROR_200>().spec_yaml())
    }

    /// The OpenAPI document as JSON.
    pub fn spec_json(&self) -> String {
        with_spec_flags!(self.json())
    }

    /// The OpenAPI document as YAML.
    pub fn spec_yaml(&self) -> String {
        with_spec_flags!(self.yaml())
    }

    fn routes<const AUTH: bool, const ERROR_200: bool>(&self) -> Route {
        let prefix = self.config.prefix();
        let api = self.api::<AUTH, ERROR_200>();
        let docs = api.swagger_ui();
        let redoc = api.redoc();
        // The document as `openapi` prints it (poem-openapi's own endpoint would round
        // the 64-bit bounds).
        let spec = documented::exact_bounds(api.spec());
        let spec = poem::endpoint::make_sync(move |_| {
            Response::builder()
                .content_type("application/json; charset=utf-8")
                .body(spec.clone())
        });
        Route::new()
            .nest(format!("{prefix}/docs"), docs)
            .nest(format!("{prefix}/redoc"), redoc)
            .at(format!("{prefix}/openapi.json"), spec)
            .nest(if prefix.is_empty() { "/" } else { &prefix }, api)
    }

    /// The dependencies of the service: connected in the background, handed to every
    /// request. Must run inside a tokio runtime.
    fn resources(&self, controls: &[&'static Controls]) -> Result<Arc<Resources>, StartupError> {
        let fail = |err: crate::Error| StartupError(vec![err.to_string()]);
        let namespace = self
            .config
            .queue
            .namespace
            .clone()
            .unwrap_or_else(|| self.info.name.to_owned());
        let mut resources = Resources::default();
        #[cfg(feature = "redis")]
        if let Some(settings) = &self.config.redis {
            resources.insert(Redis::connect(settings).map_err(fail)?);
        }
        let queues = Queues::start(&self.config, &namespace, &resources, controls).map_err(fail)?;
        let rate_limits = RateLimits::new(&self.config, &namespace, &resources, controls);
        resources.insert(queues);
        resources.insert(rate_limits);
        #[cfg(feature = "sql")]
        {
            let db = Db::connect(&self.config.db);
            migrate::at_startup(&db, self.migrations);
            resources.insert(db);
            // `/ready` counts the pending ones.
            if let Some(migrations) = self.migrations {
                resources.insert(migrations);
            }
        }
        Ok(Arc::new(resources))
    }

    /// Checks the registered endpoints, connects to the configured dependencies (in the
    /// background), then builds the endpoint that serves them, with `/docs` (Swagger
    /// UI), `/redoc` and `/openapi.json` beside them, behind the request pipeline. Must
    /// run inside a tokio runtime.
    pub fn endpoint(&self) -> Result<BoxEndpoint<'static>, StartupError> {
        self.start().map(|(endpoint, _)| endpoint)
    }

    /// [`App::endpoint`], and what drains the service's background work when it stops.
    pub(crate) fn start(&self) -> Result<(BoxEndpoint<'static>, Drain), StartupError> {
        self.check()?;
        let regs = registry::all();
        let controls: Vec<&'static Controls> = regs.iter().filter_map(|r| r.controls).collect();
        let resources = self.resources(&controls)?;
        let routes = with_spec_flags!(self.routes());
        let routes = Arc::new(routes.map_to_response().boxed());
        #[cfg(feature = "queue-redis")]
        if let Some(Queues::Redis(queue)) = resources.get::<Queues>() {
            queue.attach(Arc::clone(&routes), Arc::downgrade(&resources));
        }
        let served: BoxEndpoint<'static> = if self.config.queue.role == Role::Worker {
            // A worker answers only its probes over HTTP; its work comes from Redis.
            let prefix = self.config.prefix();
            WorkerFront { routes, prefix }.boxed()
        } else {
            SharedRoutes(routes).boxed()
        };
        let drain = Drain(Arc::clone(&resources));
        let pipeline = Pipeline::new(served, resources, &self.config).map_err(|err| {
            StartupError(vec![format!(
                "cannot open the access log (flyer_access_logfile): {err}"
            )])
        })?;
        Ok((pipeline.boxed(), drain))
    }
}

/// What a stopping service finishes beside its HTTP requests: the queue's running tasks.
pub(crate) struct Drain(Arc<Resources>);

impl Drain {
    /// Stops taking background work and lets what runs finish, until `deadline`.
    pub(crate) async fn run(&self, deadline: std::time::Duration) {
        #[cfg(feature = "queue-redis")]
        if let Some(Queues::Redis(queue)) = self.0.get::<Queues>() {
            queue.drain(deadline).await;
        }
        let _ = deadline;
    }
}

/// The application's routes, shared with the queue's workers.
struct SharedRoutes(Arc<BoxEndpoint<'static>>);

impl Endpoint for SharedRoutes {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        self.0.call(req).await
    }
}

/// What a worker serves over HTTP: its probes only.
struct WorkerFront {
    routes: Arc<BoxEndpoint<'static>>,
    prefix: String,
}

impl Endpoint for WorkerFront {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        let probe = req
            .uri()
            .path()
            .strip_prefix(&self.prefix)
            .is_some_and(open::is_probe);
        if probe {
            self.routes.call(req).await
        } else {
            Err(poem::error::NotFoundError.into())
        }
    }
}
