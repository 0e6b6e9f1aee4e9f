//! `#[queued]` and `#[rate_limit]`. Under an `#[endpoint]`, that macro reads them (stages
//! [`parse`] and [`validate`], values in [`model`]); on their own they only make way for
//! it ([`standalone`]).

pub(crate) mod model;
pub(crate) mod parse;
pub(crate) mod validate;

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote};

use crate::crate_path;
use crate::item_fn::ItemFn;

/// `#[queued]` or `#[rate_limit]` expanded by itself. Written above `#[endpoint]`, it runs
/// first, so it moves below that attribute for `#[endpoint]` to read it; with no
/// `#[endpoint]`, it is an error.
pub(crate) fn standalone(name: &str, attr: TokenStream, item: TokenStream) -> TokenStream {
    let Ok(mut item) = syn::parse2::<ItemFn>(item.clone()) else {
        let mut out = syn::Error::new(
            Span::call_site(),
            format!("#[{name}] goes on an #[endpoint] function"),
        )
        .to_compile_error();
        out.extend(item);
        return out;
    };
    let endpoint = item.attrs.iter().position(|a| {
        a.path()
            .segments
            .last()
            .is_some_and(|s| s.ident == "endpoint")
    });
    let Some(endpoint) = endpoint else {
        let mut out = syn::Error::new(
            Span::call_site(),
            format!(
                "#[{name}] goes with #[endpoint]: write `#[endpoint(GET, \"/path\")]` on this function"
            ),
        )
        .to_compile_error();
        item.to_tokens(&mut out);
        return out;
    };
    let endpoint = item.attrs.remove(endpoint);
    let krate = crate_path::resolve(crate_path::of_endpoint(&endpoint));
    let ident = format_ident!("{}", name);
    quote! {
        #endpoint
        #[#krate::#ident(#attr)]
        #item
    }
}
