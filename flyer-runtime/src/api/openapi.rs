//! The collected API: every registered endpoint as one `poem_openapi::OpenApi`. It
//! merges operations that share a path into one path item (poem-openapi alone writes one
//! entry per API type, and a JSON map keeps only the last: poem issue #923), sorts paths
//! and methods so the spec is the same on every build, and adds what flyer documents
//! beyond poem-openapi: the envelope's error responses, `#[queued]` and `#[rate_limit]`,
//! Basic auth and `flyer_error_status=200`.

use std::collections::{BTreeMap, HashMap, HashSet};

use poem_openapi::OpenApi;
use poem_openapi::registry::{
    MetaApi, MetaOperation, MetaPath, MetaSchema, MetaSchemaRef, MetaSecurityScheme, MetaTag,
    Registry,
};

use super::envelope::{self, ERROR_SCHEMA};
use super::registry::{RouteTable, all, method_rank};
use super::spec::{Controls, Priority, RateKey};
use super::{documented, open};

/// The collected API: every registered endpoint, as one `poem_openapi::OpenApi`.
/// `AUTH` documents Basic auth on every operation but the open ones; `ERROR_200`
/// documents errors answered with HTTP 200 (`flyer_error_status=200`).
pub(crate) struct Endpoints<const AUTH: bool, const ERROR_200: bool>;

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
    sort_responses(op);
}

/// Responses by status, `default` last.
fn sort_responses(op: &mut MetaOperation) {
    op.responses
        .responses
        .sort_by_key(|r| r.status.unwrap_or(u16::MAX));
}

/// The responses and words `#[queued]` and `#[rate_limit]` add to an operation.
fn document_controls(op: &mut MetaOperation, controls: &Controls) {
    let mut notes = Vec::new();
    if let Some(q) = &controls.queue {
        let whose = match q.group {
            Some(group) => format!("of the routes of queue group `{group}`"),
            None => "of this route".to_owned(),
        };
        let mut note = format!(
            "Queued: at most {} requests {whose} are admitted at once{}; beyond, 50300 with `Retry-After`.",
            q.limit,
            q.concurrency
                .map(|c| format!(" ({c} run at once per process)"))
                .unwrap_or_default()
        );
        if q.group.is_some() || q.priority != Priority::Normal {
            note.push_str(&format!(
                " Priority `{}`: waiting `high` requests start first, then `normal`, then `low`.",
                q.priority.name()
            ));
        }
        if q.reserve > 0 {
            note.push_str(&format!(
                " {} of the permits are kept for `high`.",
                q.reserve
            ));
        }
        if q.at_most_once {
            note.push_str(" Runs at most once: a request whose run was lost is answered 50000 \"outcome unknown\", not run again.");
        }
        notes.push(note);
        op.responses.responses.push(envelope::error_response(
            503,
            "50300: over capacity (the route's queue is full, or its Redis is down); retry after `Retry-After`",
        ));
        op.responses.responses.push(envelope::error_response(
            504,
            "50400: admitted, but not answered within the queue's timeout",
        ));
    }
    if let Some(r) = &controls.rate_limit {
        notes.push(format!(
            "Rate limited: {} requests per {:?} (bursts of {}) {}; beyond, 42900 with `Retry-After`.",
            r.count,
            std::time::Duration::from_millis(r.period_ms),
            r.burst,
            match r.key {
                RateKey::Global => "in all".to_owned(),
                RateKey::Ip => "per client IP".to_owned(),
                RateKey::Header(h) => format!("per `{h}` header"),
            }
        ));
        notes.push(
            "With the Redis backend the limit is shared by every instance; while Redis is unreachable, requests are let through (`flyer_rate_limit_fail=open`, the default) or refused with 50300 (`closed`).".to_owned(),
        );
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
        if controls.queue.is_none() {
            op.responses.responses.push(envelope::error_response(
                503,
                "50300: the rate limit cannot be checked (Redis backend, `flyer_rate_limit_fail=closed`, Redis unreachable)",
            ));
        }
    }
    sort_responses(op);
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
                documented::operation(&mut op);
                let validates = !op.params.is_empty() || op.request.is_some();
                op.responses
                    .responses
                    .extend(envelope::error_responses(validates, op.request.is_some()));
                if AUTH && !open::OPERATIONS.contains(&reg.path) {
                    op.security = vec![HashMap::from([(open::SCHEME, Vec::new())])];
                    op.responses
                        .responses
                        .push(envelope::unauthorized_response());
                    sort_responses(&mut op);
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
                open::SCHEME,
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
        documented::registry(registry);
    }

    fn add_routes(self, route_table: &mut RouteTable) {
        for reg in all() {
            (reg.add_routes)(route_table);
        }
    }
}
