//! Attribute macros of [flyer](https://docs.rs/flyer-runtime). Users depend on
//! `flyer-runtime`, which re-exports everything here; see its documentation for the
//! reference of each attribute, with examples.
//!
//! Each macro runs in three stages with plain types between them, as dropshot's
//! `dropshot_endpoint` does: [`endpoint::parse`] reads the attribute and the function,
//! [`endpoint::validate`] checks them and collects *every* error (each spanned at the
//! token that is wrong), and [`endpoint::expand`] writes the code. When the attribute is
//! wrong, the user's function is still emitted, so the rest of the crate (and
//! rust-analyzer) keeps working.

mod docs;
mod endpoint;
mod errors;
mod item_fn;
#[cfg(test)]
mod snapshots;

use proc_macro::TokenStream;

/// Turns a free function into a documented HTTP operation. See
/// `flyer_runtime::endpoint` for the reference.
#[proc_macro_attribute]
pub fn endpoint(attr: TokenStream, item: TokenStream) -> TokenStream {
    endpoint::endpoint(attr.into(), item.into()).into()
}

/// Bounds how many requests of an endpoint are admitted at once. See
/// `flyer_runtime::queued` for the reference.
#[proc_macro_attribute]
pub fn queued(attr: TokenStream, item: TokenStream) -> TokenStream {
    endpoint::controls::standalone("queued", attr.into(), item.into()).into()
}

/// Limits the rate of an endpoint's requests. See `flyer_runtime::rate_limit` for the
/// reference.
#[proc_macro_attribute]
pub fn rate_limit(attr: TokenStream, item: TokenStream) -> TokenStream {
    endpoint::controls::standalone("rate_limit", attr.into(), item.into()).into()
}
