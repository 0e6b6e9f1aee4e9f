//! The hidden `__FlyerEndpoint` type and its `#[poem_openapi::OpenApi]` impl, whose one
//! operation extracts the arguments, calls the user's function (through the forwarder)
//! and answers its result in the envelope.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::super::model::{Arg, Endpoint, Output};
use super::controlled;

pub(super) fn operation(
    ep: &Endpoint,
    rt: &TokenStream,
    ck: &TokenStream,
    op: &TokenStream,
) -> TokenStream {
    let user_fn = &ep.handler.ident;
    let oai_path = &ep.oai_path;
    let method = ep.method.as_str().to_ascii_lowercase();
    let request = controlled(ep).then(|| quote!(__flyer_request: &#rt::poem::Request,));
    let params = params(ep, ck);
    let data = match &ep.handler.output {
        Output::Unit | Output::Result { ok: None, .. } => quote!(#op::NoData),
        Output::Data(ty) | Output::Result { ok: Some(ty), .. } => quote!(#ty),
    };
    let body = body(ep, rt, ck, op);
    quote! {
        // What validation reads of the operation (its schemas, compiled once), and the
        // wrapper that checks a JSON body's types before the arguments are extracted.
        static __FLYER_OPERATION: #op::Operation = #op::Operation::new(
            <__FlyerEndpoint as #rt::poem_openapi::OpenApi>::meta,
            <__FlyerEndpoint as #rt::poem_openapi::OpenApi>::register,
        );

        fn __flyer_guard<E: #rt::poem::Endpoint>(ep: E) -> #op::Guard<E> {
            #op::Guard::new(ep, &__FLYER_OPERATION)
        }

        #[poem_openapi::OpenApi]
        impl __FlyerEndpoint {
            #[oai(path = #oai_path, method = #method, transform = "__flyer_guard")]
            async fn #user_fn(&self, #request #(#params),*) -> #op::Reply<#data, __FlyerEndpoint> {
                #body
            }
        }
    }
}

/// The operation's parameters. poem-openapi binds `Path` arguments to the route's
/// parameters by position and recognises them by the name `Path`; listing them in path
/// order, under that name, makes an alias of `Path<T>` work and keeps
/// `fn f(b: Path<_>, a: Path<_>)` right for `/{a}/{b}`. A plain `fn`'s arguments cross
/// to the blocking pool: named through `BlockingArg`, one that cannot is reported once,
/// at its type, and not again where the operation moves it.
fn params(ep: &Endpoint, ck: &TokenStream) -> Vec<TokenStream> {
    let mut ordered: Vec<&Arg> = ep.handler.args.iter().collect();
    ordered.sort_by_key(|a| a.path_index.map_or((1, 0), |i| (0, i)));
    ordered
        .into_iter()
        .map(|a| {
            let name = &a.name;
            let attrs = &a.oai_attrs;
            let ty = &a.ty;
            let ty = if ep.handler.is_async || matches!(ty, syn::Type::Reference(_)) {
                quote!(#ty)
            } else {
                quote_spanned!(ty.span()=> <#ty as #ck::BlockingArg>::Out)
            };
            if a.path_index.is_some() {
                quote! { #(#attrs)* #name: #ck::Path<#ty> }
            } else {
                quote! { #(#attrs)* #name: #ty }
            }
        })
        .collect()
}

/// Calls the handler where it runs (the reactor, the blocking pool, or a ticket of the
/// route's controls) and turns its result into the reply.
fn body(ep: &Endpoint, rt: &TokenStream, ck: &TokenStream, op: &TokenStream) -> TokenStream {
    let h = &ep.handler;
    let args = h.args.iter().map(|a| &a.name);
    // Called through the forwarder: an argument may share the function's name.
    let call = if h.is_async {
        quote!(__flyer_handler(#(#args),*).await)
    } else {
        quote!(__flyer_handler(#(#args),*))
    };
    let ctor = match &h.output {
        Output::Unit => quote!(unit),
        Output::Data(_) => quote!(data),
        Output::Result { ok: None, .. } => quote!(unit_result),
        Output::Result { ok: Some(_), .. } => quote!(result),
    };
    // The user's error type becomes a flyer `Error` in a call spanned at that type, so
    // one that cannot is reported there, once.
    let reply = |value: TokenStream| match &h.output {
        Output::Result { err: Some(err), .. } => {
            let into = quote_spanned!(err.span()=> #ck::into_error::<#err>(err));
            quote!(#op::Reply::#ctor(::core::result::Result::map_err(#value, |err| #into)))
        }
        _ => quote!(#op::Reply::#ctor(#value)),
    };
    let done = reply(quote!(out));
    match (controlled(ep), h.is_async) {
        (false, true) => reply(call),
        (false, false) => quote! {
            match #rt::blocking(move || #call).await {
                ::core::result::Result::Ok(out) => #done,
                ::core::result::Result::Err(err) => #op::Reply::error(err),
            }
        },
        (true, is_async) => {
            let run = if is_async {
                quote!(ticket.run(async move { #call }).await)
            } else {
                quote!(ticket.run_blocking(move || #call).await)
            };
            quote! {
                match #rt::admit(&__FLYER_CONTROLS, __flyer_request).await {
                    #rt::Admission::Answer(resp) => #op::Reply::raw(resp),
                    #rt::Admission::Run(ticket) => match #run {
                        ::core::result::Result::Ok(out) => #done,
                        ::core::result::Result::Err(err) => #op::Reply::error(err),
                    },
                }
            }
        }
    }
}
