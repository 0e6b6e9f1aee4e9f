//! Schemas as the server really takes them. poem-openapi documents a `u32` as an
//! `integer` with no bounds, so `-3` is valid by the spec and refused by the server, and a
//! field that is not required (an `Option`, or one with a default) as not nullable,
//! although `null` is taken there (and an `Option` answers `null`). Every schema of the
//! spec — named ones, parameters, bodies, responses, at any depth — gets the bounds of
//! its integer format and `nullable` where `null` is taken (and a list parameter is not
//! required, since its absence is taken as an empty list); validation reads the same
//! schemas, so what is documented is what is enforced.

use poem_openapi::registry::{MetaOperation, MetaSchema, MetaSchemaRef, Registry};

/// The range of an integer format. poem-openapi holds bounds as `f64`, which rounds the
/// 64-bit ones (`u64::MAX` becomes 2^64): [`exact_bounds`] writes them exactly in the
/// document.
pub(crate) fn format_bounds(format: Option<&str>) -> (Option<f64>, Option<f64>) {
    let (min, max): (f64, f64) = match format {
        Some("int8") => (i8::MIN.into(), i8::MAX.into()),
        Some("int16") => (i16::MIN.into(), i16::MAX.into()),
        Some("int32") => (i32::MIN.into(), i32::MAX.into()),
        Some("int64") => (i64::MIN as f64, i64::MAX as f64),
        Some("uint8") => (0.0, u8::MAX.into()),
        Some("uint16") => (0.0, u16::MAX.into()),
        Some("uint32") => (0.0, u32::MAX.into()),
        Some("uint64") => (0.0, u64::MAX as f64),
        _ => return (None, None),
    };
    (Some(min), Some(max))
}

/// The spec's text with the 64-bit bounds written exactly: a JSON number is arbitrary
/// precision, and a client that reads `1.8446744073709552e19` would believe 2^64 valid.
/// These three numbers are the `f64` roundings of the bounds [`format_bounds`] gives,
/// and nothing else in a spec writes them.
pub(crate) fn exact_bounds(mut spec: String) -> String {
    for exponent in ["e", "e+"] {
        spec = spec
            .replace(
                &format!("-9.223372036854776{exponent}18"),
                &i64::MIN.to_string(),
            )
            .replace(
                &format!("9.223372036854776{exponent}18"),
                &i64::MAX.to_string(),
            )
            .replace(
                &format!("1.8446744073709552{exponent}19"),
                &u64::MAX.to_string(),
            );
    }
    spec
}

/// Whether `format` is one of an unsigned integer.
pub(crate) fn is_unsigned(format: Option<&str>) -> bool {
    format.is_some_and(|f| f.starts_with("uint"))
}

/// One schema and everything inside it.
fn schema(s: &mut MetaSchema) {
    if s.ty == "integer" {
        let (min, max) = format_bounds(s.format);
        // A validator's own bound is tighter or equal: it stays.
        if s.minimum.is_none() {
            s.minimum = min;
        }
        if s.maximum.is_none() {
            s.maximum = max;
        }
    }
    for (name, prop) in &mut s.properties {
        schema_ref(prop);
        if !s.required.contains(name) {
            nullable(prop);
        }
    }
    for part in s
        .items
        .iter_mut()
        .chain(s.additional_properties.iter_mut())
        .map(|b| &mut **b)
        .chain(&mut s.any_of)
        .chain(&mut s.one_of)
        .chain(&mut s.all_of)
    {
        schema_ref(part);
    }
}

fn schema_ref(s: &mut MetaSchemaRef) {
    if let MetaSchemaRef::Inline(s) = s {
        schema(s);
    }
}

/// Marks a property `nullable`: a reference goes under `allOf`, where `nullable` may
/// stand beside it (OpenAPI 3.0 ignores the siblings of a `$ref`).
fn nullable(prop: &mut MetaSchemaRef) {
    match prop {
        MetaSchemaRef::Inline(s) => s.nullable = true,
        MetaSchemaRef::Reference(name) => {
            *prop = MetaSchemaRef::Inline(Box::new(MetaSchema {
                nullable: true,
                all_of: vec![MetaSchemaRef::Reference(std::mem::take(name))],
                ..MetaSchema::ANY
            }));
        }
    }
}

/// Every named schema of `registry`.
pub(crate) fn registry(registry: &mut Registry) {
    for s in registry.schemas.values_mut() {
        schema(s);
    }
}

/// Every schema of an operation: its parameters, its body, its responses. A list
/// parameter (`Query<Vec<T>>`) is taken absent, as an empty list: it is not required.
pub(crate) fn operation(op: &mut MetaOperation) {
    for param in &mut op.params {
        schema_ref(&mut param.schema);
        if param.schema.is_array() {
            param.required = false;
        }
    }
    let request = op.request.iter_mut().flat_map(|r| &mut r.content);
    let responses = op.responses.responses.iter_mut().flat_map(|r| {
        r.content
            .iter_mut()
            .map(|m| &mut m.schema)
            .chain(r.headers.iter_mut().map(|h| &mut h.schema))
    });
    for s in request.map(|m| &mut m.schema).chain(responses) {
        schema_ref(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsigned_and_small_integers_get_their_range() {
        assert_eq!(
            format_bounds(Some("uint32")),
            (Some(0.0), Some(4294967295.0))
        );
        assert_eq!(
            format_bounds(Some("int16")),
            (Some(-32768.0), Some(32767.0))
        );
        assert_eq!(format_bounds(Some("double")), (None, None));
        let mut s = MetaSchema {
            maximum: Some(100.0),
            ..MetaSchema::new_with_format("integer", "uint32")
        };
        schema(&mut s);
        assert_eq!((s.minimum, s.maximum), (Some(0.0), Some(100.0)));
    }

    #[test]
    fn sixty_four_bit_bounds_are_written_exactly() {
        let mut s = MetaSchema::new_with_format("integer", "uint64");
        schema(&mut s);
        let mut t = MetaSchema::new_with_format("integer", "int64");
        schema(&mut t);
        let text = exact_bounds(serde_json::to_string(&[s, t]).unwrap());
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value[0]["maximum"], u64::MAX, "{text}");
        assert_eq!(value[1]["minimum"], i64::MIN, "{text}");
        assert_eq!(value[1]["maximum"], i64::MAX, "{text}");
    }
}
