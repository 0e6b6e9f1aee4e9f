//! Lists: tags (`["a", "b"]`) and envelope codes (`[40400, 40900]`).

use darling::FromMeta;
use darling::ast::NestedMeta;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, Lit, LitInt, LitStr, Meta};

use super::{key, str_lit, value, wrong};

/// `key = ["a", "b"]`, `key = ("a", "b")`, `key = "a"` or `key("a", "b")`.
pub(crate) struct StrList(pub(crate) Vec<LitStr>);

fn expected_string(at: &impl Spanned) -> darling::Error {
    darling::Error::custom("expected a string literal").with_span(at)
}

impl FromMeta for StrList {
    fn from_meta(meta: &Meta) -> darling::Result<Self> {
        let key = key(meta);
        let elems: Vec<&Expr> = match meta {
            Meta::Path(_) => {
                return Err(wrong(
                    meta,
                    format!("`{key}` takes a list: `{key} = [\"a\", \"b\"]`"),
                ));
            }
            Meta::List(list) => {
                let items = NestedMeta::parse_meta_list(list.tokens.clone())?;
                let mut errors = darling::Error::accumulator();
                let lits = items
                    .iter()
                    .filter_map(|item| match item {
                        NestedMeta::Lit(Lit::Str(s)) => Some(s.clone()),
                        other => errors.handle(Err(expected_string(other))),
                    })
                    .collect();
                return errors.finish_with(StrList(lits));
            }
            Meta::NameValue(nv) => match &nv.value {
                Expr::Array(a) => a.elems.iter().collect(),
                Expr::Tuple(t) => t.elems.iter().collect(),
                Expr::Paren(p) => vec![&*p.expr],
                other => vec![other],
            },
        };
        let mut errors = darling::Error::accumulator();
        let lits = elems
            .into_iter()
            .filter_map(|e| errors.handle(str_lit(e).ok_or_else(|| expected_string(e))))
            .collect();
        errors.finish_with(StrList(lits))
    }
}

/// `key = [40400, 40900]`: integers, judged as codes later.
pub(crate) struct CodeList(pub(crate) Vec<LitInt>);

impl FromMeta for CodeList {
    fn from_meta(meta: &Meta) -> darling::Result<Self> {
        let key = key(meta);
        let expected = format!("`{key}` takes a list of codes: `{key} = [40400, 40900]`");
        let Some(Expr::Array(list)) = value(meta) else {
            return Err(wrong(meta, expected));
        };
        let mut errors = darling::Error::accumulator();
        let codes = list
            .elems
            .iter()
            .filter_map(|e| match e {
                Expr::Lit(ExprLit {
                    lit: Lit::Int(i), ..
                }) => Some(i.clone()),
                other => errors.handle(Err(darling::Error::custom(&expected).with_span(other))),
            })
            .collect();
        errors.finish_with(CodeList(codes))
    }
}

#[cfg(test)]
mod tests {
    use darling::FromMeta;
    use quote::quote;

    use super::super::meta;
    use super::{CodeList, StrList};

    fn strs(tokens: proc_macro2::TokenStream) -> darling::Result<Vec<String>> {
        StrList::from_meta(&meta(tokens)).map(|l| l.0.iter().map(|s| s.value()).collect())
    }

    #[test]
    fn string_lists() {
        assert_eq!(strs(quote!(tags = ["a", "b"])).unwrap(), ["a", "b"]);
        assert_eq!(strs(quote!(tags = ("a", "b"))).unwrap(), ["a", "b"]);
        assert_eq!(strs(quote!(tags = "a")).unwrap(), ["a"]);
        assert_eq!(strs(quote!(tags("a", "b"))).unwrap(), ["a", "b"]);
        assert_eq!(strs(quote!(tags = ["a", 1, 2])).err().unwrap().len(), 2);
        assert_eq!(strs(quote!(tags("a", 1))).err().unwrap().len(), 1);
        assert!(strs(quote!(tags)).is_err());
    }

    #[test]
    fn code_lists() {
        let codes = CodeList::from_meta(&meta(quote!(errors = [404, 40900]))).unwrap();
        assert_eq!(codes.0.len(), 2);
        assert!(CodeList::from_meta(&meta(quote!(errors = [40400, "x"]))).is_err());
        assert!(CodeList::from_meta(&meta(quote!(errors = 40400))).is_err());
    }
}
