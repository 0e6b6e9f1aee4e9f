//! `#[endpoint(METHOD, "/path", key = value, ...)]`: [`parse`] → [`validate`] (into
//! [`model`]) → [`expand`]. No stage imports a later one.

mod expand;
mod model;
mod parse;
mod validate;

use proc_macro2::TokenStream;
use quote::ToTokens;

use crate::crate_path;
use crate::error_store::ErrorStore;
use crate::item_fn::ItemFn;

/// Runs the three stages. The user's function is emitted whatever happens, so the rest
/// of the crate (and rust-analyzer) keeps working when the attribute is wrong.
pub(crate) fn endpoint(attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut item = match syn::parse2::<ItemFn>(item.clone()) {
        Ok(item) => item,
        Err(err) => {
            let err = syn::Error::new(
                err.span(),
                "#[endpoint] goes on a free function: `async fn name(args) -> Result<T>`",
            );
            let mut out = err.to_compile_error();
            out.extend(item);
            return out;
        }
    };
    let store = ErrorStore::new();
    let (endpoint, explicit_crate) = {
        let sink = store.sink();
        let mut input = parse::input(attr, &mut item, &sink);
        let explicit_crate = input.attr.options.krate.take();
        let endpoint = validate::endpoint(input, &item, &sink.child());
        (endpoint.filter(|_| !sink.has_errors()), explicit_crate)
    };
    let mut out = item.into_token_stream();
    match endpoint {
        Some(endpoint) => out.extend(expand::endpoint(
            &endpoint,
            &crate_path::resolve(explicit_crate),
        )),
        None => out.extend(store.into_compile_errors()),
    }
    out
}
