//! Stage 1: the attribute's tokens into [`Attr`], with no judgement yet beyond syntax.

use darling::FromMeta;
use darling::ast::NestedMeta;
use proc_macro2::TokenStream;
use syn::{Attribute, Expr, FnArg, Ident, Lit, LitStr, Meta};

use crate::errors::Errors;
use crate::item_fn::ItemFn;

/// The keys `#[endpoint]` accepts after the method and the path.
pub const KEYS: &[&str] = &[
    "tag",
    "tags",
    "summary",
    "operation_id",
    "deprecated",
    "hidden",
    "errors",
];

/// The attribute as written.
pub struct Attr {
    pub method: Option<Ident>,
    pub path: Option<LitStr>,
    /// The method or path was written but wrongly (already reported).
    pub malformed: bool,
    pub options: Options,
    /// Where to point errors about the attribute as a whole.
    pub tokens: TokenStream,
}

/// `key = value` options of `#[endpoint]`.
#[derive(Default, FromMeta)]
#[darling(default)]
pub struct Options {
    pub tag: Option<LitStr>,
    pub tags: Option<StrList>,
    pub summary: Option<LitStr>,
    pub operation_id: Option<LitStr>,
    pub deprecated: Option<bool>,
    pub hidden: Option<bool>,
    pub errors: Option<Vec<u32>>,
}

/// `["a", "b"]`, `("a", "b")` or `tags("a", "b")`.
pub struct StrList(pub Vec<LitStr>);

fn str_lit(expr: &Expr) -> darling::Result<LitStr> {
    match expr {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Str(s), ..
        }) => Ok(s.clone()),
        Expr::Group(g) => str_lit(&g.expr),
        other => Err(darling::Error::custom("expected a string literal").with_span(other)),
    }
}

impl FromMeta for StrList {
    fn from_expr(expr: &Expr) -> darling::Result<Self> {
        let elems: Vec<&Expr> = match expr {
            Expr::Array(a) => a.elems.iter().collect(),
            Expr::Tuple(t) => t.elems.iter().collect(),
            Expr::Paren(p) => vec![&*p.expr],
            other => vec![other],
        };
        elems
            .into_iter()
            .map(str_lit)
            .collect::<darling::Result<_>>()
            .map(StrList)
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

/// What each key's value must look like, checked before darling reads it so the message
/// says what is expected.
fn check_value(key: &str, meta: &Meta, errors: &mut Errors) -> bool {
    let is_str = |e: &Expr| str_lit(e).is_ok();
    let is_bool = |e: &Expr| {
        matches!(
            e,
            Expr::Lit(syn::ExprLit {
                lit: Lit::Bool(_),
                ..
            })
        )
    };
    let problem = match (key, meta) {
        ("tag" | "summary" | "operation_id", Meta::NameValue(nv)) if is_str(&nv.value) => None,
        ("tag" | "summary" | "operation_id", _) => {
            Some(format!("`{key}` takes a string: `{key} = \"...\"`"))
        }
        ("tags", Meta::NameValue(_) | Meta::List(_)) => None,
        ("tags", Meta::Path(_)) => Some("`tags` takes a list: `tags = [\"a\", \"b\"]`".to_owned()),
        ("deprecated" | "hidden", Meta::Path(_)) => None,
        ("deprecated" | "hidden", Meta::NameValue(nv)) if is_bool(&nv.value) => None,
        ("deprecated" | "hidden", _) => Some(format!(
            "`{key}` is a flag: write `{key}` alone, or `{key} = true` / `{key} = false`"
        )),
        ("errors", Meta::NameValue(nv)) => match &nv.value {
            Expr::Array(list) => {
                for item in &list.elems {
                    let code = match item {
                        Expr::Lit(syn::ExprLit {
                            lit: Lit::Int(i), ..
                        }) => i.base10_parse::<u32>().ok(),
                        _ => None,
                    };
                    if !code.is_some_and(is_error_code) {
                        errors.at(
                            item,
                            "not an error code: write envelope codes such as 40400 or 50300 (HTTP status = code / 100, 4xx or 5xx)",
                        );
                    }
                }
                None
            }
            _ => Some("`errors` takes a list of codes: `errors = [40400, 40900]`".to_owned()),
        },
        ("errors", _) => {
            Some("`errors` takes a list of codes: `errors = [40400, 40900]`".to_owned())
        }
        _ => None,
    };
    match problem {
        Some(msg) => {
            errors.at(meta, msg);
            false
        }
        None => true,
    }
}

/// Parses `METHOD, "/path", key = value, ...`.
pub fn attr(tokens: TokenStream, errors: &mut Errors) -> Attr {
    let mut attr = Attr {
        method: None,
        path: None,
        malformed: false,
        options: Options::default(),
        tokens: tokens.clone(),
    };
    let items = match NestedMeta::parse_meta_list(tokens) {
        Ok(items) => items,
        Err(err) => {
            errors.at_span(err.span(), err);
            attr.malformed = true;
            return attr;
        }
    };
    let mut items = items.into_iter().peekable();
    // The method: an identifier first.
    match items.peek() {
        Some(NestedMeta::Meta(Meta::Path(path))) if path.get_ident().is_some() => {
            let ident = path.get_ident().cloned();
            if ident
                .as_ref()
                .is_some_and(|i| KEYS.contains(&i.to_string().as_str()))
            {
                // `#[endpoint(deprecated, ...)]`: a key where the method belongs.
            } else {
                attr.method = ident;
                items.next();
            }
        }
        Some(NestedMeta::Lit(Lit::Str(s))) if is_method_name(&s.value()) => {
            errors.at(
                s,
                format!(
                    "the method is an identifier: write `{}`, not {:?}",
                    s.value().to_ascii_uppercase(),
                    s.value()
                ),
            );
            attr.malformed = true;
            items.next();
        }
        Some(NestedMeta::Lit(Lit::Str(_))) | None => {}
        Some(other) => {
            errors.at(
                other,
                "expected the HTTP method first: `#[endpoint(GET, \"/path\")]`",
            );
            attr.malformed = true;
            items.next();
        }
    }
    // The path: a string next.
    match items.peek() {
        Some(NestedMeta::Lit(Lit::Str(s))) => {
            attr.path = Some(s.clone());
            items.next();
        }
        Some(NestedMeta::Lit(other)) => {
            errors.at(other, "expected the path as a string: `\"/users/{id}\"`");
            attr.malformed = true;
            items.next();
        }
        Some(NestedMeta::Meta(Meta::Path(p)))
            if p.get_ident()
                .is_some_and(|i| !KEYS.contains(&i.to_string().as_str())) =>
        {
            errors.at(
                p,
                format!(
                    "expected the path as a string: `\"/{}\"`",
                    p.get_ident().map(ToString::to_string).unwrap_or_default()
                ),
            );
            attr.malformed = true;
            items.next();
        }
        _ => {}
    }
    let mut known = Vec::new();
    for item in items {
        let (key, meta) = match &item {
            NestedMeta::Meta(meta) => (meta.path().get_ident().map(Ident::to_string), meta),
            NestedMeta::Lit(_) => {
                errors.at(
                    &item,
                    format!(
                        "expected `key = value` (one of: {}) after the method and the path",
                        KEYS.join(", ")
                    ),
                );
                continue;
            }
        };
        match key {
            Some(key) if KEYS.contains(&key.as_str()) => {
                if check_value(&key, meta, errors) {
                    known.push(item);
                }
            }
            Some(key) => errors.at(
                meta.path(),
                format!(
                    "unknown key `{key}` in #[endpoint]; expected one of: {}",
                    KEYS.join(", ")
                ),
            ),
            None => errors.at(meta.path(), format!("expected one of: {}", KEYS.join(", "))),
        }
    }
    if let Some(options) = errors.take(Options::from_list(&known)) {
        attr.options = options;
    }
    attr
}

/// An envelope code whose status (`code / 100`, or Flyer's 40001/40002) is 4xx or 5xx.
fn is_error_code(code: u32) -> bool {
    code == 40001 || code == 40002 || (40000..60000).contains(&code)
}

fn is_method_name(s: &str) -> bool {
    super::validate::METHODS.contains(&s.to_ascii_uppercase().as_str())
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
