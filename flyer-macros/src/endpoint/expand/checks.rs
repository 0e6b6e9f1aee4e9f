//! Trait bounds spanned at the user's tokens, so that a type that is not an extractor,
//! cannot be documented, or cannot cross to the blocking pool is reported where it is
//! written, with flyer's message rather than one from deep inside poem-openapi.

use proc_macro2::TokenStream;
use quote::quote_spanned;
use syn::Type;
use syn::spanned::Spanned;

use super::super::model::{Endpoint, Output};

pub(super) fn checks(ep: &Endpoint, rt: &TokenStream) -> TokenStream {
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
    let data = |ty: &Type| {
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
