//! The values attribute keys take, each a darling `FromMeta` type. They judge the syntax
//! of a value (`"10s"`, `"100/s"`, `"header:X-Api-Key"`, `GET`) and nothing else: what a
//! value means for the endpoint is for the validate stages.
//!
//! A wrong value is reported at the value (`5` in `tag = 5`), a wrong form (`tag` alone)
//! at the key.

mod crate_path;
mod duration;
mod lists;
mod method;
mod path;
mod queue;
mod rate;
mod scalars;

pub(crate) use crate_path::CratePath;
pub(crate) use duration::Duration;
pub(crate) use lists::{CodeList, StrList};
pub(crate) use method::Method;
pub(crate) use path::PathTemplate;
pub(crate) use queue::{GroupName, Priority};
pub(crate) use rate::{Rate, RateKey};
pub(crate) use scalars::{Count, Flag, Str, Word};

use syn::{Expr, ExprLit, Lit, LitStr, Meta};

/// The key of `meta` as written, for messages.
fn key(meta: &Meta) -> String {
    let path = meta.path();
    path.get_ident()
        .map(ToString::to_string)
        .unwrap_or_else(|| quote::quote!(#path).to_string())
}

/// The value of `key = value`.
fn value(meta: &Meta) -> Option<&Expr> {
    match meta {
        Meta::NameValue(nv) => Some(&nv.value),
        _ => None,
    }
}

/// A string literal, seen through the invisible groups of `macro_rules!` fragments.
fn str_lit(expr: &Expr) -> Option<LitStr> {
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => Some(s.clone()),
        Expr::Group(g) => str_lit(&g.expr),
        _ => None,
    }
}

/// An error at the value of `meta`, or at `meta` when it has no value.
fn wrong(meta: &Meta, msg: impl std::fmt::Display) -> darling::Error {
    let err = darling::Error::custom(msg);
    match meta {
        Meta::NameValue(nv) => err.with_span(&nv.value),
        other => err.with_span(other),
    }
}

#[cfg(test)]
fn meta(tokens: proc_macro2::TokenStream) -> Meta {
    syn::parse2(tokens).expect("a meta item")
}
