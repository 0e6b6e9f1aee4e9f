//! The path generated code names flyer-runtime by: `crate = "..."` when the attribute
//! gives one, else the name the user's Cargo.toml gives flyer-runtime (renamed or not),
//! else `::flyer_runtime`.

use darling::FromMeta;
use darling::ast::NestedMeta;
use proc_macro_crate::FoundCrate;
use proc_macro2::{Ident, Span};
use syn::{Attribute, Meta};

use crate::values::CratePath;

pub(crate) fn resolve(explicit: Option<CratePath>) -> syn::Path {
    if let Some(CratePath(path)) = explicit {
        return path;
    }
    match proc_macro_crate::crate_name("flyer-runtime") {
        Ok(FoundCrate::Name(name)) => {
            let name = Ident::new(&name, Span::call_site());
            syn::parse_quote!(::#name)
        }
        // Itself: flyer-runtime's own endpoints, which `extern crate self as
        // flyer_runtime` serves. Not found: a crate that depends on it only indirectly.
        Ok(FoundCrate::Itself) | Err(_) => syn::parse_quote!(::flyer_runtime),
    }
}

/// The `crate = "..."` of an `#[endpoint(...)]` attribute, read leniently: its mistakes
/// are for `#[endpoint]` to report.
pub(crate) fn of_endpoint(attr: &Attribute) -> Option<CratePath> {
    let Meta::List(list) = &attr.meta else {
        return None;
    };
    NestedMeta::parse_meta_list(list.tokens.clone())
        .ok()?
        .iter()
        .find_map(|item| match item {
            NestedMeta::Meta(meta) if meta.path().is_ident("crate") => {
                CratePath::from_meta(meta).ok()
            }
            _ => None,
        })
}

#[cfg(test)]
mod tests {
    use quote::ToTokens;

    fn of_endpoint(attr: syn::Attribute) -> Option<String> {
        super::of_endpoint(&attr).map(|p| p.0.to_token_stream().to_string())
    }

    #[test]
    fn crate_of_an_endpoint_attribute() {
        let attr = syn::parse_quote!(#[endpoint(GET, "/x", crate = "my_flyer")]);
        assert_eq!(of_endpoint(attr).as_deref(), Some(":: my_flyer"));
        assert_eq!(of_endpoint(syn::parse_quote!(#[endpoint(GET, "/x")])), None);
        assert_eq!(of_endpoint(syn::parse_quote!(#[endpoint])), None);
    }

    #[test]
    fn explicit_wins() {
        let explicit = super::CratePath(syn::parse_quote!(crate::flyer));
        let path = super::resolve(Some(explicit));
        assert_eq!(path.to_token_stream().to_string(), "crate :: flyer");
    }
}
