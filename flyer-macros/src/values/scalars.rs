//! Strings, flags and whole numbers.

use darling::FromMeta;
use syn::{Expr, ExprLit, Lit, LitInt, LitStr, Meta};

use super::{key, str_lit, value, wrong};

/// `key = "..."`.
pub(crate) struct Str(pub(crate) LitStr);

impl FromMeta for Str {
    fn from_meta(meta: &Meta) -> darling::Result<Self> {
        let key = key(meta);
        value(meta)
            .and_then(str_lit)
            .map(Str)
            .ok_or_else(|| wrong(meta, format!("`{key}` takes a string: `{key} = \"...\"`")))
    }
}

/// `key`, `key = true` or `key = false`.
pub(crate) struct Flag(pub(crate) bool);

impl FromMeta for Flag {
    fn from_meta(meta: &Meta) -> darling::Result<Self> {
        match meta {
            Meta::Path(_) => Ok(Flag(true)),
            Meta::NameValue(nv) => match &nv.value {
                Expr::Lit(ExprLit {
                    lit: Lit::Bool(b), ..
                }) => Ok(Flag(b.value)),
                _ => Err(Self::mistake(meta)),
            },
            Meta::List(_) => Err(Self::mistake(meta)),
        }
    }
}

impl Flag {
    fn mistake(meta: &Meta) -> darling::Error {
        let key = key(meta);
        wrong(
            meta,
            format!("`{key}` is a flag: write `{key}` alone, or `{key} = true` / `{key} = false`"),
        )
    }
}

/// `key` alone.
pub(crate) struct Word;

impl FromMeta for Word {
    fn from_meta(meta: &Meta) -> darling::Result<Self> {
        match meta {
            Meta::Path(_) => Ok(Word),
            _ => Err(wrong(
                meta,
                format!("`{}` is a flag: write it alone", key(meta)),
            )),
        }
    }
}

/// `key = N`, a whole number that fits in a `u32`.
pub(crate) struct Count {
    pub(crate) value: u32,
    /// Where to point a judgement of the value.
    pub(crate) lit: LitInt,
}

impl FromMeta for Count {
    fn from_meta(meta: &Meta) -> darling::Result<Self> {
        let lit = match value(meta) {
            Some(Expr::Lit(ExprLit {
                lit: Lit::Int(lit), ..
            })) => Some(lit),
            _ => None,
        };
        lit.and_then(|lit| {
            Some(Count {
                value: lit.base10_parse().ok()?,
                lit: lit.clone(),
            })
        })
        .ok_or_else(|| {
            let key = key(meta);
            wrong(meta, format!("`{key}` takes a whole number: `{key} = 10`"))
        })
    }
}

#[cfg(test)]
mod tests {
    use darling::FromMeta;
    use quote::quote;

    use super::super::meta;
    use super::{Count, Flag, Str, Word};

    #[test]
    fn strings() {
        assert_eq!(
            Str::from_meta(&meta(quote!(tag = "a"))).unwrap().0.value(),
            "a"
        );
        let err = Str::from_meta(&meta(quote!(tag = 5))).err().unwrap();
        assert_eq!(err.to_string(), "`tag` takes a string: `tag = \"...\"`");
    }

    #[test]
    fn flags() {
        assert!(Flag::from_meta(&meta(quote!(hidden))).unwrap().0);
        assert!(!Flag::from_meta(&meta(quote!(hidden = false))).unwrap().0);
        assert!(Flag::from_meta(&meta(quote!(hidden = "yes"))).is_err());
        assert!(Word::from_meta(&meta(quote!(at_most_once))).is_ok());
        assert!(Word::from_meta(&meta(quote!(at_most_once = true))).is_err());
    }

    #[test]
    fn counts() {
        assert_eq!(
            Count::from_meta(&meta(quote!(limit = 10))).unwrap().value,
            10
        );
        assert_eq!(Count::from_meta(&meta(quote!(limit = 0))).unwrap().value, 0);
        assert!(Count::from_meta(&meta(quote!(limit = 5000000000))).is_err());
        assert!(Count::from_meta(&meta(quote!(limit = "10"))).is_err());
    }
}
