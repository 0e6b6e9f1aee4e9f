//! Doc comments: the first paragraph is the summary, the rest the description.

use syn::{Attribute, Expr, ExprLit, Lit, Meta};

/// The text of every `///` line (or `#[doc = "..."]`) of `attrs`, one entry a line.
fn doc_lines(attrs: &[Attribute]) -> Vec<String> {
    attrs
        .iter()
        .filter(|attr| attr.path().is_ident("doc"))
        .filter_map(|attr| match &attr.meta {
            Meta::NameValue(nv) => match &nv.value {
                Expr::Lit(ExprLit {
                    lit: Lit::Str(s), ..
                }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        })
        .flat_map(|text| text.split('\n').map(str::to_owned).collect::<Vec<_>>())
        .collect()
}

/// Splits a doc comment into (summary, description): the first paragraph, joined into
/// one line, and everything after it with its line breaks and relative indentation kept.
pub(crate) fn summary_and_description(attrs: &[Attribute]) -> (Option<String>, Option<String>) {
    let lines = doc_lines(attrs);
    let indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let lines: Vec<&str> = lines
        .iter()
        .map(|l| l.get(indent..).unwrap_or("").trim_end())
        .collect();
    let mut rest = lines.iter().skip_while(|l| l.is_empty());
    let summary: Vec<&str> = rest
        .by_ref()
        .take_while(|l| !l.is_empty())
        .copied()
        .collect();
    let description: Vec<&str> = rest.skip_while(|l| l.is_empty()).copied().collect();
    let non_empty = |s: String| (!s.is_empty()).then_some(s);
    (
        non_empty(summary.join(" ")),
        non_empty(description.join("\n").trim_end().to_owned()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_paragraph_is_summary() {
        let item: syn::ItemFn = syn::parse_quote! {
            /// Say
            /// hello.
            ///
            /// More here.
            ///
            ///     indented
            fn f() {}
        };
        let (s, d) = summary_and_description(&item.attrs);
        assert_eq!(s.as_deref(), Some("Say hello."));
        assert_eq!(d.as_deref(), Some("More here.\n\n    indented"));
    }

    #[test]
    fn no_docs() {
        let item: syn::ItemFn = syn::parse_quote! { fn f() {} };
        assert_eq!(summary_and_description(&item.attrs), (None, None));
    }
}
