//! The HTTP application: the collected API under `{flyer_base_url}/{flyer_version}`, its
//! docs, and the pipeline every request goes through.

use poem::endpoint::BoxEndpoint;
use poem::{Endpoint, EndpointExt, IntoResponse, Request, Response, Route};
use poem_openapi::OpenApiService;

use crate::config::Config;
use crate::error::Error;
use crate::registry::{self, Endpoints, StartupError};
use crate::request_id;

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
}

impl App {
    /// An application of every registered endpoint.
    pub fn new(info: ServiceInfo, config: Config) -> Self {
        App { info, config }
    }

    /// The configuration in force.
    pub fn config(&self) -> &Config {
        &self.config
    }

    fn api(&self) -> OpenApiService<Endpoints, ()> {
        let api = OpenApiService::new(Endpoints, self.info.name, self.info.version)
            .url_prefix(self.config.prefix());
        match self.info.description.filter(|d| !d.is_empty()) {
            Some(description) => api.description(description),
            None => api,
        }
    }

    /// The OpenAPI document as JSON.
    pub fn spec_json(&self) -> String {
        self.api().spec()
    }

    /// The OpenAPI document as YAML.
    pub fn spec_yaml(&self) -> String {
        self.api().spec_yaml()
    }

    /// Checks the registered endpoints, then builds the endpoint that serves them, with
    /// `/docs` (Swagger UI), `/redoc` and `/openapi.json` beside them.
    pub fn endpoint(&self) -> Result<BoxEndpoint<'static>, StartupError> {
        registry::check(&registry::all())?;
        let prefix = self.config.prefix();
        let api = self.api();
        let docs = api.swagger_ui();
        let redoc = api.redoc();
        let spec = api.spec_endpoint();
        let route = Route::new()
            .nest(format!("{prefix}/docs"), docs)
            .nest(format!("{prefix}/redoc"), redoc)
            .at(format!("{prefix}/openapi.json"), spec)
            .nest(if prefix.is_empty() { "/" } else { &prefix }, api);
        Ok(Pipeline {
            inner: route.map_to_response().boxed(),
        }
        .boxed())
    }
}

/// What every request goes through: its id is fixed first, so every envelope and log
/// line can carry it, and whatever error escapes the routes becomes an envelope.
struct Pipeline {
    inner: BoxEndpoint<'static>,
}

impl Endpoint for Pipeline {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        let id = request_id::of(&req);
        let mut resp = request_id::scope(id.clone(), async {
            match self.inner.call(req).await {
                Ok(resp) => resp,
                Err(err) => Error::from_poem(err).into_response(),
            }
        })
        .await;
        resp.headers_mut()
            .insert(request_id::HEADER, request_id::header_value(&id));
        Ok(resp)
    }
}
