//! The HTTP method, the first item of `#[endpoint]`.

use darling::FromMeta;
use syn::{Lit, Meta};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
    Head,
    Options,
    Trace,
}

const ALL: [Method; 8] = [
    Method::Get,
    Method::Post,
    Method::Put,
    Method::Patch,
    Method::Delete,
    Method::Head,
    Method::Options,
    Method::Trace,
];

impl Method {
    /// Upper case, as the spec and the route table write it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
            Method::Head => "HEAD",
            Method::Options => "OPTIONS",
            Method::Trace => "TRACE",
        }
    }

    /// A method by its name, in any case.
    pub(crate) fn from_name(name: &str) -> Option<Method> {
        ALL.into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(name))
    }

    fn expected() -> String {
        ALL.map(Method::as_str).join(", ")
    }
}

const FIRST: &str = "expected the HTTP method first: `#[endpoint(GET, \"/path\")]`";

impl FromMeta for Method {
    fn from_meta(meta: &Meta) -> darling::Result<Self> {
        let Some(ident) = meta
            .path()
            .get_ident()
            .filter(|_| matches!(meta, Meta::Path(_)))
        else {
            return Err(darling::Error::custom(FIRST).with_span(meta));
        };
        Method::from_name(&ident.to_string()).ok_or_else(|| {
            darling::Error::custom(format!(
                "unknown HTTP method `{ident}`; expected one of: {}",
                Method::expected()
            ))
            .with_span(ident)
        })
    }

    fn from_value(lit: &Lit) -> darling::Result<Self> {
        let msg = match lit {
            Lit::Str(s) if Method::from_name(&s.value()).is_some() => format!(
                "the method is an identifier: write `{}`, not {:?}",
                s.value().to_ascii_uppercase(),
                s.value()
            ),
            _ => FIRST.to_owned(),
        };
        Err(darling::Error::custom(msg).with_span(lit))
    }
}

#[cfg(test)]
mod tests {
    use darling::FromMeta;
    use darling::ast::NestedMeta;
    use quote::quote;

    use super::Method;

    fn parse(tokens: proc_macro2::TokenStream) -> darling::Result<Method> {
        Method::from_nested_meta(&syn::parse2::<NestedMeta>(tokens).unwrap())
    }

    #[test]
    fn any_case() {
        assert_eq!(parse(quote!(GET)).unwrap(), Method::Get);
        assert_eq!(parse(quote!(options)).unwrap(), Method::Options);
        assert_eq!(parse(quote!(Patch)).unwrap(), Method::Patch);
    }

    #[test]
    fn mistakes() {
        let unknown = parse(quote!(FETCH)).err().unwrap().to_string();
        assert!(unknown.starts_with("unknown HTTP method `FETCH`; expected one of: GET, POST"));
        let string = parse(quote!("get")).err().unwrap().to_string();
        assert_eq!(
            string,
            "the method is an identifier: write `GET`, not \"get\""
        );
        assert!(parse(quote!(5)).is_err());
    }
}
