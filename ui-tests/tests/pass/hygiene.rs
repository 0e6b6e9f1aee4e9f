//! The expansion of `#[endpoint]` uses fully qualified paths only: it compiles in a
//! `#![no_implicit_prelude]` module where every name is written in full.

use flyer_runtime::prelude::*;

/// Outside the module: poem-openapi's derive is not what this fixture tests.
#[derive(Object)]
pub struct Greeting {
    pub text: String,
}

mod hygienic {
    #![no_implicit_prelude]

    use super::Greeting;

    /// Get an item.
    ///
    /// With a description.
    #[::flyer_runtime::endpoint(GET, "/items/{id}", tag = "items", operation_id = "getItem")]
    pub async fn get_item(
        id: ::flyer_runtime::prelude::Path<u32>,
        verbose: ::flyer_runtime::prelude::Query<::std::option::Option<bool>>,
    ) -> ::flyer_runtime::Result<::std::string::String> {
        if id.0 == 0 {
            return ::std::result::Result::Err(::flyer_runtime::Error::not_found("no item 0"));
        }
        ::std::result::Result::Ok(::std::format!("item {} ({:?})", id.0, verbose.0))
    }

    /// Greet.
    #[::flyer_runtime::endpoint(POST, "/greet", tags = ["greetings", "items"], deprecated)]
    pub async fn greet(
        body: ::flyer_runtime::prelude::Json<Greeting>,
    ) -> ::flyer_runtime::Result<Greeting> {
        ::std::result::Result::Ok(Greeting {
            text: ::std::format!("Hello {}!", body.0.text),
        })
    }

    /// Nothing to answer.
    #[::flyer_runtime::endpoint(DELETE, "/items/{id}", hidden = true)]
    pub async fn delete_item(id: ::flyer_runtime::prelude::Path<u32>) {
        let _ = id;
    }

    /// A blocking endpoint.
    #[::flyer_runtime::endpoint(GET, "/sum/{n}", summary = "Sum 1..=n", deprecated = true)]
    pub fn sum(n: ::flyer_runtime::prelude::Path<u64>) -> u64 {
        let mut total = 0;
        let mut i = 1;
        while i <= n.0 {
            total += i;
            i += 1;
        }
        total
    }

    /// A blocking endpoint returning `()` in a `Result`.
    #[::flyer_runtime::endpoint(PUT, "/items/{id}")]
    pub fn put_item(
        id: ::flyer_runtime::prelude::Path<u32>,
        name: ::flyer_runtime::prelude::Query<::std::string::String>,
    ) -> ::flyer_runtime::Result<()> {
        let _ = (id, name);
        ::std::result::Result::Ok(())
    }
}

fn main() {
    let _ = hygienic::sum;
}
