//! Trait bounds spanned at the user's tokens, so that a type that is not an extractor or
//! cannot be documented is reported where it is written, first, with flyer's message
//! rather than one from deep inside poem-openapi. (What can cross to the blocking pool,
//! and the error type of a `Result`, are checked in the operation itself, where a
//! projection or a call at the user's type reports them once and alone.)

use proc_macro2::TokenStream;
use quote::quote_spanned;
use syn::Type;
use syn::spanned::Spanned;

use super::super::model::{Endpoint, Output};

pub(super) fn checks(ep: &Endpoint, ck: &TokenStream) -> TokenStream {
    let h = &ep.handler;
    let mut out = TokenStream::new();
    for arg in &h.args {
        let ty = &arg.ty;
        let span = ty.span();
        out.extend(if arg.path_index.is_some() {
            quote_spanned!(span=> #ck::assert_path_arg::<#ty>();)
        } else {
            quote_spanned!(span=> #ck::assert_extractor::<#ty>();)
        });
    }
    let data = |ty: &Type| {
        let span = ty.span();
        if h.is_async {
            quote_spanned!(span=> #ck::assert_response_data::<#ty>();)
        } else {
            quote_spanned!(span=> #ck::assert_response_data::<#ty>(); #ck::assert_blocking_output::<#ty>();)
        }
    };
    match &h.output {
        Output::Unit | Output::Result { ok: None, .. } => {}
        Output::Data(ty) | Output::Result { ok: Some(ty), .. } => out.extend(data(ty)),
    }
    out
}
