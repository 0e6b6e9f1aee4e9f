fn sum(n: Query<u64>) -> u64 {
    (1..=n.0).sum()
}
#[allow(non_camel_case_types, clippy::all, unused_qualifications)]
const _: () = {
    use ::flyer_runtime::__private::poem_openapi;
    fn __flyer_handler(__flyer_a0: Query<u64>) -> u64 {
        sum(__flyer_a0)
    }
    fn __flyer_checks() {
        ::flyer_runtime::checks::assert_extractor::<Query<u64>>();
        ::flyer_runtime::checks::assert_response_data::<u64>();
        ::flyer_runtime::checks::assert_blocking_output::<u64>();
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
        #[oai(path = "/sum", method = "get", transform = "__flyer_guard")]
        async fn sum(
            &self,
            n: <Query<u64> as ::flyer_runtime::checks::BlockingArg>::Out,
        ) -> ::flyer_runtime::operation::Reply<u64, __FlyerEndpoint> {
            match ::flyer_runtime::__private::blocking(move || __flyer_handler(n)).await
            {
                ::core::result::Result::Ok(out) => {
                    ::flyer_runtime::operation::Reply::data(out)
                }
                ::core::result::Result::Err(err) => {
                    ::flyer_runtime::operation::Reply::error(err)
                }
            }
        }
    }
    ::flyer_runtime::__private::inventory::submit! {
        ::flyer_runtime::__private::Registration { function :
        ::core::concat!(::core::module_path!(), "::", "sum"), file : ::core::file!(),
        line : ::core::line!(), method : "GET", path : "/sum", tags : & [], summary :
        ::core::option::Option::None, description : ::core::option::Option::None,
        operation_id : "sum", deprecated : false, hidden : false, controls :
        ::core::option::Option::None, errors : & [], arg_errors : || {
        #[allow(unused_imports)] use ::flyer_runtime::__private:: { ArgErrors as _,
        NoArgErrors as _ }; let mut all : ::std::vec::Vec < u32 > =
        ::std::vec::Vec::new(); all.extend_from_slice((&
        ::flyer_runtime::__private::ArgProbe:: < Query < u64 > > ::new()).errors()); all
        }, meta : < __FlyerEndpoint as ::flyer_runtime::__private::poem_openapi::OpenApi
        > ::meta, register : < __FlyerEndpoint as
        ::flyer_runtime::__private::poem_openapi::OpenApi > ::register, add_routes : |
        table |
        ::flyer_runtime::__private::poem_openapi::OpenApi::add_routes(__FlyerEndpoint,
        table), }
    }
};
