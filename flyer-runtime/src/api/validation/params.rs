//! Parameters checked from the request's own text against their schemas: every
//! parameter, in the operation's order, each problem in the vocabulary of `rules.rs`.
//! poem-openapi stops at the first parameter it cannot parse and words it its own way;
//! this reads what the client sent (the query, the path, the headers and cookies) again.

use poem::http::{HeaderMap, Uri};
use poem_openapi::registry::{MetaOperationParam, MetaParamIn, MetaSchema, Registry};
use serde_json::Value;

use super::Problem;
use super::body::resolve;
use super::rules::{
    bad_format, enum_check, items_checks, missing, number_checks, string_checks,
    wide_integer_checks, wrong_type,
};

/// What the client sent, kept while the operation extracts its arguments.
pub(crate) struct Raw {
    pub(super) uri: Uri,
    /// Only when the operation reads headers or cookies.
    pub(super) headers: Option<HeaderMap>,
}

pub(super) fn location(param_in: MetaParamIn) -> &'static str {
    match param_in {
        MetaParamIn::Query => "query",
        MetaParamIn::Header => "header",
        MetaParamIn::Path => "path",
        MetaParamIn::Cookie | MetaParamIn::CookiePrivate | MetaParamIn::CookieSigned => "cookie",
    }
}

pub(super) fn loc(param: &MetaOperationParam) -> String {
    format!("{}.{}", location(param.in_type), param.name)
}

fn decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

/// The values the client sent for `param`; `path` is the route's template.
fn values(param: &MetaOperationParam, raw: &Raw, path: &str) -> Vec<String> {
    match param.in_type {
        MetaParamIn::Query => form_urlencoded::parse(raw.uri.query().unwrap_or("").as_bytes())
            .filter(|(k, _)| *k == param.name)
            .map(|(_, v)| v.into_owned())
            .collect(),
        MetaParamIn::Path => {
            // The prefix has no parameters: the template matches the path's last segments.
            let template: Vec<&str> = path.split('/').collect();
            let given: Vec<&str> = raw.uri.path().split('/').collect();
            let Some(offset) = given.len().checked_sub(template.len()) else {
                return Vec::new();
            };
            let wanted = format!("{{{}}}", param.name);
            template
                .iter()
                .position(|s| *s == wanted)
                .map(|i| decode(given[offset + i]))
                .into_iter()
                .collect()
        }
        MetaParamIn::Header => raw
            .headers
            .iter()
            .flat_map(|h| h.get_all(param.name.as_str()))
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect(),
        MetaParamIn::Cookie | MetaParamIn::CookiePrivate | MetaParamIn::CookieSigned => raw
            .headers
            .iter()
            .flat_map(|h| h.get_all(poem::http::header::COOKIE))
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .filter(|(k, _)| *k == param.name)
            .map(|(_, v)| decode(v))
            .collect(),
    }
}

/// Every problem of every parameter of the operation.
pub(super) fn problems(
    params: &[MetaOperationParam],
    registry: &Registry,
    raw: &Raw,
    path: &str,
    out: &mut Vec<Problem>,
) {
    for param in params {
        let Some(s) = resolve(&param.schema, registry) else {
            continue;
        };
        let loc = loc(param);
        let values = values(param, raw, path);
        if values.is_empty() {
            if param.required {
                out.push(missing(&loc));
            }
            continue;
        }
        if s.ty == "array" {
            let duplicate = || {
                values
                    .iter()
                    .enumerate()
                    .any(|(i, a)| values[..i].contains(a))
            };
            items_checks(s, values.len(), duplicate, &loc, out);
            if let Some(item) = s.items.as_deref().and_then(|i| resolve(i, registry)) {
                for (i, v) in values.iter().enumerate() {
                    text(item, v, &format!("{loc}.{i}"), out);
                }
            }
        } else {
            text(s, &values[0], &loc, out);
        }
    }
}

/// The problems of one value, as text, against `s`.
fn text(s: &MetaSchema, value: &str, loc: &str, out: &mut Vec<Problem>) {
    match s.ty {
        "integer" => match value.parse::<i128>() {
            Ok(x) => {
                // Precise beyond 2^53, where the f64 bounds are not; out of the type's
                // range, no other keyword is worth a word.
                let before = out.len();
                wide_integer_checks(s, x, loc, out);
                if out.len() > before {
                    return;
                }
                number_checks(s, x as f64, loc, out);
                enum_check(s, &number(x), loc, out);
            }
            Err(_) => out.push(wrong_type(s, loc)),
        },
        "number" => match value.parse::<f64>() {
            Ok(x) if x.is_finite() => {
                number_checks(s, x, loc, out);
                enum_check(s, &Value::from(x), loc, out);
            }
            _ => out.push(wrong_type(s, loc)),
        },
        "boolean" => {
            if value.parse::<bool>().is_err() {
                out.push(wrong_type(s, loc));
            }
        }
        _ => {
            string_checks(s, value, loc, out);
            enum_check(s, &Value::from(value), loc, out);
        }
    }
}

fn number(x: i128) -> Value {
    i64::try_from(x)
        .map(Value::from)
        .or_else(|_| u64::try_from(x).map(Value::from))
        .unwrap_or(Value::Null)
}

/// The problem of a string parameter poem-openapi could not parse although every keyword
/// held: its `format` (a uuid, a date-time, ...).
pub(super) fn format_problem(param: &MetaOperationParam, registry: &Registry) -> Option<Problem> {
    let s = resolve(&param.schema, registry)?;
    let s = if s.ty == "array" {
        resolve(s.items.as_deref()?, registry)?
    } else {
        s
    };
    Some(bad_format(s.format?, &loc(param)))
}
