//! `#[endpoint(METHOD, "/path", key = value, ...)]`: parse → validate → expand.

pub mod controls;
mod expand;
mod parse;
mod validate;

use proc_macro2::TokenStream;
use quote::ToTokens;

use crate::errors::Errors;
use crate::item_fn::ItemFn;

/// Runs the three stages. The user's function is emitted whatever happens, with the
/// `#[oai(...)]` attributes of its arguments moved to the generated operation.
pub fn endpoint(attr: TokenStream, item: TokenStream) -> TokenStream {
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
    let mut errors = Errors::default();
    let attr = parse::attr(attr, &mut errors);
    let arg_attrs = parse::take_arg_attrs(&mut item);
    let (controls, attrs): (Vec<_>, Vec<_>) = item.attrs.drain(..).partition(controls::is_control);
    item.attrs = attrs;
    let endpoint = validate::endpoint(attr, &item, arg_attrs, &controls, &mut errors);
    let mut out = item.into_token_stream();
    match endpoint {
        Some(endpoint) if errors.is_empty() => out.extend(expand::endpoint(&endpoint)),
        _ => out.extend(errors.into_compile_errors()),
    }
    out
}
