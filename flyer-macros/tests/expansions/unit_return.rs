async fn delete_item(id: Path<u32>) {
    let _ = id;
}
#[allow(non_camel_case_types, clippy::all, unused_qualifications)]
const _: () = {
    use ::flyer_runtime::__private::poem_openapi;
    fn __flyer_handler(
        __flyer_a0: Path<u32>,
    ) -> impl ::core::future::Future<Output = ()> {
        delete_item(__flyer_a0)
    }
    fn __flyer_checks() {
        ::flyer_runtime::checks::assert_path_arg::<Path<u32>>();
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
        #[oai(path = "/items/:id", method = "delete", transform = "__flyer_guard")]
        async fn delete_item(
            &self,
            id: ::flyer_runtime::checks::Path<Path<u32>>,
        ) -> ::flyer_runtime::operation::Reply<
            ::flyer_runtime::operation::NoData,
            __FlyerEndpoint,
        > {
            ::flyer_runtime::operation::Reply::unit(__flyer_handler(id).await)
        }
    }
    ::flyer_runtime::__private::inventory::submit! {
        ::flyer_runtime::__private::Registration { function :
        ::core::concat!(::core::module_path!(), "::", "delete_item"), file :
        ::core::file!(), line : ::core::line!(), method : "DELETE", path : "/items/{id}",
        tags : & [], summary : ::core::option::Option::None, description :
        ::core::option::Option::None, operation_id : "delete_item", deprecated : false,
        hidden : false, controls : ::core::option::Option::None, errors : & [],
        arg_errors : || { #[allow(unused_imports)] use ::flyer_runtime::__private:: {
        ArgErrors as _, NoArgErrors as _ }; let mut all : ::std::vec::Vec < u32 > =
        ::std::vec::Vec::new(); all.extend_from_slice((&
        ::flyer_runtime::__private::ArgProbe:: < Path < u32 > > ::new()).errors()); all
        }, meta : < __FlyerEndpoint as ::flyer_runtime::__private::poem_openapi::OpenApi
        > ::meta, register : < __FlyerEndpoint as
        ::flyer_runtime::__private::poem_openapi::OpenApi > ::register, add_routes : |
        table |
        ::flyer_runtime::__private::poem_openapi::OpenApi::add_routes(__FlyerEndpoint,
        table), }
    }
};
