//! Stage 3: the code. Beside the user's function, in an anonymous `const` block: spanned
//! trait checks (so a wrong type is reported at that type), a forwarding function, the
//! static of the route's controls, a hidden `poem_openapi::OpenApi` type whose one
//! operation calls the function, and its link-time registration. Every path is fully
//! qualified, so the expansion works in a `#![no_implicit_prelude]` module.

mod checks;
mod controls;
mod forwarder;
mod operation;
mod registration;

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};

use super::model::Endpoint;

/// `krate` is the path of flyer-runtime; everything the code uses is under its
/// `__private`, `checks` and `operation` modules, or in `core` and `std`.
pub(crate) fn endpoint(ep: &Endpoint, krate: &syn::Path) -> TokenStream {
    let rt = quote!(#krate::__private);
    // The traits a user's types must satisfy: public, so that errors name them by a
    // path the user can read.
    let ck = quote!(#krate::checks);
    let op = quote!(#krate::operation);
    let forwarder = forwarder::forwarder(ep);
    let checks = checks::checks(ep, &ck);
    let controls = controls::controls(ep, &rt);
    let operation = operation::operation(ep, &rt, &ck, &op);
    let registration = registration::registration(ep, &rt);
    quote! {
        #[allow(non_camel_case_types, clippy::all, unused_qualifications)]
        const _: () = {
            use #rt::poem_openapi;
            #forwarder

            fn __flyer_checks() {
                #checks
            }

            struct __FlyerEndpoint;

            #controls

            #operation

            #registration
        };
    }
}

/// Whether the route has a `#[queued]` or `#[rate_limit]`: then the operation takes the
/// request, to be admitted first, and the route has a static of its controls.
fn controlled(ep: &Endpoint) -> bool {
    ep.queued.is_some() || ep.rate_limit.is_some()
}

/// `value` as a `::core::option::Option`.
fn option(value: Option<impl ToTokens>) -> TokenStream {
    match value {
        Some(v) => quote!(::core::option::Option::Some(#v)),
        None => quote!(::core::option::Option::None),
    }
}
