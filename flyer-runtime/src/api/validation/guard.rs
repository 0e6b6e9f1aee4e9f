//! What each generated operation is wrapped in (poem-openapi's `transform`): it sees the
//! request before the arguments are extracted, so it refuses a JSON body of the wrong
//! types before poem-openapi's lax parse, and keeps what the client sent for the
//! explanation of any other failure.

use std::sync::OnceLock;

use poem::{Endpoint, IntoResponse, Request, Response};
use poem_openapi::registry::{MetaApi, MetaOperation, MetaParamIn, MetaSchemaRef, Registry};

use super::gate::Gate;
use super::params::Raw;
use super::{Problem, body, params, refusal};
use crate::api::documented;
use crate::context;

/// One generated operation, as validation reads it. Not for direct use.
#[doc(hidden)]
pub struct Operation {
    meta: fn() -> Vec<MetaApi>,
    register: fn(&mut Registry),
    info: OnceLock<Info>,
}

impl Operation {
    pub const fn new(meta: fn() -> Vec<MetaApi>, register: fn(&mut Registry)) -> Self {
        Operation {
            meta,
            register,
            info: OnceLock::new(),
        }
    }

    pub(super) fn info(&self) -> &Info {
        self.info
            .get_or_init(|| Info::new((self.meta)(), self.register))
    }
}

/// The operation's schemas, as the spec documents them, compiled once.
pub(super) struct Info {
    /// The route's template, `/users/{id}`.
    path: String,
    op: MetaOperation,
    registry: Registry,
    /// The JSON request body's schema and its strict type check.
    json: Option<(MetaSchemaRef, Gate)>,
    /// Whether any parameter is a header or a cookie: then the headers are kept.
    reads_headers: bool,
}

impl Info {
    pub(super) fn new(meta: Vec<MetaApi>, register: fn(&mut Registry)) -> Self {
        let mut registry = Registry::new();
        register(&mut registry);
        documented::registry(&mut registry);
        let (path, mut op) = meta
            .into_iter()
            .flat_map(|api| api.paths)
            .flat_map(|p| {
                let path = p.path;
                p.operations.into_iter().map(move |op| (path.clone(), op))
            })
            .next()
            .unwrap_or_else(|| (String::new(), empty_operation()));
        documented::operation(&mut op);
        let json = op
            .request
            .as_ref()
            .and_then(|r| r.content.iter().find(|m| m.content_type.contains("json")))
            .map(|m| (m.schema.clone(), Gate::new(&m.schema, &registry)));
        let reads_headers = op
            .params
            .iter()
            .any(|p| !matches!(p.in_type, MetaParamIn::Query | MetaParamIn::Path));
        Info {
            path,
            op,
            registry,
            json,
            reads_headers,
        }
    }

    fn raw(&self, req: &Request) -> Raw {
        Raw {
            uri: req.uri().clone(),
            headers: self.reads_headers.then(|| req.headers().clone()),
        }
    }

    /// Every problem of the request: its parameters, then its body; `err` is what
    /// poem-openapi found, when it did.
    pub(super) fn problems(&self, raw: Option<&Raw>, err: Option<&poem::Error>) -> Vec<Problem> {
        let mut out = Vec::new();
        if let Some(raw) = raw {
            params::problems(&self.op.params, &self.registry, raw, &self.path, &mut out);
        }
        let body = context::json_body();
        match (&self.json, &body) {
            (Some((schema, _)), Some(bytes)) => {
                out.extend(body::problems(bytes, schema, &self.registry));
            }
            _ => {
                if let Some(request) = &self.op.request
                    && request.required
                    && context::has_body() == Some(false)
                {
                    out.push(super::rules::missing("body"));
                }
            }
        }
        if out.is_empty()
            && let Some(err) = err
        {
            out.push(super::fallback(err, &self.op, &self.registry));
        }
        out
    }
}

fn empty_operation() -> MetaOperation {
    MetaOperation {
        tags: Vec::new(),
        method: poem::http::Method::GET,
        summary: None,
        description: None,
        external_docs: None,
        params: Vec::new(),
        request: None,
        responses: poem_openapi::registry::MetaResponses {
            responses: Vec::new(),
        },
        deprecated: false,
        security: Vec::new(),
        operation_id: None,
        code_samples: Vec::new(),
    }
}

/// What the operation being served saw of its request.
pub(super) struct Seen {
    pub(super) info: &'static Info,
    pub(super) raw: Raw,
}

tokio::task_local! {
    pub(super) static SEEN: Seen;
}

/// The operation's endpoint, wrapped. Not for direct use.
#[doc(hidden)]
pub struct Guard<E> {
    inner: E,
    operation: &'static Operation,
}

impl<E> Guard<E> {
    pub fn new(inner: E, operation: &'static Operation) -> Self {
        Guard { inner, operation }
    }
}

impl<E: Endpoint> Endpoint for Guard<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        let info: &'static Info = self.operation.info();
        if let Some((_, gate)) = &info.json
            && let Some(body) = context::json_body()
            && !gate.admits(&body, &info.registry)
        {
            let problems = info.problems(Some(&info.raw(&req)), None);
            return Ok(refusal(problems).into_response());
        }
        let seen = Seen {
            info,
            raw: info.raw(&req),
        };
        SEEN.scope(seen, self.inner.call(req))
            .await
            .map(IntoResponse::into_response)
    }
}
