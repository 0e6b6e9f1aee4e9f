//! The operation's link-time registration (`inventory`), with what the runtime lists,
//! documents and checks at start-up.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};

use super::super::model::Endpoint;
use super::{controlled, option};

pub(super) fn registration(ep: &Endpoint, rt: &TokenStream) -> TokenStream {
    let fn_name = ep.handler.ident.to_string();
    // `line!()` spanned at the function's name: the line `routes` shows.
    let line = quote_spanned!(ep.handler.ident.span()=> ::core::line!());
    let method = ep.method.as_str();
    let path = &ep.path;
    let tags = &ep.tags;
    let summary = option(ep.summary.as_ref());
    let description = option(ep.description.as_ref());
    let operation_id = &ep.operation_id;
    let deprecated = ep.deprecated;
    let hidden = ep.hidden;
    let controls = option(controlled(ep).then(|| quote!(&__FLYER_CONTROLS)));
    let declared = &ep.errors;
    let arg_errors = arg_errors(ep, rt);
    quote! {
        #rt::inventory::submit! {
            #rt::Registration {
                function: ::core::concat!(::core::module_path!(), "::", #fn_name),
                file: ::core::file!(),
                line: #line,
                method: #method,
                path: #path,
                tags: &[#(#tags),*],
                summary: #summary,
                description: #description,
                operation_id: #operation_id,
                deprecated: #deprecated,
                hidden: #hidden,
                controls: #controls,
                errors: &[#(#declared),*],
                arg_errors: #arg_errors,
                meta: <__FlyerEndpoint as #rt::poem_openapi::OpenApi>::meta,
                register: <__FlyerEndpoint as #rt::poem_openapi::OpenApi>::register,
                add_routes: |table| #rt::poem_openapi::OpenApi::add_routes(__FlyerEndpoint, table),
            }
        }
    }
}

/// The probe of what each argument's type says it can cause (a `Db` that is down:
/// 50300), found by autoref specialisation: types that declare nothing cost nothing.
fn arg_errors(ep: &Endpoint, rt: &TokenStream) -> TokenStream {
    let probes = ep.handler.args.iter().map(|a| {
        let ty = &a.ty;
        quote!((&#rt::ArgProbe::<#ty>::new()).errors())
    });
    quote! {
        || {
            #[allow(unused_imports)]
            use #rt::{ArgErrors as _, NoArgErrors as _};
            let mut all: ::std::vec::Vec<u32> = ::std::vec::Vec::new();
            #( all.extend_from_slice(#probes); )*
            all
        }
    }
}
