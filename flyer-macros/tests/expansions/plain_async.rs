/// List users.
///
/// One page at a time.
async fn list_users(page: Query<u32>) -> Vec<String> {
    vec![format!("page {}", page.0)]
}
#[allow(non_camel_case_types, clippy::all, unused_qualifications)]
const _: () = {
    use ::flyer_runtime::__private::poem_openapi;
    fn __flyer_handler(
        __flyer_a0: Query<u32>,
    ) -> impl ::core::future::Future<Output = Vec<String>> {
        list_users(__flyer_a0)
    }
    fn __flyer_checks() {
        ::flyer_runtime::checks::assert_extractor::<Query<u32>>();
        ::flyer_runtime::checks::assert_response_data::<Vec<String>>();
    }
    struct __FlyerEndpoint;
    static __FLYER_OPERATION: ::flyer_runtime::operation::Operation = ::flyer_runtime::operation::Operation::new(
        <__FlyerEndpoint as ::flyer_runtime::__private::poem_openapi::OpenApi>::meta,
        <__FlyerEndpoint as ::flyer_runtime::__private::poem_openapi::OpenApi>::register,
    );
    fn __flyer_guard<E: ::flyer_runtime::__private::poem::Endpoint>(
        ep: E,
    ) -> ::flyer_runtime::operation::Guard<E> {
        ::flyer_runtime::operation::Guard::new(ep, &__FLYER_OPERATION)
    }
    #[poem_openapi::OpenApi]
    impl __FlyerEndpoint {
        #[oai(path = "/users", method = "get", transform = "__flyer_guard")]
        async fn list_users(
            &self,
            page: Query<u32>,
        ) -> ::flyer_runtime::operation::Reply<Vec<String>, __FlyerEndpoint> {
            ::flyer_runtime::operation::Reply::data(__flyer_handler(page).await)
        }
    }
    ::flyer_runtime::__private::inventory::submit! {
        ::flyer_runtime::__private::Registration { function :
        ::core::concat!(::core::module_path!(), "::", "list_users"), file :
        ::core::file!(), line : ::core::line!(), method : "GET", path : "/users", tags :
        & ["users"], summary : ::core::option::Option::Some("List users."), description :
        ::core::option::Option::Some("One page at a time."), operation_id : "list_users",
        deprecated : false, hidden : false, controls : ::core::option::Option::None,
        errors : & [], arg_errors : || { #[allow(unused_imports)] use
        ::flyer_runtime::__private:: { ArgErrors as _, NoArgErrors as _ }; let mut all :
        ::std::vec::Vec < u32 > = ::std::vec::Vec::new(); all.extend_from_slice((&
        ::flyer_runtime::__private::ArgProbe:: < Query < u32 > > ::new()).errors()); all
        }, meta : < __FlyerEndpoint as ::flyer_runtime::__private::poem_openapi::OpenApi
        > ::meta, register : < __FlyerEndpoint as
        ::flyer_runtime::__private::poem_openapi::OpenApi > ::register, add_routes : |
        table |
        ::flyer_runtime::__private::poem_openapi::OpenApi::add_routes(__FlyerEndpoint,
        table), }
    }
};
