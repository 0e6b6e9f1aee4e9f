//! Validation failures explained FastAPI-style: one `{"loc", "msg", "type"}` entry per
//! problem, `loc` starting with `body`, `query`, `path`, `header` or `cookie` and reaching
//! into nested fields (`body.items.0.name`).
//!
//! poem-openapi stops at the first problem and describes it in its own words. flyer reads
//! the request again against the operation's schemas (the ones the spec publishes, with
//! their validators) and lists every problem, each worded from the schema and the keyword
//! that failed (`rules.rs`), wherever it is: the parameters from the request's text
//! (`params.rs`), a JSON body walked as a tree (`body.rs`). Before any of that, a JSON
//! body's types are checked strictly (`gate.rs`), by the wrapper of every generated
//! operation (`guard.rs`).

mod body;
mod gate;
mod guard;
mod params;
mod rules;

pub use guard::{Guard, Operation};

use poem::http::StatusCode;
use poem_openapi::OpenApi;
use poem_openapi::error::{
    ContentTypeError, ParseMultipartError, ParseParamError, ParsePathError,
    ParseRequestPayloadError,
};
use poem_openapi::registry::{MetaOperation, MetaParamIn, Registry};
use serde::Serialize;

use crate::error::Error;

/// One problem with a request.
#[derive(Debug, Serialize, PartialEq)]
pub struct Problem {
    /// Where: `body.msgContent`, `query.size`, `path.id`, `header.x-token`, ...
    pub loc: String,
    /// What is wrong, in words.
    pub msg: String,
    /// What kind of problem: `missing`, `type_error.integer`, `value_error.maximum`, `json_invalid`, ...
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

/// The 40000 of these problems: the first in `msg`, all of them in `data`.
pub(crate) fn refusal(problems: Vec<Problem>) -> Error {
    let msg = problems.first().map_or_else(
        || "invalid request".to_owned(),
        |p| format!("{}: {}", p.loc, p.msg),
    );
    let data = serde_json::to_value(&problems).unwrap_or_default();
    Error::bad_request(msg).with_data(data)
}

/// The problems of a request that failed to parse for operation `M`.
pub(crate) fn problems<M: OpenApi>(err: &poem::Error) -> Vec<Problem> {
    guard::SEEN
        .try_with(|seen| seen.info.problems(Some(&seen.raw), Some(err)))
        .unwrap_or_else(|_| {
            // Outside its wrapper (not a path flyer takes): no request text to read.
            guard::Info::new(M::meta(), M::register).problems(None, Some(err))
        })
}

/// The one problem poem-openapi reported, when reading the request again found none (a
/// validator of the user's own, say): located, and worded from the schema where it can.
fn fallback(err: &poem::Error, op: &MetaOperation, registry: &Registry) -> Problem {
    if let Some(e) = err.downcast_ref::<ParseParamError>() {
        return match op.params.iter().find(|p| p.name == e.name) {
            Some(p) => params::format_problem(p, registry)
                .unwrap_or_else(|| Problem::new(params::loc(p), &e.reason, "value_error")),
            None => Problem::new(format!("query.{}", e.name), &e.reason, "value_error"),
        };
    }
    if let Some(e) = err.downcast_ref::<ParsePathError>() {
        // poem-openapi names path parameters by position: `param0` is the first.
        let index: Option<usize> = e.name.strip_prefix("param").and_then(|n| n.parse().ok());
        let param = op
            .params
            .iter()
            .filter(|p| p.in_type == MetaParamIn::Path)
            .nth(index.unwrap_or(usize::MAX));
        return match param {
            Some(p) => params::format_problem(p, registry)
                .unwrap_or_else(|| Problem::new(params::loc(p), &e.reason, "value_error")),
            None => Problem::new(format!("path.{}", e.name), &e.reason, "value_error"),
        };
    }
    if err.is::<ContentTypeError>() || err.status() == StatusCode::UNSUPPORTED_MEDIA_TYPE {
        let types: Vec<&str> = op
            .request
            .iter()
            .flat_map(|r| &r.content)
            .map(|m| m.content_type)
            .collect();
        return Problem::new(
            "header.content-type",
            format!("must be one of: {}", types.join(", ")),
            "value_error.content_type",
        );
    }
    if let Some(e) = err.downcast_ref::<ParseMultipartError>() {
        return Problem::new("body", &e.reason, "value_error");
    }
    if let Some(e) = err.downcast_ref::<ParseRequestPayloadError>() {
        return Problem::new("body", &e.reason, "value_error");
    }
    Problem::new("request", err.to_string(), "value_error")
}
