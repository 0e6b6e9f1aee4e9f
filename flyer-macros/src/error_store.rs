//! Every error a macro finds, collected so that all of them are reported at once.
//!
//! Modelled on dropshot's `error_store`: one [`ErrorStore`] per invocation, and a tree of
//! [`ErrorSink`]s, one per context (the attribute, the path, the arguments, ...). A
//! context asks its own sink whether anything in it went wrong, which replaces `ok`
//! flags: a section whose sink has errors produces nothing, and the others go on, so
//! each mistake is reported once, at its own token.

use std::cell::RefCell;
use std::fmt::Display;

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;

pub(crate) struct ErrorStore {
    data: RefCell<Data>,
}

#[derive(Default)]
struct Data {
    errors: Vec<syn::Error>,
    /// For each sink, its parent and whether an error was pushed to it or below it.
    sinks: Vec<(Option<usize>, bool)>,
}

impl ErrorStore {
    pub(crate) fn new() -> Self {
        ErrorStore {
            data: RefCell::new(Data::default()),
        }
    }

    /// The root sink.
    pub(crate) fn sink(&self) -> ErrorSink<'_> {
        ErrorSink::register(&self.data, None)
    }

    /// The errors as `compile_error!` invocations, in the order they were pushed.
    pub(crate) fn into_compile_errors(self) -> TokenStream {
        self.data
            .into_inner()
            .errors
            .into_iter()
            .map(|err| err.to_compile_error())
            .collect()
    }
}

/// Where one context pushes its errors. Borrowing the store (rather than owning a share
/// of it) guarantees no sink outlives the collection.
pub(crate) struct ErrorSink<'a> {
    data: &'a RefCell<Data>,
    id: usize,
}

impl<'a> ErrorSink<'a> {
    fn register(data: &'a RefCell<Data>, parent: Option<usize>) -> Self {
        let mut d = data.borrow_mut();
        d.sinks.push((parent, false));
        let id = d.sinks.len() - 1;
        ErrorSink { data, id }
    }

    /// A sink for a part of this context: its errors count for both.
    pub(crate) fn child(&self) -> ErrorSink<'a> {
        ErrorSink::register(self.data, Some(self.id))
    }

    pub(crate) fn push(&self, error: syn::Error) {
        let mut d = self.data.borrow_mut();
        d.errors.push(error);
        let mut at = Some(self.id);
        while let Some(id) = at {
            d.sinks[id].1 = true;
            at = d.sinks[id].0;
        }
    }

    /// An error covering every token of `tokens`.
    pub(crate) fn at(&self, tokens: impl ToTokens, msg: impl Display) {
        self.push(syn::Error::new_spanned(tokens, msg));
    }

    pub(crate) fn at_span(&self, span: Span, msg: impl Display) {
        self.push(syn::Error::new(span, msg));
    }

    /// The value of `result`, or `None` with each of its errors pushed.
    pub(crate) fn take<T>(&self, result: darling::Result<T>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(err) => {
                for err in err.flatten() {
                    self.push(err.into());
                }
                None
            }
        }
    }

    /// Whether an error was pushed to this sink or to one of its children.
    pub(crate) fn has_errors(&self) -> bool {
        self.data.borrow().sinks[self.id].1
    }
}

#[cfg(test)]
mod tests {
    use proc_macro2::Span;

    use super::ErrorStore;

    #[test]
    fn errors_count_for_the_sink_and_its_parents_only() {
        let store = ErrorStore::new();
        let root = store.sink();
        let a = root.child();
        let b = root.child();
        let a1 = a.child();
        assert!(!root.has_errors());
        a1.at_span(Span::call_site(), "one");
        assert!(a1.has_errors() && a.has_errors() && root.has_errors());
        assert!(!b.has_errors());
        b.at_span(Span::call_site(), "two");
        let out = store.into_compile_errors().to_string();
        assert!(out.find("one").unwrap() < out.find("two").unwrap());
    }

    #[test]
    fn darling_errors_are_each_kept() {
        let store = ErrorStore::new();
        let sink = store.sink();
        let err = darling::Error::multiple(vec![
            darling::Error::custom("first"),
            darling::Error::custom("second"),
        ]);
        assert!(sink.take::<()>(Err(err)).is_none());
        let out = store.into_compile_errors().to_string();
        assert!(out.contains("first") && out.contains("second"));
    }
}
