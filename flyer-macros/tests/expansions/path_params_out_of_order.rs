async fn get_file(verbose: Query<bool>, name: Path<String>, id: Path<u64>) -> String {
    format!("{} {} {}", * name, * id, verbose.0)
}
#[allow(non_camel_case_types, clippy::all, unused_qualifications)]
const _: () = {
    use ::flyer_runtime::__private::poem_openapi;
    fn __flyer_handler(
        __flyer_a0: Query<bool>,
        __flyer_a1: Path<String>,
        __flyer_a2: Path<u64>,
    ) -> impl ::core::future::Future<Output = String> {
        get_file(__flyer_a0, __flyer_a1, __flyer_a2)
    }
    fn __flyer_checks() {
        ::flyer_runtime::checks::assert_extractor::<Query<bool>>();
        ::flyer_runtime::checks::assert_path_arg::<Path<String>>();
        ::flyer_runtime::checks::assert_path_arg::<Path<u64>>();
        ::flyer_runtime::checks::assert_response_data::<String>();
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
        #[oai(
            path = "/users/:id/files/:name",
            method = "get",
            transform = "__flyer_guard"
        )]
        async fn get_file(
            &self,
            id: ::flyer_runtime::checks::Path<Path<u64>>,
            name: ::flyer_runtime::checks::Path<Path<String>>,
            verbose: Query<bool>,
        ) -> ::flyer_runtime::operation::Reply<String, __FlyerEndpoint> {
            ::flyer_runtime::operation::Reply::data(
                __flyer_handler(verbose, name, id).await,
            )
        }
    }
    ::flyer_runtime::__private::inventory::submit! {
        ::flyer_runtime::__private::Registration { function :
        ::core::concat!(::core::module_path!(), "::", "get_file"), file :
        ::core::file!(), line : ::core::line!(), method : "GET", path :
        "/users/{id}/files/{name}", tags : & [], summary : ::core::option::Option::None,
        description : ::core::option::Option::None, operation_id : "get_file", deprecated
        : false, hidden : false, controls : ::core::option::Option::None, errors : & [],
        arg_errors : || { #[allow(unused_imports)] use ::flyer_runtime::__private:: {
        ArgErrors as _, NoArgErrors as _ }; let mut all : ::std::vec::Vec < u32 > =
        ::std::vec::Vec::new(); all.extend_from_slice((&
        ::flyer_runtime::__private::ArgProbe:: < Query < bool > > ::new()).errors()); all
        .extend_from_slice((& ::flyer_runtime::__private::ArgProbe:: < Path < String > >
        ::new()).errors()); all.extend_from_slice((&
        ::flyer_runtime::__private::ArgProbe:: < Path < u64 > > ::new()).errors()); all
        }, meta : < __FlyerEndpoint as ::flyer_runtime::__private::poem_openapi::OpenApi
        > ::meta, register : < __FlyerEndpoint as
        ::flyer_runtime::__private::poem_openapi::OpenApi > ::register, add_routes : |
        table |
        ::flyer_runtime::__private::poem_openapi::OpenApi::add_routes(__FlyerEndpoint,
        table), }
    }
};
