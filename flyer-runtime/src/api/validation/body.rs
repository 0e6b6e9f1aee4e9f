//! A JSON body walked against the operation's request schema (the same schema, with the
//! same validators, that the spec publishes), listing every problem.

use poem_openapi::registry::{MetaSchema, MetaSchemaRef, Registry};
use serde_json::Value;

use super::Problem;
use super::rules::{enum_check, items_checks, missing, number_checks, string_checks, wrong_type};

/// Every problem of the JSON `bytes` against `schema`.
pub(super) fn problems(bytes: &[u8], schema: &MetaSchemaRef, registry: &Registry) -> Vec<Problem> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(value) => {
            let mut found = Vec::new();
            walk(&value, schema, registry, "body", &mut found);
            found
        }
        Err(e) => vec![Problem::new(
            "body",
            format!("invalid JSON: {e}"),
            "json_invalid",
        )],
    }
}

pub(super) fn resolve<'a>(
    schema: &'a MetaSchemaRef,
    registry: &'a Registry,
) -> Option<&'a MetaSchema> {
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

/// Whether `s` takes `null`: nullable, or of any type.
fn takes_null(s: &MetaSchema) -> bool {
    s.nullable || ((s.ty.is_empty() || s.ty == "any") && s.all_of.is_empty())
}

/// Every problem of `value` against `schema`, located under `loc`.
pub(super) fn walk(
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
        if !takes_null(s) {
            out.push(match typed(s, registry) {
                Some(t) => wrong_type(t, loc),
                None => wrong_type(s, loc),
            });
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
                "value_error.one_of",
            ));
        }
        return;
    }
    if !type_matches(s.ty, value) {
        out.push(wrong_type(s, loc));
        return;
    }
    enum_check(s, value, loc, out);
    match value {
        Value::String(text) => string_checks(s, text, loc, out),
        Value::Number(n) => {
            if let Some(x) = n.as_f64() {
                number_checks(s, x, loc, out);
            }
        }
        Value::Array(items) => {
            let duplicate = || {
                items
                    .iter()
                    .enumerate()
                    .any(|(i, a)| items[..i].contains(a))
            };
            items_checks(s, items.len(), duplicate, loc, out);
            if let Some(item_schema) = &s.items {
                for (i, item) in items.iter().enumerate() {
                    walk(item, item_schema, registry, &format!("{loc}.{i}"), out);
                }
            }
        }
        Value::Object(map) => {
            for field in &s.required {
                if map.get(*field).is_none_or(Value::is_null) {
                    out.push(missing(&format!("{loc}.{field}")));
                }
            }
            for (name, prop) in &s.properties {
                match map.get(*name) {
                    // Reported once, as missing, above.
                    Some(Value::Null) if s.required.contains(name) => {}
                    Some(v) => walk(v, prop, registry, &format!("{loc}.{name}"), out),
                    None => {}
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

/// The typed schema under a nullable wrapper (`{allOf: [$ref]}`), for the message.
fn typed<'a>(s: &'a MetaSchema, registry: &'a Registry) -> Option<&'a MetaSchema> {
    if !s.ty.is_empty() {
        return Some(s);
    }
    s.all_of
        .iter()
        .filter_map(|p| resolve(p, registry))
        .find(|p| !p.ty.is_empty())
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
