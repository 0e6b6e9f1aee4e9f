//! The link-time registry of endpoints: each `#[endpoint]` submits a [`Registration`]
//! with `inventory`, and [`all`] lists them in a stable order.

use std::collections::HashMap;

use poem::endpoint::BoxEndpoint;
use poem::http::Method;
use poem_openapi::registry::{MetaApi, MetaOperation, Registry};

use super::spec::Controls;

/// The route table poem-openapi fills: path → method → endpoint.
pub(crate) type RouteTable = HashMap<String, HashMap<Method, BoxEndpoint<'static>>>;

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
    pub controls: Option<&'static Controls>,
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

    pub(super) fn named(&self) -> String {
        format!("`{}` ({})", self.function, self.location())
    }

    /// The operations poem-openapi describes, with flyer's metadata applied.
    pub(super) fn operations(&self) -> impl Iterator<Item = (String, MetaOperation)> + '_ {
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

pub(super) fn method_rank(method: &str) -> usize {
    METHOD_ORDER
        .iter()
        .position(|m| *m == method)
        .unwrap_or(METHOD_ORDER.len())
}

/// Every registered endpoint, sorted by path, then method.
pub(crate) fn all() -> Vec<&'static Registration> {
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
