async fn parse(text: Query<String>) -> Result<i64, std::num::ParseIntError> {
    text.0.parse()
}
#[allow(non_camel_case_types, clippy::all, unused_qualifications)]
const _: () = {
    use ::flyer_runtime::__private::poem_openapi;
    fn __flyer_handler(
        __flyer_a0: Query<String>,
    ) -> impl ::core::future::Future<Output = Result<i64, std::num::ParseIntError>> {
        parse(__flyer_a0)
    }
    fn __flyer_checks() {
        ::flyer_runtime::checks::assert_extractor::<Query<String>>();
        ::flyer_runtime::checks::assert_response_data::<i64>();
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
        #[oai(path = "/parse", method = "get", transform = "__flyer_guard")]
        async fn parse(
            &self,
            text: Query<String>,
        ) -> ::flyer_runtime::operation::Reply<i64, __FlyerEndpoint> {
            ::flyer_runtime::operation::Reply::result(
                ::core::result::Result::map_err(
                    __flyer_handler(text).await,
                    |err| ::flyer_runtime::checks::into_error::<
                        std::num::ParseIntError,
                    >(err),
                ),
            )
        }
    }
    ::flyer_runtime::__private::inventory::submit! {
        ::flyer_runtime::__private::Registration { function :
        ::core::concat!(::core::module_path!(), "::", "parse"), file : ::core::file!(),
        line : ::core::line!(), method : "GET", path : "/parse", tags : & [], summary :
        ::core::option::Option::None, description : ::core::option::Option::None,
        operation_id : "parse", deprecated : false, hidden : false, controls :
        ::core::option::Option::None, errors : & [], arg_errors : || {
        #[allow(unused_imports)] use ::flyer_runtime::__private:: { ArgErrors as _,
        NoArgErrors as _ }; let mut all : ::std::vec::Vec < u32 > =
        ::std::vec::Vec::new(); all.extend_from_slice((&
        ::flyer_runtime::__private::ArgProbe:: < Query < String > > ::new()).errors());
        all }, meta : < __FlyerEndpoint as
        ::flyer_runtime::__private::poem_openapi::OpenApi > ::meta, register : <
        __FlyerEndpoint as ::flyer_runtime::__private::poem_openapi::OpenApi >
        ::register, add_routes : | table |
        ::flyer_runtime::__private::poem_openapi::OpenApi::add_routes(__FlyerEndpoint,
        table), }
    }
};
