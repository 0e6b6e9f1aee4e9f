//! The expansion of representative endpoints, pretty-printed and pinned in
//! `tests/expansions/`, so that a change to the generated code is a reviewed diff.
//! Regenerate with `EXPECTORATE=overwrite cargo test -p flyer-macros`.

use proc_macro2::TokenStream;
use quote::quote;

fn assert_expansion(name: &str, attr: TokenStream, item: TokenStream) {
    assert_output(name, crate::endpoint::endpoint(attr, item));
}

fn assert_output(name: &str, out: TokenStream) {
    let file = syn::parse2::<syn::File>(out).expect("the expansion is a list of items");
    expectorate::assert_contents(
        format!("tests/expansions/{name}.rs"),
        &prettyplease::unparse(&file),
    );
}

#[test]
fn plain_async() {
    assert_expansion(
        "plain_async",
        quote!(GET, "/users", tag = "users"),
        quote! {
            /// List users.
            ///
            /// One page at a time.
            async fn list_users(page: Query<u32>) -> Vec<String> {
                vec![format!("page {}", page.0)]
            }
        },
    );
}

#[test]
fn blocking_fn() {
    assert_expansion(
        "blocking_fn",
        quote!(GET, "/sum"),
        quote! {
            fn sum(n: Query<u64>) -> u64 {
                (1..=n.0).sum()
            }
        },
    );
}

#[test]
fn unit_return() {
    assert_expansion(
        "unit_return",
        quote!(DELETE, "/items/{id}"),
        quote! {
            async fn delete_item(id: Path<u32>) {
                let _ = id;
            }
        },
    );
}

#[test]
fn result_with_error_type() {
    assert_expansion(
        "result_with_error_type",
        quote!(GET, "/parse"),
        quote! {
            async fn parse(text: Query<String>) -> Result<i64, std::num::ParseIntError> {
                text.0.parse()
            }
        },
    );
}

#[test]
fn blocking_unit_result() {
    assert_expansion(
        "blocking_unit_result",
        quote!(PUT, "/items/{id}"),
        quote! {
            fn put_item(id: Path<u32>, name: Query<String>) -> Result<()> {
                let _ = (id, name);
                Ok(())
            }
        },
    );
}

#[test]
fn path_params_out_of_order() {
    assert_expansion(
        "path_params_out_of_order",
        quote!(GET, "/users/{id}/files/{name}"),
        quote! {
            async fn get_file(verbose: Query<bool>, name: Path<String>, id: Path<u64>) -> String {
                format!("{} {} {}", *name, *id, verbose.0)
            }
        },
    );
}

#[test]
fn queued() {
    assert_expansion(
        "queued",
        quote!(GET, "/prime/{x}"),
        quote! {
            #[queued(limit = 320, timeout = "10s", concurrency = 4, at_most_once)]
            async fn prime(x: Path<u64>) -> bool {
                x.0 >= 2
            }
        },
    );
}

#[test]
fn rate_limited_blocking() {
    assert_expansion(
        "rate_limited_blocking",
        quote!(GET, "/search"),
        quote! {
            #[rate_limit(rate = "100/s", burst = 200, key = "header:X-Api-Key")]
            fn search(q: Query<String>) -> String {
                q.0
            }
        },
    );
}

#[test]
fn every_key() {
    assert_expansion(
        "every_key",
        quote!(
            post,
            "/users",
            tag = "users",
            tags = ["admin", "users", "accounts"],
            summary = "Create a user",
            operation_id = "createUser",
            deprecated,
            hidden = false,
            errors = [40400, 40900]
        ),
        quote! {
            /// Ignored summary.
            async fn create_user(
                db: Db,
                #[oai(validator(min_length = 1))] name: Query<String>,
            ) -> Result<String> {
                Ok(name.0)
            }
        },
    );
}

#[test]
fn crate_path() {
    assert_expansion(
        "crate_path",
        quote!(GET, "/count", crate = "my_flyer"),
        quote! {
            #[rate_limit(rate = "5/m", key = "ip")]
            async fn count(db: Db) -> Result<u64> {
                Ok(0)
            }
        },
    );
}

/// `#[queued]` above `#[endpoint]` moves below it, under the endpoint's crate path.
#[test]
fn queued_above_endpoint() {
    assert_output(
        "queued_above_endpoint",
        crate::controls::standalone(
            "queued",
            quote!(limit = 2),
            quote! {
                #[endpoint(GET, "/above", crate = "my_flyer")]
                async fn above() -> u32 {
                    1
                }
            },
        ),
    );
}
