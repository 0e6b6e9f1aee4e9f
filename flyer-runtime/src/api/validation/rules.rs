//! The one vocabulary of problems: each message is derived from the schema and the
//! keyword that failed, wherever the value is (body at any depth, query, path, header,
//! cookie). `type` values are FastAPI's: `missing`, `type_error.<type>`,
//! `value_error.<keyword>`.

use poem_openapi::registry::MetaSchema;
use serde_json::Value;

use super::Problem;
use crate::api::documented::is_unsigned;

/// A required value that is absent (or `null`).
pub(super) fn missing(loc: &str) -> Problem {
    Problem::new(loc, "field required", "missing")
}

/// A value of the wrong type for `s`.
pub(super) fn wrong_type(s: &MetaSchema, loc: &str) -> Problem {
    let msg = match s.ty {
        "integer" if is_unsigned(s.format) => "must be an unsigned integer",
        "integer" => "must be an integer",
        "number" => "must be a number",
        "string" => "must be a string",
        "boolean" => "must be a boolean (true or false)",
        "object" => "must be an object",
        "array" => "must be an array",
        _ => "has the wrong type",
    };
    let ty = if s.ty.is_empty() { "any" } else { s.ty };
    Problem::new(loc, msg, format!("type_error.{ty}"))
}

/// A value whose `format` (uuid, date-time, ...) does not parse.
pub(super) fn bad_format(format: &str, loc: &str) -> Problem {
    Problem::new(
        loc,
        format!("must be a valid {format}"),
        "value_error.format",
    )
}

/// The keywords of `s` that apply to a value of any type: `enum`.
pub(super) fn enum_check(s: &MetaSchema, value: &Value, loc: &str, out: &mut Vec<Problem>) {
    if !s.enum_items.is_empty() && !s.enum_items.contains(value) {
        let allowed: Vec<String> = s.enum_items.iter().map(Value::to_string).collect();
        out.push(Problem::new(
            loc,
            format!("must be one of: {}", allowed.join(", ")),
            "value_error.enum",
        ));
    }
}

/// `minLength`, `maxLength`, `pattern`.
pub(super) fn string_checks(s: &MetaSchema, text: &str, loc: &str, out: &mut Vec<Problem>) {
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

/// `minimum`, `maximum` (exclusive or not), `multipleOf`.
pub(super) fn number_checks(s: &MetaSchema, x: f64, loc: &str, out: &mut Vec<Problem>) {
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

/// The range of a 64-bit integer format, which the spec cannot write exactly.
pub(super) fn wide_integer_checks(s: &MetaSchema, x: i128, loc: &str, out: &mut Vec<Problem>) {
    let (min, max) = match s.format {
        Some("int64") => (i128::from(i64::MIN), i128::from(i64::MAX)),
        Some("uint64") => (0, i128::from(u64::MAX)),
        _ => return,
    };
    if x < min && s.minimum.is_none() {
        out.push(Problem::new(
            loc,
            format!("must be >= {min}"),
            "value_error.minimum",
        ));
    }
    if x > max {
        out.push(Problem::new(
            loc,
            format!("must be <= {max}"),
            "value_error.maximum",
        ));
    }
}

/// `minItems`, `maxItems`, `uniqueItems` of a list of `len` items; `duplicate` says
/// whether two of them are equal.
pub(super) fn items_checks(
    s: &MetaSchema,
    len: usize,
    duplicate: impl FnOnce() -> bool,
    loc: &str,
    out: &mut Vec<Problem>,
) {
    if let Some(min) = s.min_items.filter(|m| len < *m) {
        out.push(Problem::new(
            loc,
            format!("must have at least {min} items"),
            "value_error.min_items",
        ));
    }
    if let Some(max) = s.max_items.filter(|m| len > *m) {
        out.push(Problem::new(
            loc,
            format!("must have at most {max} items"),
            "value_error.max_items",
        ));
    }
    if s.unique_items == Some(true) && duplicate() {
        out.push(Problem::new(
            loc,
            "items must be unique",
            "value_error.unique_items",
        ));
    }
}
