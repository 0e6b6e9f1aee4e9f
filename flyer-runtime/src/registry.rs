//! The link-time registry of endpoints and the one poem-openapi API built from it.
//!
//! Each `#[endpoint]` submits a [`Registration`] with `inventory`. [`Endpoints`]
//! implements `poem_openapi::OpenApi` by iterating them: it merges operations that share
//! a path into one path item (poem-openapi alone writes one entry per API type, and a
//! JSON map keeps only the last: poem issue #923), and sorts paths and methods so the
//! spec is the same on every build. [`check`] refuses what poem-openapi would get wrong
//! silently or with a bare panic: a duplicate route, operation id or schema name.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};

use poem::endpoint::BoxEndpoint;
use poem::http::Method;
use poem_openapi::OpenApi;
use poem_openapi::registry::{
    MetaApi, MetaOperation, MetaParamIn, MetaPath, MetaSchema, MetaSchemaRef, MetaSecurityScheme,
    MetaTag, Registry,
};

use crate::auth;
use crate::envelope::{self, ERROR_SCHEMA};

/// The route table poem-openapi fills: path → method → endpoint.
pub type RouteTable = HashMap<String, HashMap<Method, BoxEndpoint<'static>>>;

/// One `#[endpoint]`, as the macro registers it. Not for direct use.
#[doc(hidden)]
pub struct Registration {
    /// `crate::module::function`.
    pub function: &'static str,
    pub file: &'static str,
    pub line: u32,
    /// Upper-case HTTP method.
    pub method: &'static str,
    /// The path template, `/users/{id}`.
    pub path: &'static str,
    pub tags: &'static [&'static str],
    pub summary: Option<&'static str>,
    pub description: Option<&'static str>,
    pub operation_id: &'static str,
    pub deprecated: bool,
    pub hidden: bool,
    /// Its `#[queued]` and `#[rate_limit]`, if any.
    pub controls: Option<&'static crate::queue::Controls>,
    /// The envelope codes it declares (`errors = [...]`).
    pub errors: &'static [u32],
    /// The codes its arguments' types declare (`DeclaresErrors`).
    pub arg_errors: fn() -> Vec<u32>,
    pub meta: fn() -> Vec<MetaApi>,
    pub register: fn(&mut Registry),
    pub add_routes: fn(&mut RouteTable),
}

inventory::collect!(Registration);

impl Registration {
    /// `file:line` of the function.
    pub fn location(&self) -> String {
        format!("{}:{}", self.file, self.line)
    }

    fn named(&self) -> String {
        format!("`{}` ({})", self.function, self.location())
    }

    /// The operations poem-openapi describes, with flyer's metadata applied.
    fn operations(&self) -> impl Iterator<Item = (String, MetaOperation)> + '_ {
        (self.meta)()
            .into_iter()
            .flat_map(|api| api.paths)
            .flat_map(|path| {
                let p = path.path;
                path.operations.into_iter().map(move |op| (p.clone(), op))
            })
            .map(|(path, mut op)| {
                op.tags = self.tags.to_vec();
                op.summary = self.summary;
                op.description = self.description;
                op.operation_id = Some(self.operation_id);
                op.deprecated = self.deprecated;
                (path, op)
            })
    }
}

const METHOD_ORDER: &[&str] = &[
    "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE",
];

fn method_rank(method: &str) -> usize {
    METHOD_ORDER
        .iter()
        .position(|m| *m == method)
        .unwrap_or(METHOD_ORDER.len())
}

/// Every registered endpoint, sorted by path, then method.
pub fn all() -> Vec<&'static Registration> {
    let mut all: Vec<_> = inventory::iter::<Registration>.into_iter().collect();
    all.sort_by(|a, b| {
        (a.path, method_rank(a.method), a.function).cmp(&(
            b.path,
            method_rank(b.method),
            b.function,
        ))
    });
    all
}

/// The collected API: every registered endpoint, as one `poem_openapi::OpenApi`.
/// `AUTH` documents Basic auth on every operation but the open ones; `ERROR_200`
/// documents errors answered with HTTP 200 (`flyer_error_status=200`).
pub struct Endpoints<const AUTH: bool, const ERROR_200: bool>;

/// With `flyer_error_status=200`, every error is a 200: the 200 response is the
/// success envelope or an error envelope, and no other status is documented.
fn fold_errors_into_200(op: &mut MetaOperation) {
    let responses = std::mem::take(&mut op.responses.responses);
    let (mut ok, _errors): (Vec<_>, Vec<_>) =
        responses.into_iter().partition(|r| r.status == Some(200));
    for resp in &mut ok {
        resp.description = "success; with flyer_error_status=200, errors too: `code` tells which";
        for media in &mut resp.content {
            let success = media.schema.clone();
            media.schema = MetaSchemaRef::Inline(Box::new(MetaSchema {
                one_of: vec![success, MetaSchemaRef::Reference(ERROR_SCHEMA.to_owned())],
                ..MetaSchema::ANY
            }));
        }
    }
    op.responses.responses = ok;
}

/// Strings built once for the spec, whose types want them `'static`.
fn intern(text: String) -> &'static str {
    static SEEN: std::sync::OnceLock<std::sync::Mutex<HashSet<&'static str>>> =
        std::sync::OnceLock::new();
    let mut seen = SEEN
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    if let Some(found) = seen.get(text.as_str()) {
        return found;
    }
    let leaked: &'static str = Box::leak(text.into_boxed_str());
    seen.insert(leaked);
    leaked
}

/// A response for each declared code whose status is not documented yet.
fn document_errors(op: &mut MetaOperation, codes: impl Iterator<Item = u32>) {
    for code in codes {
        let status = crate::error::status_of(code).as_u16();
        if op
            .responses
            .responses
            .iter()
            .any(|r| r.status == Some(status))
        {
            continue;
        }
        let what = intern(format!("{code}: {}", crate::error::codes::describe(code)));
        op.responses
            .responses
            .push(envelope::error_response(status, what));
    }
    op.responses.responses.sort_by_key(|r| r.status);
}

/// The responses and words `#[queued]` and `#[rate_limit]` add to an operation.
fn document_controls(op: &mut MetaOperation, controls: &crate::queue::Controls) {
    let mut notes = Vec::new();
    if let Some(q) = &controls.queue {
        notes.push(format!(
            "Queued: at most {} requests of this route are admitted at once{}; beyond, 50300 with `Retry-After`.",
            q.limit,
            q.concurrency
                .map(|c| format!(" ({c} run at once per process)"))
                .unwrap_or_default()
        ));
        op.responses.responses.push(envelope::error_response(
            503,
            "50300: over capacity (the route's queue is full, or its Redis is down); retry after `Retry-After`",
        ));
    }
    if let Some(r) = &controls.rate_limit {
        notes.push(format!(
            "Rate limited: {} requests per {:?} (bursts of {}) {}; beyond, 42900 with `Retry-After`.",
            r.count,
            std::time::Duration::from_millis(r.period_ms),
            r.burst,
            match r.key {
                crate::rate_limit::RateKey::Global => "in all".to_owned(),
                crate::rate_limit::RateKey::Ip => "per client IP".to_owned(),
                crate::rate_limit::RateKey::Header(h) => format!("per `{h}` header"),
            }
        ));
        let mut resp =
            envelope::error_response(429, "42900: rate limited; retry after `Retry-After`");
        for (name, what) in [
            ("Retry-After", "seconds to wait"),
            ("X-RateLimit-Limit", "the burst allowed"),
            ("X-RateLimit-Remaining", "requests left now"),
        ] {
            resp.headers.push(poem_openapi::registry::MetaHeader {
                name: name.to_owned(),
                description: Some(what.to_owned()),
                required: true,
                deprecated: false,
                schema: <i64 as poem_openapi::types::Type>::schema_ref(),
            });
        }
        op.responses.responses.push(resp);
    }
    op.responses.responses.sort_by_key(|r| r.status);
    let text = match op.description {
        Some(d) => format!("{d}\n\n{}", notes.join("\n\n")),
        None => notes.join("\n\n"),
    };
    op.description = Some(intern(text));
}

impl<const AUTH: bool, const ERROR_200: bool> OpenApi for Endpoints<AUTH, ERROR_200> {
    fn meta() -> Vec<MetaApi> {
        let mut paths: BTreeMap<String, Vec<MetaOperation>> = BTreeMap::new();
        for reg in all().into_iter().filter(|r| !r.hidden) {
            for (path, mut op) in reg.operations() {
                if AUTH && !auth::OPEN_OPERATIONS.contains(&reg.path) {
                    op.security = vec![HashMap::from([(auth::SCHEME, Vec::new())])];
                    op.responses
                        .responses
                        .push(envelope::unauthorized_response());
                    op.responses.responses.sort_by_key(|r| r.status);
                }
                if let Some(controls) = reg.controls {
                    document_controls(&mut op, controls);
                }
                document_errors(
                    &mut op,
                    reg.errors.iter().copied().chain((reg.arg_errors)()),
                );
                if ERROR_200 {
                    fold_errors_into_200(&mut op);
                }
                paths.entry(path).or_default().push(op);
            }
        }
        for ops in paths.values_mut() {
            ops.sort_by_key(|op| method_rank(op.method.as_str()));
        }
        vec![MetaApi {
            paths: paths
                .into_iter()
                .map(|(path, operations)| MetaPath { path, operations })
                .collect(),
        }]
    }

    fn register(registry: &mut Registry) {
        if AUTH {
            registry.create_security_scheme(
                auth::SCHEME,
                MetaSecurityScheme {
                    ty: "http",
                    description: Some("flyer_auth_user / flyer_auth_pass"),
                    name: None,
                    key_in: None,
                    scheme: Some("basic"),
                    bearer_format: None,
                    flows: None,
                    openid_connect_url: None,
                },
            );
        }
        for reg in all() {
            (reg.register)(registry);
            for tag in reg.tags {
                registry.create_tag(MetaTag {
                    name: tag,
                    description: None,
                    external_docs: None,
                });
            }
        }
    }

    fn add_routes(self, route_table: &mut RouteTable) {
        for reg in all() {
            (reg.add_routes)(route_table);
        }
    }
}

/// The methods of the registered routes matching `path` (a full request path), for the
/// `Allow` header of a 405.
pub(crate) fn allowed_methods(path: &str, prefix: &str) -> Vec<&'static str> {
    let Some(rest) = path.strip_prefix(prefix) else {
        return Vec::new();
    };
    let given: Vec<&str> = rest.split('/').collect();
    let matches = |template: &str| {
        let parts: Vec<&str> = template.split('/').collect();
        parts.len() == given.len()
            && parts
                .iter()
                .zip(&given)
                .all(|(t, g)| t == g || (t.starts_with('{') && !g.is_empty()))
    };
    let mut methods: Vec<&'static str> = all()
        .into_iter()
        .filter(|r| matches(r.path))
        .map(|r| r.method)
        .collect();
    methods.sort_by_key(|m| method_rank(m));
    methods.dedup();
    methods
}

/// Why the registered endpoints cannot be served; every problem found, one a line.
#[derive(Debug)]
pub struct StartupError(pub Vec<String>);

impl fmt::Display for StartupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "flyer cannot start:")?;
        for problem in &self.0 {
            write!(f, "\n  - {problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for StartupError {}

/// `/users/{id}` → `/users/{}`: the shape the router matches on.
fn shape(path: &str) -> String {
    path.split('/')
        .map(|s| if s.starts_with('{') { "{}" } else { s })
        .collect::<Vec<_>>()
        .join("/")
}

fn vars(path: &str) -> HashSet<&str> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .collect()
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "a panic".to_owned())
}

/// Checks `regs` for what would route or document wrongly: a duplicate method + path,
/// the same route written with different parameter names, a duplicate operation id, two
/// types with one schema name, and a path parameter missing from the path.
pub fn check(regs: &[&Registration]) -> Result<(), StartupError> {
    let mut problems = Vec::new();
    let mut routes: HashMap<(&str, String), &Registration> = HashMap::new();
    let mut shapes: HashMap<String, &Registration> = HashMap::new();
    let mut operation_ids: HashMap<&str, &Registration> = HashMap::new();
    let mut schemas: HashMap<String, (&'static str, &Registration)> = HashMap::new();

    for reg in regs {
        let shape = shape(reg.path);
        if let Some(first) = routes.insert((reg.method, shape.clone()), reg) {
            problems.push(format!(
                "duplicate route {} {}: defined by {} and by {}",
                reg.method,
                reg.path,
                first.named(),
                reg.named()
            ));
        }
        match shapes.get(&shape) {
            Some(first) if first.path != reg.path => problems.push(format!(
                "{} {} of {} and {} {} of {} are one route with different parameter names; use the same names",
                first.method,
                first.path,
                first.named(),
                reg.method,
                reg.path,
                reg.named()
            )),
            Some(_) => {}
            None => {
                shapes.insert(shape, reg);
            }
        }
        if let Some(first) = operation_ids.insert(reg.operation_id, reg) {
            problems.push(format!(
                "duplicate operation id `{}`: used by {} and by {}; set `operation_id = \"...\"` on one",
                reg.operation_id,
                first.named(),
                reg.named()
            ));
        }
        let path_vars = vars(reg.path);
        for (_, op) in reg.operations() {
            for param in op.params.iter().filter(|p| p.in_type == MetaParamIn::Path) {
                if !path_vars.contains(param.name.as_str()) {
                    problems.push(format!(
                        "{}: the argument `{}` is a path parameter, but {} has no `{{{}}}`",
                        reg.named(),
                        param.name,
                        reg.path,
                        param.name
                    ));
                }
            }
        }
        let mut registry = Registry::new();
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| (reg.register)(&mut registry))) {
            problems.push(format!(
                "the types of {} cannot be documented: {}",
                reg.named(),
                panic_message(&*panic)
            ));
            continue;
        }
        for (name, schema) in registry.schemas {
            let Some(ty) = schema.rust_typename else {
                continue;
            };
            match schemas.get(&name) {
                Some((first_ty, first)) if *first_ty != ty => problems.push(format!(
                    "two types have the schema name `{name}`: `{first_ty}` (used by {}) and `{ty}` (used by {}); rename one with #[oai(rename = \"...\")]",
                    first.named(),
                    reg.named()
                )),
                Some(_) => {}
                None => {
                    schemas.insert(name, (ty, reg));
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(StartupError(problems))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn shapes() {
        assert_eq!(super::shape("/users/{id}/x"), "/users/{}/x");
        assert_eq!(super::shape("/"), "/");
    }
}
