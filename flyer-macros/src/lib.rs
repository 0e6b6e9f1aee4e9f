//! Attribute macros of [flyer](https://docs.rs/flyer-runtime). Users depend on
//! `flyer-runtime`, which re-exports everything here; see its documentation for the
//! reference of each attribute, with examples.
//!
//! Each macro runs in three stages with plain types between them, as dropshot's
//! `dropshot_endpoint` does, and no stage imports a later one:
//!
//! - *parse* (`endpoint::parse`, `controls::parse`) reads the attribute into darling
//!   structs whose values have their own types (`values`), and the function's signature
//!   only (`item_fn`): syntax, nothing more;
//! - *validate* (`endpoint::validate`, `controls::validate`) checks what they must be
//!   together, into plain descriptions (`endpoint::model`, `controls::model`);
//! - *expand* (`endpoint::expand`) writes the code, one function per generated piece.
//!
//! Every error goes to one store (`error_store`), each spanned at the token that is
//! wrong, and all are reported at once. When the attribute is wrong, the user's function
//! is still emitted, so the rest of the crate (and rust-analyzer) keeps working.

mod controls;
mod crate_path;
mod docs;
mod endpoint;
mod error_store;
mod item_fn;
mod keys;
#[cfg(test)]
mod snapshots;
mod values;

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
    controls::standalone("queued", attr.into(), item.into()).into()
}

/// Limits the rate of an endpoint's requests. See `flyer_runtime::rate_limit` for the
/// reference.
#[proc_macro_attribute]
pub fn rate_limit(attr: TokenStream, item: TokenStream) -> TokenStream {
    controls::standalone("rate_limit", attr.into(), item.into()).into()
}
