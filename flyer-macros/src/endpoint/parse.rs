//! Stage 1: the attribute and the function's signature as written. Only syntax is judged
//! here: each value is read into its type (`crate::values`), and nothing is compared
//! with anything else.

use darling::FromMeta;
use darling::ast::NestedMeta;
use proc_macro2::TokenStream;
use syn::{Attribute, FnArg, Lit, Meta};

use crate::controls::parse::{self as controls, Control};
use crate::error_store::ErrorSink;
use crate::item_fn::ItemFn;
use crate::keys::Keys;
use crate::values::{CodeList, CratePath, Flag, Method, PathTemplate, Str, StrList};

/// The keys `#[endpoint]` accepts after the method and the path.
const KEYS: Keys = Keys {
    attr: "endpoint",
    known: &[
        "tag",
        "tags",
        "summary",
        "operation_id",
        "deprecated",
        "hidden",
        "errors",
        "crate",
    ],
    not_keyed: |keys| {
        format!(
            "expected `key = value` (one of: {}) after the method and the path",
            keys.list()
        )
    },
};

/// `key = value` options of `#[endpoint]`.
#[derive(Default, FromMeta)]
pub(crate) struct Options {
    pub(crate) tag: Option<Str>,
    pub(crate) tags: Option<StrList>,
    pub(crate) summary: Option<Str>,
    pub(crate) operation_id: Option<Str>,
    pub(crate) deprecated: Option<Flag>,
    pub(crate) hidden: Option<Flag>,
    pub(crate) errors: Option<CodeList>,
    /// Where flyer-runtime is, for a crate that renamed it (`crate` is a keyword).
    #[darling(rename = "crate")]
    pub(crate) krate: Option<CratePath>,
}

/// `#[endpoint(METHOD, "/path", key = value, ...)]`.
pub(crate) struct Attr {
    /// `None` when missing or wrong (already reported).
    pub(crate) method: Option<Method>,
    /// `None` when missing or wrong (already reported).
    pub(crate) path: Option<PathTemplate>,
    pub(crate) options: Options,
}

/// What the macro reads besides the function itself.
pub(crate) struct Input {
    pub(crate) attr: Attr,
    /// The `#[oai(...)]` attributes of each argument, for the generated operation.
    pub(crate) arg_attrs: Vec<Vec<Attribute>>,
    pub(crate) controls: Vec<Control>,
}

/// Reads the attribute, and takes off the function what the compiler would reject on
/// it: the `#[oai(...)]` of its arguments and its `#[queued]`/`#[rate_limit]`.
pub(crate) fn input(attr: TokenStream, item: &mut ItemFn, sink: &ErrorSink) -> Input {
    let attr = self::attr(attr, sink);
    let arg_attrs = take_arg_attrs(item);
    let (controls, attrs): (Vec<_>, Vec<_>) = item.attrs.drain(..).partition(controls::is_control);
    item.attrs = attrs;
    let controls = controls
        .into_iter()
        .map(|attr| controls::control(attr, sink))
        .collect();
    Input {
        attr,
        arg_attrs,
        controls,
    }
}

fn attr(tokens: TokenStream, sink: &ErrorSink) -> Attr {
    let mut attr = Attr {
        method: None,
        path: None,
        options: Options::default(),
    };
    let items = match NestedMeta::parse_meta_list(tokens.clone()) {
        Ok(items) => items,
        Err(err) => {
            sink.at_span(err.span(), err);
            return attr;
        }
    };
    let mut items = items.into_iter().peekable();
    // The method: an identifier first; a key or the path there means it is missing.
    let method_given = match items.peek() {
        None => false,
        Some(NestedMeta::Meta(Meta::Path(p))) => !p.get_ident().is_some_and(is_key),
        Some(NestedMeta::Lit(Lit::Str(s))) => Method::from_name(&s.value()).is_some(),
        Some(_) => true,
    };
    if let Some(item) = items.next_if(|_| method_given) {
        attr.method = sink.take(Method::from_nested_meta(&item));
    }
    // The path: a string next, or a word that was meant to be one.
    let path_given = match items.peek() {
        Some(NestedMeta::Lit(_)) => true,
        Some(NestedMeta::Meta(Meta::Path(p))) => p.get_ident().is_some_and(|i| !is_key(i)),
        _ => false,
    };
    if let Some(item) = items.next_if(|_| path_given) {
        attr.path = sink.take(PathTemplate::from_nested_meta(&item));
    }
    // Each slot on its own: a wrong method does not hide a missing path.
    if !method_given {
        sink.at(
            &tokens,
            "missing HTTP method: write `#[endpoint(GET, \"/path\")]`",
        );
    }
    if !path_given {
        sink.at(&tokens, "missing path: write `#[endpoint(GET, \"/path\")]`");
    }
    let known = KEYS.sort(items.collect(), sink);
    if let Some(options) = sink.take(Options::from_list(&known)) {
        attr.options = options;
    }
    attr
}

fn is_key(ident: &syn::Ident) -> bool {
    KEYS.contains(&ident.to_string())
}

/// Removes the `#[oai(...)]` attributes of the function's arguments (the compiler would
/// reject them on a plain function) and returns them, one list per argument.
fn take_arg_attrs(item: &mut ItemFn) -> Vec<Vec<Attribute>> {
    item.sig
        .inputs
        .iter_mut()
        .map(|arg| match arg {
            FnArg::Typed(pat) => {
                let (oai, rest) = pat.attrs.drain(..).partition(|a| a.path().is_ident("oai"));
                pat.attrs = rest;
                oai
            }
            FnArg::Receiver(_) => Vec::new(),
        })
        .collect()
}
