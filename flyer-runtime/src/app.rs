//! The HTTP application: the collected API under `{flyer_base_url}/{flyer_version}`, its
//! docs, and the pipeline every request goes through.

use std::sync::Arc;

use poem::endpoint::BoxEndpoint;
use poem::{Endpoint, EndpointExt, Request, Response, Route};
use poem_openapi::OpenApiService;

use crate::config::Config;
use crate::config::Role;
use crate::migrate::Migrations;
use crate::pipeline::Pipeline;
use crate::queue::Queues;
use crate::registry::{self, Endpoints, StartupError};
use crate::services::Services;

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
    migrations: Option<Migrations>,
}

/// Calls `$self.$method::<AUTH, ERROR_200>()` with the flags of the configuration: the
/// spec documents Basic auth and `flyer_error_status=200` only when they are in force.
macro_rules! with_spec_flags {
    ($self:ident.$method:ident()) => {
        match ($self.config.auth.is_some(), $self.config.error_status_200) {
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
            migrations: None,
        }
    }

    /// Registers the service's migrations (what `serve!(migrator = M)` does).
    pub fn with_migrations(mut self, migrations: Migrations) -> Self {
        self.migrations = Some(migrations);
        self
    }

    /// The migrations registered, if any.
    pub fn migrations(&self) -> Option<Migrations> {
        self.migrations
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
        self.api::<AUTH, ERROR_200>().spec()
    }

    fn yaml<const AUTH: bool, const ERROR_200: bool>(&self) -> String {
        self.api::<AUTH, ERROR_200>().spec_yaml()
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
        let spec = api.spec_endpoint();
        Route::new()
            .nest(format!("{prefix}/docs"), docs)
            .nest(format!("{prefix}/redoc"), redoc)
            .at(format!("{prefix}/openapi.json"), spec)
            .nest(if prefix.is_empty() { "/" } else { &prefix }, api)
    }

    /// Checks the registered endpoints, connects to the configured dependencies (in the
    /// background), then builds the endpoint that serves them, with `/docs` (Swagger
    /// UI), `/redoc` and `/openapi.json` beside them, behind the request pipeline. Must
    /// run inside a tokio runtime.
    pub fn endpoint(&self) -> Result<BoxEndpoint<'static>, StartupError> {
        registry::check(&registry::all())?;
        let namespace = self
            .config
            .queue_namespace
            .clone()
            .unwrap_or_else(|| self.info.name.to_owned());
        let services = Services::start(&self.config, &namespace)
            .map_err(|err| StartupError(vec![err.to_string()]))?;
        crate::migrate::at_startup(&services.db, self.migrations);
        let routes = with_spec_flags!(self.routes());
        let routes = Arc::new(routes.map_to_response().boxed());
        if let Queues::Redis(queue) = &services.queues {
            queue.attach(Arc::clone(&routes), Arc::downgrade(&services), &self.config);
        }
        let served: BoxEndpoint<'static> = if self.config.role == Role::Worker {
            // A worker answers only its probes over HTTP; its work comes from Redis.
            let prefix = self.config.prefix();
            WorkerFront { routes, prefix }.boxed()
        } else {
            SharedRoutes(routes).boxed()
        };
        let pipeline = Pipeline::new(served, services, &self.config).map_err(|err| {
            StartupError(vec![format!(
                "cannot open the access log (flyer_access_logfile): {err}"
            )])
        })?;
        Ok(pipeline.boxed())
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
            .is_some_and(|rest| crate::auth::OPEN_OPERATIONS.contains(&rest));
        if probe {
            self.routes.call(req).await
        } else {
            Err(poem::error::NotFoundError.into())
        }
    }
}
