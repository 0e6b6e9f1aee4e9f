//! A function whose signature is parsed and whose body is not.
//!
//! The macros only read the signature. Leaving the body as tokens means a syntax error
//! in it is reported by rustc, as rustc reports it, when the function is emitted again
//! (dropshot's `ItemFnForSignature` does the same).

use proc_macro2::TokenStream;
use quote::{ToTokens, TokenStreamExt};
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Signature, Visibility, braced, token};

pub(crate) struct ItemFn {
    pub(crate) attrs: Vec<Attribute>,
    pub(crate) vis: Visibility,
    pub(crate) sig: Signature,
    brace: token::Brace,
    body: TokenStream,
}

impl Parse for ItemFn {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis = input.parse()?;
        let sig = input.parse()?;
        let content;
        let brace = braced!(content in input);
        let body = content.parse()?;
        Ok(ItemFn {
            attrs,
            vis,
            sig,
            brace,
            body,
        })
    }
}

impl ToTokens for ItemFn {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        tokens.append_all(&self.attrs);
        self.vis.to_tokens(tokens);
        self.sig.to_tokens(tokens);
        self.brace
            .surround(tokens, |tokens| tokens.extend(self.body.clone()));
    }
}

#[cfg(test)]
mod tests {
    use quote::{ToTokens, quote};

    use super::ItemFn;

    #[test]
    fn body_is_not_parsed() {
        let item: ItemFn = syn::parse2(quote! {
            /// Docs.
            pub async fn f(x: u32) -> u32 {
                let = ;
            }
        })
        .unwrap();
        assert_eq!(item.sig.ident, "f");
        assert_eq!(item.attrs.len(), 1);
        assert_eq!(
            item.to_token_stream().to_string(),
            quote!(#[doc = r" Docs."] pub async fn f(x: u32) -> u32 { let = ; }).to_string()
        );
    }

    #[test]
    fn not_a_function() {
        assert!(
            syn::parse2::<ItemFn>(quote!(
                struct S;
            ))
            .is_err()
        );
        assert!(
            syn::parse2::<ItemFn>(quote!(
                fn f();
            ))
            .is_err()
        );
    }
}
