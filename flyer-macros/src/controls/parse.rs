//! Stage 1 of `#[queued]` and `#[rate_limit]` under an `#[endpoint]`: their arguments,
//! as written.

use darling::FromMeta;
use darling::ast::NestedMeta;
use syn::{Attribute, Meta};

use crate::error_store::ErrorSink;
use crate::keys::Keys;
use crate::values::{Count, Duration, GroupName, Priority, Rate, RateKey, Word};

const QUEUED: Keys = Keys {
    attr: "queued",
    known: &[
        "limit",
        "timeout",
        "concurrency",
        "at_most_once",
        "priority",
        "group",
        "reserve",
    ],
    not_keyed,
};

const RATE_LIMIT: Keys = Keys {
    attr: "rate_limit",
    known: &["rate", "burst", "key"],
    not_keyed,
};

fn not_keyed(keys: &Keys) -> String {
    format!("expected `key = value`, one of: {}", keys.list())
}

/// `#[queued(limit = N, timeout = "10s", concurrency = M, at_most_once, priority = "high",
/// group = "g", reserve = k)]`.
#[derive(FromMeta)]
pub(crate) struct QueuedArgs {
    pub(crate) limit: Option<Count>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) concurrency: Option<Count>,
    pub(crate) at_most_once: Option<Word>,
    pub(crate) priority: Option<Priority>,
    pub(crate) group: Option<GroupName>,
    pub(crate) reserve: Option<Count>,
}

/// `#[rate_limit(rate = "100/s", burst = 200, key = "ip")]`.
#[derive(FromMeta)]
pub(crate) struct RateLimitArgs {
    pub(crate) rate: Option<Rate>,
    pub(crate) burst: Option<Count>,
    pub(crate) key: Option<RateKey>,
}

/// One such attribute.
pub(crate) struct Written<A> {
    /// The whole attribute, where errors about it as a whole point.
    pub(crate) attr: Attribute,
    /// `None` when its arguments are wrong (already reported).
    pub(crate) args: Option<A>,
}

pub(crate) enum Control {
    Queued(Written<QueuedArgs>),
    RateLimit(Written<RateLimitArgs>),
}

/// Whether `attr` is `#[queued]` or `#[rate_limit]`, by its last path segment (the user
/// may have imported it under any path).
pub(crate) fn is_control(attr: &Attribute) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|s| s.ident == "queued" || s.ident == "rate_limit")
}

/// Parses an attribute [`is_control`] accepted.
pub(crate) fn control(attr: Attribute, sink: &ErrorSink) -> Control {
    let queued = attr
        .path()
        .segments
        .last()
        .is_some_and(|s| s.ident == "queued");
    let items = match &attr.meta {
        Meta::List(list) => match NestedMeta::parse_meta_list(list.tokens.clone()) {
            Ok(items) => Some(items),
            Err(err) => {
                sink.at_span(err.span(), err);
                None
            }
        },
        // `#[queued]` alone: no arguments, so the required one is reported missing.
        _ => Some(Vec::new()),
    };
    if queued {
        let args =
            items.and_then(|items| sink.take(QueuedArgs::from_list(&QUEUED.sort(items, sink))));
        Control::Queued(Written { attr, args })
    } else {
        let args = items
            .and_then(|items| sink.take(RateLimitArgs::from_list(&RATE_LIMIT.sort(items, sink))));
        Control::RateLimit(Written { attr, args })
    }
}
