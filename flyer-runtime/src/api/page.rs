//! [`Page`]: a list answered one page at a time, in Flyer's shape.

use std::borrow::Cow;

use poem_openapi::registry::{MetaSchema, MetaSchemaRef, Registry};
use poem_openapi::types::{ToJSON, Type};

/// One page of a list, as an endpoint's return type: the envelope's `data` is the items,
/// and a top-level `pagination` says where they are in the whole list (Flyer's shape):
///
/// ```json
/// {"code": 200, "msg": "success", "data": [...],
///  "pagination": {"total": 42, "offset": 20, "size": 10}, "request_id": "..."}
/// ```
///
/// The spec documents both. A `Page` is a return type only: nested in another type, it
/// would not be unwrapped.
///
/// ```no_run
/// use flyer_runtime::prelude::*;
///
/// #[endpoint(GET, "/numbers", tag = "demo")]
/// async fn numbers(offset: Query<u64>, size: Query<u64>) -> Page<u64> {
///     let total = 1000;
///     let items = (offset.0..total).take(size.0 as usize).collect();
///     Page { items, total, offset: offset.0, size: size.0 }
/// }
/// # fn main() {}
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T> {
    /// This page's items: the envelope's `data`.
    pub items: Vec<T>,
    /// How many items the whole list has.
    pub total: u64,
    /// Where this page starts in the whole list (0 is the first item).
    pub offset: u64,
    /// The page size asked for (the last page may hold fewer items).
    pub size: u64,
}

/// The start of a `Page`'s type name: how the envelope's spec recognises one.
const PAGE_NAME: &str = "flyer::Page<";
/// The keys under which a `Page` hands its parts to the envelope. They start with a NUL,
/// which no field name of a user's type has, so no other data is mistaken for a page.
const PAGE_DATA: &str = "\0flyer.page.data";
const PAGE_PAGINATION: &str = "\0flyer.page.pagination";

/// The items and the pagination of `data` when it is what [`Page::to_json`](ToJSON::to_json)
/// produced; `data` as it was otherwise.
pub(super) fn split(
    data: serde_json::Value,
) -> Result<(Option<serde_json::Value>, serde_json::Value), serde_json::Value> {
    match data {
        serde_json::Value::Object(mut page)
            if page.len() == 2 && page.contains_key(PAGE_PAGINATION) =>
        {
            let pagination = page.remove(PAGE_PAGINATION).unwrap_or_default();
            Ok((page.remove(PAGE_DATA), pagination))
        }
        other => Err(other),
    }
}

/// Whether a type of this name is a [`Page`].
pub(super) fn is_page(type_name: &str) -> bool {
    type_name.starts_with(PAGE_NAME)
}

impl<T: Type> Type for Page<T> {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = T::RawValueType;

    fn name() -> Cow<'static, str> {
        Cow::Owned(format!("{PAGE_NAME}{}>", T::name()))
    }
    /// The schema of `data`: the items. `pagination` is added beside it by the envelope.
    fn schema_ref() -> MetaSchemaRef {
        Vec::<T>::schema_ref()
    }
    fn register(registry: &mut Registry) {
        T::register(registry);
    }
    fn as_raw_value(&self) -> Option<&Self> {
        Some(self)
    }
    fn raw_element_iter<'a>(
        &'a self,
    ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        Box::new(self.items.iter().filter_map(Type::as_raw_value))
    }
}

impl<T: ToJSON> ToJSON for Page<T> {
    fn to_json(&self) -> Option<serde_json::Value> {
        let mut page = serde_json::Map::new();
        page.insert(PAGE_DATA.to_owned(), self.items.to_json()?);
        page.insert(
            PAGE_PAGINATION.to_owned(),
            serde_json::json!({"total": self.total, "offset": self.offset, "size": self.size}),
        );
        Some(serde_json::Value::Object(page))
    }
}

/// Adds the top-level `pagination` of a [`Page`] to a success envelope's schema.
pub(super) fn add_pagination(envelope: &mut MetaSchema) {
    let count = |description: &'static str| {
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            description: Some(description),
            format: Some("uint64"),
            ..MetaSchema::new("integer")
        }))
    };
    let pagination = MetaSchema {
        description: Some("Where `data` is in the whole list."),
        required: vec!["total", "offset", "size"],
        properties: vec![
            ("total", count("How many items the whole list has.")),
            (
                "offset",
                count("Where this page starts in the whole list (0 is the first item)."),
            ),
            (
                "size",
                count("The page size asked for (the last page may hold fewer items)."),
            ),
        ],
        ..MetaSchema::new("object")
    };
    let at = envelope
        .properties
        .iter()
        .position(|(name, _)| *name == "request_id")
        .unwrap_or(envelope.properties.len());
    envelope.properties.insert(
        at,
        ("pagination", MetaSchemaRef::Inline(Box::new(pagination))),
    );
    envelope.required.push("pagination");
}
