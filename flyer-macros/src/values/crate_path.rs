//! `crate = "my_flyer"`: the path of flyer-runtime for a crate that renamed it.

use darling::FromMeta;
use syn::Meta;

use super::{key, str_lit, value, wrong};

pub(crate) struct CratePath(pub(crate) syn::Path);

impl FromMeta for CratePath {
    fn from_meta(meta: &Meta) -> darling::Result<Self> {
        let key = key(meta);
        let expected = || {
            wrong(
                meta,
                format!(
                    "`{key}` takes the path of flyer-runtime as a string: `{key} = \"my_flyer\"`"
                ),
            )
        };
        let lit = value(meta).and_then(str_lit).ok_or_else(expected)?;
        let mut path: syn::Path = lit.parse().map_err(|_| expected())?;
        // A bare name is a crate's: `::name` cannot be shadowed by a module of the user's.
        let relative = path
            .segments
            .first()
            .is_some_and(|s| s.ident == "crate" || s.ident == "self" || s.ident == "super");
        if path.leading_colon.is_none() && !relative {
            path.leading_colon = Some(Default::default());
        }
        Ok(CratePath(path))
    }
}

#[cfg(test)]
mod tests {
    use darling::FromMeta;
    use quote::{ToTokens, quote};

    use super::super::meta;
    use super::CratePath;

    fn path(tokens: proc_macro2::TokenStream) -> String {
        CratePath::from_meta(&meta(tokens))
            .unwrap()
            .0
            .to_token_stream()
            .to_string()
    }

    #[test]
    fn paths() {
        assert_eq!(path(quote!(crate = "my_flyer")), ":: my_flyer");
        assert_eq!(path(quote!(crate = "::my_flyer")), ":: my_flyer");
        assert_eq!(
            path(quote!(crate = "crate::deps::flyer")),
            "crate :: deps :: flyer"
        );
        assert!(CratePath::from_meta(&meta(quote!(crate = "not a path"))).is_err());
        assert!(CratePath::from_meta(&meta(quote!(crate = my_flyer))).is_err());
    }
}
