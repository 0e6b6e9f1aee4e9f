//! `__flyer_handler`: the user's function under a name no argument can shadow (a `use`
//! alias would also import a prelude macro of the same name, `bench` say). It returns
//! the user's future as is: nothing is added to it.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::super::model::Endpoint;

pub(super) fn forwarder(ep: &Endpoint) -> TokenStream {
    let h = &ep.handler;
    let user_fn = &h.ident;
    let names: Vec<_> = (0..h.args.len())
        .map(|i| format_ident!("__flyer_a{}", i))
        .collect();
    let tys = h.args.iter().map(|a| &a.ty);
    let ret = &h.ret;
    if h.is_async {
        quote! {
            fn __flyer_handler(#(#names: #tys),*) -> impl ::core::future::Future<Output = #ret> {
                #user_fn(#(#names),*)
            }
        }
    } else {
        quote! {
            fn __flyer_handler(#(#names: #tys),*) -> #ret {
                #user_fn(#(#names),*)
            }
        }
    }
}
