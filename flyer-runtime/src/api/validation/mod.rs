//! Validation failures explained FastAPI-style: one `{"loc", "msg", "type"}` entry per
//! problem, `loc` starting with `body`, `query`, `path`, `header` or `cookie` and reaching
//! into nested fields (`body.items.0.name`).
//!
//! poem-openapi stops at the first problem and describes it in a sentence. For a JSON
//! body, flyer walks the body against the operation's schema (the same schema, with the
//! same validators, that the spec publishes) and lists every problem; for a parameter,
//! it names the parameter and where it lives.

mod body;
mod rules;

use poem::http::StatusCode;
use poem_openapi::OpenApi;
use poem_openapi::error::{
    ContentTypeError, ParseMultipartError, ParseParamError, ParsePathError,
    ParseRequestPayloadError,
};
use poem_openapi::registry::{MetaOperation, MetaParamIn};
use serde::Serialize;

/// One problem with a request.
#[derive(Debug, Serialize, PartialEq)]
pub struct Problem {
    /// Where: `body.msgContent`, `query.size`, `path.id`, `header.x-token`, ...
    pub loc: String,
    /// What is wrong, in words.
    pub msg: String,
    /// What kind of problem: `missing`, `type_error.integer`, `value_error`, `json_invalid`, ...
    #[serde(rename = "type")]
    pub kind: String,
}

impl Problem {
    fn new(loc: impl Into<String>, msg: impl Into<String>, kind: impl Into<String>) -> Self {
        Problem {
            loc: loc.into(),
            msg: msg.into(),
            kind: kind.into(),
        }
    }
}

/// The one operation of a generated endpoint type.
fn operation<M: OpenApi>() -> Option<MetaOperation> {
    M::meta()
        .into_iter()
        .flat_map(|api| api.paths)
        .flat_map(|path| path.operations)
        .next()
}

fn location(param_in: MetaParamIn) -> &'static str {
    match param_in {
        MetaParamIn::Query => "query",
        MetaParamIn::Header => "header",
        MetaParamIn::Path => "path",
        MetaParamIn::Cookie => "cookie",
        MetaParamIn::CookiePrivate => "cookie",
        MetaParamIn::CookieSigned => "cookie",
    }
}

fn param_kind(reason: &str) -> &'static str {
    if reason.contains("verification failed") {
        "value_error"
    } else if reason.contains("missing") || reason.contains("required") {
        "missing"
    } else {
        "type_error"
    }
}

/// The problems of a request that failed to parse for operation `M`.
pub(crate) fn problems<M: OpenApi>(err: &poem::Error) -> Vec<Problem> {
    let op = operation::<M>();
    if let Some(e) = err.downcast_ref::<ParseParamError>() {
        let param = op
            .as_ref()
            .and_then(|op| op.params.iter().find(|p| p.name == e.name));
        let loc = match param {
            Some(p) => format!("{}.{}", location(p.in_type), p.name),
            None => format!("query.{}", e.name),
        };
        return vec![Problem::new(loc, &e.reason, param_kind(&e.reason))];
    }
    if let Some(e) = err.downcast_ref::<ParsePathError>() {
        // poem-openapi names path parameters by position: `param0` is the first.
        let index: Option<usize> = e.name.strip_prefix("param").and_then(|n| n.parse().ok());
        let name = op
            .as_ref()
            .and_then(|op| {
                op.params
                    .iter()
                    .filter(|p| p.in_type == MetaParamIn::Path)
                    .nth(index?)
            })
            .map_or(e.name.to_owned(), |p| p.name.clone());
        return vec![Problem::new(
            format!("path.{name}"),
            &e.reason,
            param_kind(&e.reason),
        )];
    }
    if let Some(e) = err.downcast_ref::<ContentTypeError>() {
        return vec![Problem::new(
            "header.content-type",
            e.to_string(),
            "content_type",
        )];
    }
    if let Some(e) = err.downcast_ref::<ParseMultipartError>() {
        return vec![Problem::new("body", &e.reason, "value_error")];
    }
    if let Some(e) = err.downcast_ref::<ParseRequestPayloadError>() {
        return body::problems(op.as_ref(), M::register, &e.reason);
    }
    let loc = if err.status() == StatusCode::UNSUPPORTED_MEDIA_TYPE {
        "header.content-type"
    } else {
        "request"
    };
    vec![Problem::new(loc, err.to_string(), "value_error")]
}
