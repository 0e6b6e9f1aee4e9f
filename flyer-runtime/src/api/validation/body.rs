//! A JSON body walked against the operation's request schema (the same schema, with the
//! same validators, that the spec publishes), listing every problem.

use poem_openapi::registry::{MetaOperation, MetaSchema, MetaSchemaRef, Registry};
use serde_json::Value;

use super::Problem;
use super::rules::{number_checks, string_checks};
use crate::context;

/// Walks the JSON body against the operation's request schema; falls back to
/// poem-openapi's sentence when the walk finds nothing (a custom validator, say).
pub(super) fn problems(
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
