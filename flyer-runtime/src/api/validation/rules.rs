//! The validators of a schema applied to one value: lengths and patterns of strings,
//! bounds and multiples of numbers.

use poem_openapi::registry::MetaSchema;

use super::Problem;

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
