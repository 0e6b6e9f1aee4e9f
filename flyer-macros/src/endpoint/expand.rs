//! Stage 3: the code. Beside the user's function: spanned trait checks (so a wrong type
//! is reported at that type), a hidden `poem_openapi::OpenApi` type whose one operation
//! calls the function, and its link-time registration. Every path is fully qualified,
//! so the expansion works in a `#![no_implicit_prelude]` module.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::model::{Arg, Endpoint, Output};
use crate::values::RateKey;

pub(crate) fn endpoint(ep: &Endpoint) -> TokenStream {
    let rt = quote!(::flyer_runtime::__private);
    let h = &ep.handler;
    let user_fn = &h.ident;

    let checks = checks(ep);

    // poem-openapi binds `Path` arguments to the route's parameters by position and
    // recognises them by the name `Path`; listing them in path order, under that name,
    // makes an alias of `Path<T>` work and keeps `fn f(b: Path<_>, a: Path<_>)` right
    // for `/{a}/{b}`.
    let mut ordered: Vec<&Arg> = h.args.iter().collect();
    ordered.sort_by_key(|a| a.path_index.map_or((1, 0), |i| (0, i)));
    let params = ordered.iter().map(|a| {
        let name = &a.name;
        let attrs = &a.oai_attrs;
        let ty = &a.ty;
        if a.path_index.is_some() {
            quote! { #(#attrs)* #name: #rt::Path<#ty> }
        } else {
            quote! { #(#attrs)* #name: #ty }
        }
    });
    let call_args: Vec<_> = h.args.iter().map(|a| &a.name).collect();
    // Called through an alias: an argument may share the function's name.
    let call = if h.is_async {
        quote!(__flyer_handler(#(#call_args),*).await)
    } else {
        quote!(__flyer_handler(#(#call_args),*))
    };

    let (data_ty, ctor) = match &h.output {
        Output::Unit => (quote!(#rt::NoData), quote!(unit)),
        Output::Data(ty) => (quote!(#ty), quote!(data)),
        Output::Result { ok: None, .. } => (quote!(#rt::NoData), quote!(unit_result)),
        Output::Result { ok: Some(ty), .. } => (quote!(#ty), quote!(result)),
    };
    // Spanned at the error type, so a bad one is reported there, once.
    let err_span = match &h.output {
        Output::Result { err: Some(err), .. } => err.span(),
        _ => proc_macro2::Span::call_site(),
    };
    let reply = |value: TokenStream| quote_spanned!(err_span=> #rt::Reply::#ctor(#value));
    let done = reply(quote!(out));
    let controlled = ep.queued.is_some() || ep.rate_limit.is_some();
    let body = match (controlled, h.is_async) {
        (false, true) => reply(call),
        (false, false) => quote! {
            match #rt::blocking(move || #call).await {
                ::core::result::Result::Ok(out) => #done,
                ::core::result::Result::Err(err) => #rt::Reply::error(err),
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
                    #rt::Admission::Answer(resp) => #rt::Reply::raw(resp),
                    #rt::Admission::Run(ticket) => match #run {
                        ::core::result::Result::Ok(out) => #done,
                        ::core::result::Result::Err(err) => #rt::Reply::error(err),
                    },
                }
            }
        }
    };
    let request_param = controlled.then(|| quote!(__flyer_request: &#rt::poem::Request,));
    let controls_static = controls(ep);
    let forwarder = forwarder(ep);
    let controls_ref = if controlled {
        quote!(::core::option::Option::Some(&__FLYER_CONTROLS))
    } else {
        quote!(::core::option::Option::None)
    };

    let method_lower = ep.method.as_str().to_ascii_lowercase();
    let oai_path = &ep.oai_path;
    let method = ep.method.as_str();
    let path = &ep.path;
    let tags = &ep.tags;
    let summary = option(&ep.summary);
    let description = option(&ep.description);
    let operation_id = &ep.operation_id;
    let deprecated = ep.deprecated;
    let hidden = ep.hidden;
    let fn_name = user_fn.to_string();
    let declared = &ep.errors;
    // What each argument's type says it can cause (a `Db` that is down: 50300), found by
    // autoref specialisation: types that declare nothing cost nothing.
    let arg_errors = h.args.iter().map(|a| {
        let ty = &a.ty;
        quote!((&#rt::ArgProbe::<#ty>::new()).errors())
    });
    let line = quote_spanned!(user_fn.span()=> ::core::line!());

    quote! {
        #[allow(non_camel_case_types, clippy::all, unused_qualifications)]
        const _: () = {
            use #rt::poem_openapi;
            #forwarder

            fn __flyer_checks() {
                #checks
            }

            struct __FlyerEndpoint;

            #controls_static

            #[poem_openapi::OpenApi]
            impl __FlyerEndpoint {
                #[oai(path = #oai_path, method = #method_lower)]
                async fn #user_fn(&self, #request_param #(#params),*) -> #rt::Reply<#data_ty, __FlyerEndpoint> {
                    #body
                }
            }

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
                    controls: #controls_ref,
                    errors: &[#(#declared),*],
                    arg_errors: || {
                        #[allow(unused_imports)]
                        use #rt::{ArgErrors as _, NoArgErrors as _};
                        let mut all: ::std::vec::Vec<u32> = ::std::vec::Vec::new();
                        #( all.extend_from_slice(#arg_errors); )*
                        all
                    },
                    meta: <__FlyerEndpoint as #rt::poem_openapi::OpenApi>::meta,
                    register: <__FlyerEndpoint as #rt::poem_openapi::OpenApi>::register,
                    add_routes: |table| #rt::poem_openapi::OpenApi::add_routes(__FlyerEndpoint, table),
                }
            }
        };
    }
}

/// `__flyer_handler`: the user's function under a name no argument can shadow (a `use`
/// alias would also import a prelude macro of the same name, `bench` say). It returns
/// the user's future as is: nothing is added to it.
fn forwarder(ep: &Endpoint) -> TokenStream {
    let h = &ep.handler;
    let user_fn = &h.ident;
    let names: Vec<_> = (0..h.args.len())
        .map(|i| quote::format_ident!("__flyer_a{}", i))
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

/// The static the runtime reads the route's `#[queued]` and `#[rate_limit]` from.
fn controls(ep: &Endpoint) -> TokenStream {
    if ep.queued.is_none() && ep.rate_limit.is_none() {
        return TokenStream::new();
    }
    let rt = quote!(::flyer_runtime::__private);
    let route = format!("{} {}", ep.method.as_str(), ep.path);
    let queue = match &ep.queued {
        Some(q) => {
            let limit = q.limit;
            let timeout = match q.timeout_ms {
                Some(ms) => quote!(::core::option::Option::Some(#ms)),
                None => quote!(::core::option::Option::None),
            };
            let concurrency = match q.concurrency {
                Some(c) => quote!(::core::option::Option::Some(#c)),
                None => quote!(::core::option::Option::None),
            };
            let at_most_once = q.at_most_once;
            quote!(::core::option::Option::Some(#rt::QueueSpec {
                limit: #limit,
                timeout_ms: #timeout,
                concurrency: #concurrency,
                at_most_once: #at_most_once,
            }))
        }
        None => quote!(::core::option::Option::None),
    };
    let rate_limit = match &ep.rate_limit {
        Some(r) => {
            let (count, period_ms, burst) = (r.count, r.period_ms, r.burst);
            let key = match &r.key {
                RateKey::Global => quote!(#rt::RateKey::Global),
                RateKey::Ip => quote!(#rt::RateKey::Ip),
                RateKey::Header(h) => quote!(#rt::RateKey::Header(#h)),
            };
            quote!(::core::option::Option::Some(#rt::RateLimitSpec {
                count: #count,
                period_ms: #period_ms,
                burst: #burst,
                key: #key,
            }))
        }
        None => quote!(::core::option::Option::None),
    };
    quote! {
        static __FLYER_CONTROLS: #rt::Controls = #rt::Controls {
            route: #route,
            queue: #queue,
            rate_limit: #rate_limit,
        };
    }
}

fn option(value: &Option<String>) -> TokenStream {
    match value {
        Some(v) => quote!(::core::option::Option::Some(#v)),
        None => quote!(::core::option::Option::None),
    }
}

/// Trait bounds spanned at the user's tokens, so that a type that is not an extractor,
/// cannot be documented, or cannot cross to the blocking pool is reported where it is
/// written, with flyer's message rather than one from deep inside poem-openapi.
fn checks(ep: &Endpoint) -> TokenStream {
    let rt = quote!(::flyer_runtime::__private);
    let h = &ep.handler;
    let mut out = TokenStream::new();
    for arg in &h.args {
        let ty = &arg.ty;
        let span = ty.span();
        out.extend(if arg.path_index.is_some() {
            quote_spanned!(span=> #rt::assert_path_arg::<#ty>();)
        } else {
            quote_spanned!(span=> #rt::assert_extractor::<#ty>();)
        });
        if !h.is_async {
            out.extend(quote_spanned!(span=> #rt::assert_blocking_arg::<#ty>();));
        }
    }
    let data = |ty: &syn::Type| {
        let span = ty.span();
        if h.is_async {
            quote_spanned!(span=> #rt::assert_response_data::<#ty>();)
        } else {
            quote_spanned!(span=> #rt::assert_response_data::<#ty>(); #rt::assert_blocking_output::<#ty>();)
        }
    };
    match &h.output {
        Output::Unit => {}
        Output::Data(ty) => out.extend(data(ty)),
        Output::Result { ok, err } => {
            if let Some(ty) = ok {
                out.extend(data(ty));
            }
            if let Some(err) = err {
                let span = err.span();
                out.extend(quote_spanned!(span=> #rt::assert_into_error::<#err>();));
            }
        }
    }
    out
}
