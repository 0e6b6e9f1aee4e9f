//! The strict type check of a JSON body, before poem-openapi parses it: poem-openapi's
//! `String` takes a JSON number or boolean (`{"name": 12}` would store `"12"`), which the
//! spec, and FastAPI, refuse. The operation's request schema is compiled once into a
//! tree of types, and each body is streamed through it with serde, without building a
//! `Value`: a JSON string field takes only a string, at every depth. Only types are
//! checked here (poem-openapi applies the validators); a body that fails is explained
//! in full by the walk of `body.rs`.

use std::collections::HashMap;
use std::fmt;

use poem_openapi::registry::{MetaSchema, MetaSchemaRef, Registry};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::body;

/// A request schema, compiled.
pub(super) struct Gate {
    nodes: Vec<Node>,
    root: usize,
}

struct Node {
    shape: Shape,
    nullable: bool,
}

enum Shape {
    Any,
    Boolean,
    Integer,
    Number,
    String,
    Array(Option<usize>),
    Object {
        properties: Vec<(&'static str, usize)>,
        additional: Option<usize>,
    },
    /// `anyOf`, `oneOf` or an `allOf` of several types: buffered and walked.
    Composite(MetaSchemaRef),
}

impl Gate {
    pub(super) fn new(schema: &MetaSchemaRef, registry: &Registry) -> Self {
        let mut compiler = Compiler {
            nodes: Vec::new(),
            named: HashMap::new(),
            registry,
        };
        let root = compiler.node(schema);
        Gate {
            nodes: compiler.nodes,
            root,
        }
    }

    /// Whether `body` is JSON whose every value has the type its schema says;
    /// `registry` is the one the gate was compiled with.
    pub(super) fn admits(&self, body: &[u8], registry: &Registry) -> bool {
        let mut de = serde_json::Deserializer::from_slice(body);
        Check {
            gate: self,
            registry,
            node: self.root,
        }
        .deserialize(&mut de)
        .and_then(|()| de.end())
        .is_ok()
    }
}

struct Compiler<'a> {
    nodes: Vec<Node>,
    named: HashMap<&'a str, usize>,
    registry: &'a Registry,
}

impl<'a> Compiler<'a> {
    fn node(&mut self, schema: &'a MetaSchemaRef) -> usize {
        match schema {
            MetaSchemaRef::Reference(name) => {
                if let Some(id) = self.named.get(name.as_str()) {
                    return *id;
                }
                // Reserved first: a schema may refer to itself.
                let id = self.push(Shape::Any, false);
                self.named.insert(name, id);
                if let Some(s) = self.registry.schemas.get(name) {
                    self.nodes[id] = self.compile(s);
                }
                id
            }
            MetaSchemaRef::Inline(s) => {
                let node = self.compile(s);
                let id = self.push(Shape::Any, false);
                self.nodes[id] = node;
                id
            }
        }
    }

    fn push(&mut self, shape: Shape, nullable: bool) -> usize {
        self.nodes.push(Node { shape, nullable });
        self.nodes.len() - 1
    }

    fn compile(&mut self, s: &'a MetaSchema) -> Node {
        let nullable = s.nullable;
        if !s.any_of.is_empty() || !s.one_of.is_empty() {
            return Node {
                shape: Shape::Composite(MetaSchemaRef::Inline(Box::new(s.clone()))),
                nullable,
            };
        }
        if !s.all_of.is_empty() {
            // `{nullable, allOf: [$ref]}` and poem-openapi's `allOf: [$ref, {default}]`
            // have one typed part: that part is the type.
            let typed: Vec<&MetaSchemaRef> = s
                .all_of
                .iter()
                .filter(|p| body::resolve(p, self.registry).is_some_and(|p| !untyped(p)))
                .collect();
            return match typed.as_slice() {
                [] if untyped(s) => Node {
                    shape: Shape::Any,
                    nullable,
                },
                [one] if untyped(s) => {
                    let id = self.node(one);
                    Node {
                        shape: self.alias(id),
                        nullable: nullable || self.nodes[id].nullable,
                    }
                }
                _ => Node {
                    shape: Shape::Composite(MetaSchemaRef::Inline(Box::new(s.clone()))),
                    nullable,
                },
            };
        }
        let shape = match s.ty {
            "boolean" => Shape::Boolean,
            "integer" => Shape::Integer,
            "number" => Shape::Number,
            "string" => Shape::String,
            "array" => Shape::Array(s.items.as_deref().map(|i| self.node(i))),
            "object" => Shape::Object {
                properties: s
                    .properties
                    .iter()
                    .map(|(name, p)| (*name, self.node(p)))
                    .collect(),
                additional: s.additional_properties.as_deref().map(|a| self.node(a)),
            },
            _ => Shape::Any,
        };
        Node { shape, nullable }
    }

    /// The shape of node `id`, as a node of its own (a reference to it, in effect).
    fn alias(&self, id: usize) -> Shape {
        match &self.nodes[id].shape {
            Shape::Any => Shape::Any,
            Shape::Boolean => Shape::Boolean,
            Shape::Integer => Shape::Integer,
            Shape::Number => Shape::Number,
            Shape::String => Shape::String,
            Shape::Array(item) => Shape::Array(*item),
            Shape::Object {
                properties,
                additional,
            } => Shape::Object {
                properties: properties.clone(),
                additional: *additional,
            },
            Shape::Composite(s) => Shape::Composite(s.clone()),
        }
    }
}

/// A schema that says nothing of the type: a description, a default, `nullable`.
fn untyped(s: &MetaSchema) -> bool {
    (s.ty.is_empty() || s.ty == "any")
        && s.properties.is_empty()
        && s.items.is_none()
        && s.all_of.is_empty()
        && s.any_of.is_empty()
        && s.one_of.is_empty()
}

/// One value checked against one node.
#[derive(Clone, Copy)]
struct Check<'g> {
    gate: &'g Gate,
    registry: &'g Registry,
    node: usize,
}

impl Check<'_> {
    fn node(&self) -> &Node {
        &self.gate.nodes[self.node]
    }

    fn at(&self, node: usize) -> Self {
        Check {
            gate: self.gate,
            registry: self.registry,
            node,
        }
    }

    fn takes(&self, want: fn(&Shape) -> bool) -> bool {
        let shape = &self.node().shape;
        matches!(shape, Shape::Any) || want(shape)
    }

    fn ok_if<E: de::Error>(&self, ok: bool) -> Result<(), E> {
        if ok {
            Ok(())
        } else {
            Err(E::custom("wrong type"))
        }
    }
}

impl<'de> DeserializeSeed<'de> for Check<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<(), D::Error> {
        if let Shape::Composite(schema) = &self.node().shape {
            let value = <serde_json::Value as serde::Deserialize>::deserialize(de)?;
            if value.is_null() && self.node().nullable {
                return Ok(());
            }
            let mut found = Vec::new();
            body::walk(&value, schema, self.registry, "body", &mut found);
            return self.ok_if(found.is_empty());
        }
        de.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Check<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value of the schema's type")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.ok_if(self.takes(|s| matches!(s, Shape::Boolean)))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.ok_if(self.takes(|s| matches!(s, Shape::Integer | Shape::Number)))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.ok_if(self.takes(|s| matches!(s, Shape::Integer | Shape::Number)))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.ok_if(self.takes(|s| matches!(s, Shape::Number)))
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        self.ok_if(self.takes(|s| matches!(s, Shape::String)))
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.ok_if(self.node().nullable || matches!(self.node().shape, Shape::Any))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        match self.node().shape {
            Shape::Array(Some(item)) => {
                while seq.next_element_seed(self.at(item))?.is_some() {}
                Ok(())
            }
            Shape::Array(None) | Shape::Any => {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(())
            }
            _ => self.ok_if(false),
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let (properties, additional) = match &self.node().shape {
            Shape::Object {
                properties,
                additional,
            } => (properties.as_slice(), *additional),
            Shape::Any => (&[][..], None),
            _ => return self.ok_if(false),
        };
        while let Some(found) = map.next_key_seed(Key(properties))? {
            match found.or(additional) {
                Some(node) => map.next_value_seed(self.at(node))?,
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// An object's key, looked up among the properties without being copied.
struct Key<'p>(&'p [(&'static str, usize)]);

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<Option<usize>, D::Error> {
        de.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key<'_> {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a property name")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Option<usize>, E> {
        Ok(self
            .0
            .iter()
            .find(|(name, _)| *name == key)
            .map(|(_, id)| *id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prop(ty: &'static str) -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema::new(ty)))
    }

    fn gate() -> (Gate, Registry) {
        let mut registry = Registry::new();
        registry.schemas.insert(
            "Node".into(),
            MetaSchema {
                required: vec!["name"],
                properties: vec![
                    ("name", prop("string")),
                    ("n", prop("integer")),
                    ("on", prop("boolean")),
                    (
                        "children",
                        MetaSchemaRef::Inline(Box::new(MetaSchema {
                            items: Some(Box::new(MetaSchemaRef::Reference("Node".into()))),
                            ..MetaSchema::new("array")
                        })),
                    ),
                    (
                        "maybe",
                        MetaSchemaRef::Inline(Box::new(MetaSchema {
                            nullable: true,
                            ..MetaSchema::new("string")
                        })),
                    ),
                ],
                ..MetaSchema::new("object")
            },
        );
        let gate = Gate::new(&MetaSchemaRef::Reference("Node".into()), &registry);
        (gate, registry)
    }

    #[test]
    fn strings_take_only_strings_at_every_depth() {
        let (g, registry) = gate();
        let admits = |body: &[u8]| g.admits(body, &registry);
        assert!(admits(
            br#"{"name": "a", "n": 1, "on": true, "extra": [1]}"#
        ));
        assert!(admits(
            br#"{"name": "a", "children": [{"name": "b", "maybe": null}]}"#
        ));
        assert!(!admits(br#"{"name": 12}"#));
        assert!(!admits(br#"{"name": false}"#));
        assert!(!admits(br#"{"name": "a", "children": [{"name": 1.5}]}"#));
        assert!(!admits(br#"{"name": "a", "maybe": 3}"#));
        assert!(!admits(br#"{"name": "a", "n": "1"}"#));
        assert!(!admits(br#"{"name": "a", "n": 1.5}"#));
        assert!(!admits(br#"{"name": "a", "on": 1}"#));
        assert!(!admits(br#"{"name": "a"} trailing"#));
        assert!(!admits(br#"["name"]"#));
    }
}
