//! `#[queued]`'s priority (`"high"`) and group name (`"reports"`).

use darling::FromMeta;
use syn::{LitStr, Meta};

use super::{key, str_lit, value, wrong};

/// The level a route's requests start at, among those of its group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Priority {
    High,
    Normal,
    Low,
}

impl FromMeta for Priority {
    fn from_meta(meta: &Meta) -> darling::Result<Self> {
        let key = key(meta);
        let Some(lit) = value(meta).and_then(str_lit) else {
            return Err(wrong(
                meta,
                format!("`{key}` takes a string: `{key} = \"high\"`, \"normal\" or \"low\""),
            ));
        };
        match lit.value().as_str() {
            "high" => Ok(Priority::High),
            "normal" => Ok(Priority::Normal),
            "low" => Ok(Priority::Low),
            other => Err(darling::Error::custom(format!(
                "`{other}` is not a priority: write \"high\", \"normal\" or \"low\""
            ))
            .with_span(&lit)),
        }
    }
}

/// A queue group's name: letters, digits, `-`, `_` and `.` (it names Redis keys).
pub(crate) struct GroupName(pub(crate) LitStr);

impl FromMeta for GroupName {
    fn from_meta(meta: &Meta) -> darling::Result<Self> {
        let key = key(meta);
        let Some(lit) = value(meta).and_then(str_lit) else {
            return Err(wrong(
                meta,
                format!("`{key}` takes a string: `{key} = \"reports\"`"),
            ));
        };
        let name = lit.value();
        let fits = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        if fits {
            Ok(GroupName(lit))
        } else {
            Err(darling::Error::custom(format!(
                "`{name}` is not a group name: use letters, digits, `-`, `_` and `.`"
            ))
            .with_span(&lit))
        }
    }
}
