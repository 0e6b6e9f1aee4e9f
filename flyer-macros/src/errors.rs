//! Every error a macro finds, each spanned over the whole of the tokens that are wrong.

use std::fmt::Display;

use proc_macro2::TokenStream;
use quote::ToTokens;

/// Collects errors so that all of them are reported at once.
#[derive(Default)]
pub struct Errors(Vec<syn::Error>);

impl Errors {
    /// An error covering `tokens`.
    pub fn at(&mut self, tokens: impl ToTokens, msg: impl Display) {
        self.0.push(syn::Error::new_spanned(tokens, msg));
    }

    /// An error at `span`.
    pub fn at_span(&mut self, span: proc_macro2::Span, msg: impl Display) {
        self.0.push(syn::Error::new(span, msg));
    }

    /// The value of `result`, or `None` with its errors kept.
    pub fn take<T>(&mut self, result: darling::Result<T>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(err) => {
                self.0.extend(err.into_iter().map(syn::Error::from));
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The errors as `compile_error!` invocations.
    pub fn into_compile_errors(self) -> TokenStream {
        self.0.into_iter().map(|e| e.to_compile_error()).collect()
    }
}
