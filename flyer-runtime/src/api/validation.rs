//! Validation failures explained FastAPI-style: one `{"loc", "msg", "type"}` entry per
//! problem, `loc` starting with `body`, `query`, `path`, `header` or `cookie` and reaching
//! into nested fields (`body.items.0.name`).
//!
//! poem-openapi stops at the first problem and describes it in a sentence. For a JSON
//! body, flyer walks the body against the operation's schema (the same schema, with the
//! same validators, that the spec publishes) and lists every problem; for a parameter,
//! it names the parameter and where it lives.

use poem::http::StatusCode;
use poem_openapi::OpenApi;
use poem_openapi::error::{
    ContentTypeError, ParseMultipartError, ParseParamError, ParsePathError,
    ParseRequestPayloadError,
};
use poem_openapi::registry::{MetaOperation, MetaParamIn, MetaSchema, MetaSchemaRef, Registry};
use serde::Serialize;
use serde_json::Value;

use crate::context;

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
        return body_problems(op.as_ref(), M::register, &e.reason);
    }
    let loc = if err.status() == StatusCode::UNSUPPORTED_MEDIA_TYPE {
        "header.content-type"
    } else {
        "request"
    };
    vec![Problem::new(loc, err.to_string(), "value_error")]
}

/// Walks the JSON body against the operation's request schema; falls back to
/// poem-openapi's sentence when the walk finds nothing (a custom validator, say).
fn body_problems(
    op: Option<&MetaOperation>,
    register: fn(&mut Registry),
    reason: &str,
) -> Vec<Problem> {
    let fallback = || vec![Problem::new("body", reason, "value_error")];
    let Some(bytes) = context::json_body() else {
        return fallback();
    };
    let value: Value = match serde_json::from_slice(&bytes) {
        Ok(v) => v,
        Err(e) => {
            return vec![Problem::new(
                "body",
                format!("invalid JSON: {e}"),
                "json_invalid",
            )];
        }
    };
    let Some(schema) = op
        .and_then(|op| op.request.as_ref())
        .and_then(|r| r.content.iter().find(|m| m.content_type.contains("json")))
        .map(|m| m.schema.clone())
    else {
        return fallback();
    };
    let mut registry = Registry::new();
    register(&mut registry);
    let mut found = Vec::new();
    walk(&value, &schema, &registry, "body", &mut found);
    if found.is_empty() { fallback() } else { found }
}

fn resolve<'a>(schema: &'a MetaSchemaRef, registry: &'a Registry) -> Option<&'a MetaSchema> {
    match schema {
        MetaSchemaRef::Inline(s) => Some(s),
        MetaSchemaRef::Reference(name) => registry.schemas.get(name),
    }
}

fn type_matches(ty: &str, value: &Value) -> bool {
    match ty {
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "object" => value.is_object(),
        "array" => value.is_array(),
        _ => true,
    }
}

fn walk(
    value: &Value,
    schema: &MetaSchemaRef,
    registry: &Registry,
    loc: &str,
    out: &mut Vec<Problem>,
) {
    let Some(s) = resolve(schema, registry) else {
        return;
    };
    if value.is_null() {
        if !s.nullable
            && s.ty != "any"
            && !s.ty.is_empty()
            && s.any_of.is_empty()
            && s.one_of.is_empty()
        {
            out.push(Problem::new(
                loc,
                format!("expected {}, got null", s.ty),
                format!("type_error.{}", s.ty),
            ));
        }
        return;
    }
    for part in &s.all_of {
        walk(value, part, registry, loc, out);
    }
    let alternatives = if s.one_of.is_empty() {
        &s.any_of
    } else {
        &s.one_of
    };
    if !alternatives.is_empty() {
        let fits = alternatives.iter().any(|alt| {
            let mut probe = Vec::new();
            walk(value, alt, registry, loc, &mut probe);
            probe.is_empty()
        });
        if !fits {
            out.push(Problem::new(
                loc,
                "matches none of the allowed shapes",
                "value_error",
            ));
        }
        return;
    }
    if !type_matches(s.ty, value) {
        out.push(Problem::new(
            loc,
            format!("expected {}", s.ty),
            format!("type_error.{}", s.ty),
        ));
        return;
    }
    if !s.enum_items.is_empty() && !s.enum_items.contains(value) {
        let allowed: Vec<String> = s.enum_items.iter().map(Value::to_string).collect();
        out.push(Problem::new(
            loc,
            format!("must be one of: {}", allowed.join(", ")),
            "value_error.enum",
        ));
    }
    match value {
        Value::String(text) => string_checks(s, text, loc, out),
        Value::Number(n) => {
            if let Some(x) = n.as_f64() {
                number_checks(s, x, loc, out);
            }
        }
        Value::Array(items) => {
            if s.min_items.is_some_and(|m| items.len() < m) {
                out.push(Problem::new(
                    loc,
                    format!("must have at least {} items", s.min_items.unwrap_or(0)),
                    "value_error.min_items",
                ));
            }
            if s.max_items.is_some_and(|m| items.len() > m) {
                out.push(Problem::new(
                    loc,
                    format!("must have at most {} items", s.max_items.unwrap_or(0)),
                    "value_error.max_items",
                ));
            }
            if s.unique_items == Some(true) {
                let dup = items
                    .iter()
                    .enumerate()
                    .any(|(i, a)| items[..i].contains(a));
                if dup {
                    out.push(Problem::new(
                        loc,
                        "items must be unique",
                        "value_error.unique_items",
                    ));
                }
            }
            if let Some(item_schema) = &s.items {
                for (i, item) in items.iter().enumerate() {
                    walk(item, item_schema, registry, &format!("{loc}.{i}"), out);
                }
            }
        }
        Value::Object(map) => {
            for field in &s.required {
                if map.get(*field).is_none_or(Value::is_null)
                    && !s.properties.iter().any(|(name, p)| {
                        name == field && resolve(p, registry).is_some_and(|p| p.nullable)
                    })
                {
                    out.push(Problem::new(
                        format!("{loc}.{field}"),
                        "field required",
                        "missing",
                    ));
                }
            }
            for (name, prop) in &s.properties {
                if let Some(v) = map.get(*name) {
                    walk(v, prop, registry, &format!("{loc}.{name}"), out);
                }
            }
            if let Some(extra) = &s.additional_properties {
                for (name, v) in map {
                    if !s.properties.iter().any(|(p, _)| p == name) {
                        walk(v, extra, registry, &format!("{loc}.{name}"), out);
                    }
                }
            }
        }
        _ => {}
    }
}

fn string_checks(s: &MetaSchema, text: &str, loc: &str, out: &mut Vec<Problem>) {
    let len = text.chars().count();
    if let Some(min) = s.min_length.filter(|m| len < *m) {
        out.push(Problem::new(
            loc,
            format!("must be at least {min} characters long"),
            "value_error.min_length",
        ));
    }
    if let Some(max) = s.max_length.filter(|m| len > *m) {
        out.push(Problem::new(
            loc,
            format!("must be at most {max} characters long"),
            "value_error.max_length",
        ));
    }
    if let Some(pattern) = &s.pattern
        && compiled(pattern).is_some_and(|re| !re.is_match(text))
    {
        out.push(Problem::new(
            loc,
            format!("must match the pattern {pattern}"),
            "value_error.pattern",
        ));
    }
}

/// The regex of a schema's `pattern`, compiled once per pattern: the schemas, and so the
/// patterns, are a fixed set.
fn compiled(pattern: &str) -> Option<regex::Regex> {
    static SEEN: std::sync::OnceLock<
        std::sync::Mutex<std::collections::HashMap<String, Option<regex::Regex>>>,
    > = std::sync::OnceLock::new();
    let mut seen = SEEN
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    seen.entry(pattern.to_owned())
        .or_insert_with(|| regex::Regex::new(pattern).ok())
        .clone()
}

fn number_checks(s: &MetaSchema, x: f64, loc: &str, out: &mut Vec<Problem>) {
    if let Some(min) = s.minimum {
        let exclusive = s.exclusive_minimum == Some(true);
        if x < min || (exclusive && x == min) {
            let op = if exclusive { ">" } else { ">=" };
            out.push(Problem::new(
                loc,
                format!("must be {op} {min}"),
                "value_error.minimum",
            ));
        }
    }
    if let Some(max) = s.maximum {
        let exclusive = s.exclusive_maximum == Some(true);
        if x > max || (exclusive && x == max) {
            let op = if exclusive { "<" } else { "<=" };
            out.push(Problem::new(
                loc,
                format!("must be {op} {max}"),
                "value_error.maximum",
            ));
        }
    }
    if let Some(step) = s.multiple_of.filter(|m| *m != 0.0)
        && (x / step).fract().abs() > f64::EPSILON
    {
        out.push(Problem::new(
            loc,
            format!("must be a multiple of {step}"),
            "value_error.multiple_of",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn string(min: usize, max: usize) -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            min_length: Some(min),
            max_length: Some(max),
            ..MetaSchema::new("string")
        }))
    }

    #[test]
    fn lists_every_problem_with_its_location() {
        let item = MetaSchema {
            required: vec!["name"],
            properties: vec![("name", string(1, 3))],
            ..MetaSchema::new("object")
        };
        let mut registry = Registry::new();
        registry.schemas.insert("Item".into(), item);
        let root = MetaSchemaRef::Inline(Box::new(MetaSchema {
            required: vec!["items", "count"],
            properties: vec![
                (
                    "items",
                    MetaSchemaRef::Inline(Box::new(MetaSchema {
                        items: Some(Box::new(MetaSchemaRef::Reference("Item".into()))),
                        ..MetaSchema::new("array")
                    })),
                ),
                (
                    "count",
                    MetaSchemaRef::Inline(Box::new(MetaSchema::new("integer"))),
                ),
            ],
            ..MetaSchema::new("object")
        }));
        let mut out = Vec::new();
        walk(
            &json!({"items": [{"name": "ok"}, {"name": "toolong"}, {}], "count": "x"}),
            &root,
            &registry,
            "body",
            &mut out,
        );
        let locs: Vec<&str> = out.iter().map(|p| p.loc.as_str()).collect();
        assert_eq!(
            locs,
            ["body.items.1.name", "body.items.2.name", "body.count"]
        );
        assert_eq!(out[1].kind, "missing");
        assert_eq!(out[2].kind, "type_error.integer");
    }
}
