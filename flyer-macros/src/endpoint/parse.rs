//! Stage 1: the attribute's tokens into [`Attr`], with no judgement yet beyond syntax.

use darling::ast::NestedMeta;
use darling::{FromMeta, util::SpannedValue};
use proc_macro2::{Span, TokenStream};
use syn::{Attribute, Expr, FnArg, Ident, ItemFn, Lit, LitStr, Meta};

/// The keys `#[endpoint]` accepts after the method and the path.
pub const KEYS: &[&str] = &[
    "tag",
    "tags",
    "summary",
    "operation_id",
    "deprecated",
    "hidden",
];

/// The attribute as written.
pub struct Attr {
    pub method: Option<Ident>,
    pub path: Option<LitStr>,
    pub options: Options,
    /// Where to point errors about the attribute as a whole.
    pub span: Span,
}

/// `key = value` options of `#[endpoint]`.
#[derive(Default, FromMeta)]
#[darling(default)]
pub struct Options {
    pub tag: Option<LitStr>,
    pub tags: Option<StrList>,
    pub summary: Option<LitStr>,
    pub operation_id: Option<LitStr>,
    pub deprecated: Option<SpannedValue<bool>>,
    pub hidden: Option<SpannedValue<bool>>,
}

/// `["a", "b"]` or `("a", "b")`.
pub struct StrList(pub Vec<LitStr>);

impl FromMeta for StrList {
    fn from_expr(expr: &Expr) -> darling::Result<Self> {
        match expr {
            Expr::Array(array) => array
                .elems
                .iter()
                .map(|e| match e {
                    Expr::Lit(syn::ExprLit {
                        lit: Lit::Str(s), ..
                    }) => Ok(s.clone()),
                    other => {
                        Err(darling::Error::custom("expected a string literal").with_span(other))
                    }
                })
                .collect::<darling::Result<_>>()
                .map(StrList),
            Expr::Lit(syn::ExprLit {
                lit: Lit::Str(s), ..
            }) => Ok(StrList(vec![s.clone()])),
            other => Err(
                darling::Error::custom("expected a list of strings: `[\"a\", \"b\"]`")
                    .with_span(other),
            ),
        }
    }

    fn from_list(items: &[NestedMeta]) -> darling::Result<Self> {
        items
            .iter()
            .map(|item| match item {
                NestedMeta::Lit(Lit::Str(s)) => Ok(s.clone()),
                other => Err(darling::Error::custom("expected a string literal").with_span(other)),
            })
            .collect::<darling::Result<_>>()
            .map(StrList)
    }
}

/// Parses `METHOD, "/path", key = value, ...`.
pub fn attr(tokens: TokenStream, errors: &mut darling::error::Accumulator) -> Attr {
    let span = if tokens.is_empty() {
        Span::call_site()
    } else {
        syn::spanned::Spanned::span(&tokens)
    };
    let mut attr = Attr {
        method: None,
        path: None,
        options: Options::default(),
        span,
    };
    let Some(items) = errors.handle(NestedMeta::parse_meta_list(tokens).map_err(Into::into)) else {
        return attr;
    };
    let mut items = items.into_iter().peekable();
    match items.peek() {
        Some(NestedMeta::Meta(Meta::Path(path))) => {
            if let Some(ident) = path.get_ident() {
                attr.method = Some(ident.clone());
            } else {
                errors.push(
                    darling::Error::custom("expected an HTTP method such as `GET`").with_span(path),
                );
            }
            items.next();
        }
        Some(NestedMeta::Lit(Lit::Str(_))) | None => {}
        Some(other) => {
            errors.push(
                darling::Error::custom(
                    "expected the HTTP method first: `#[endpoint(GET, \"/path\")]`",
                )
                .with_span(other),
            );
            items.next();
        }
    }
    if let Some(NestedMeta::Lit(lit)) = items.peek() {
        match lit {
            Lit::Str(s) => attr.path = Some(s.clone()),
            other => errors.push(
                darling::Error::custom("expected the path as a string: `\"/users/{id}\"`")
                    .with_span(other),
            ),
        }
        items.next();
    }
    let mut known = Vec::new();
    for item in items {
        let key = match &item {
            NestedMeta::Meta(meta) => meta.path().get_ident().map(Ident::to_string),
            NestedMeta::Lit(_) => None,
        };
        match key {
            Some(key) if KEYS.contains(&key.as_str()) => known.push(item),
            Some(key) => errors.push(
                darling::Error::custom(format!(
                    "unknown key `{key}` in #[endpoint]; expected one of: {}",
                    KEYS.join(", ")
                ))
                .with_span(&item),
            ),
            None => errors.push(
                darling::Error::custom(format!(
                    "expected `key = value` (one of: {}) after the method and the path",
                    KEYS.join(", ")
                ))
                .with_span(&item),
            ),
        }
    }
    if let Some(options) = errors.handle(Options::from_list(&known)) {
        attr.options = options;
    }
    attr
}

/// Removes the `#[oai(...)]` attributes of the function's arguments (the compiler would
/// reject them on a plain function) and returns them, one list per argument.
pub fn take_arg_attrs(item: &mut ItemFn) -> Vec<Vec<Attribute>> {
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
