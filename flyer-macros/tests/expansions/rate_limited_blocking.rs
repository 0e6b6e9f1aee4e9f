fn search(q: Query<String>) -> String {
    q.0
}
#[allow(non_camel_case_types, clippy::all, unused_qualifications)]
const _: () = {
    use ::flyer_runtime::__private::poem_openapi;
    fn __flyer_handler(__flyer_a0: Query<String>) -> String {
        search(__flyer_a0)
    }
    fn __flyer_checks() {
        ::flyer_runtime::checks::assert_extractor::<Query<String>>();
        ::flyer_runtime::checks::assert_response_data::<String>();
        ::flyer_runtime::checks::assert_blocking_output::<String>();
    }
    struct __FlyerEndpoint;
    static __FLYER_CONTROLS: ::flyer_runtime::__private::Controls = ::flyer_runtime::__private::Controls {
        route: "GET /search",
        queue: ::core::option::Option::None,
        rate_limit: ::core::option::Option::Some(::flyer_runtime::__private::RateLimitSpec {
            count: 100u32,
            period_ms: 1000u64,
            burst: 200u32,
            key: ::flyer_runtime::__private::RateKey::Header("x-api-key"),
        }),
    };
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
        #[oai(path = "/search", method = "get", transform = "__flyer_guard")]
        async fn search(
            &self,
            __flyer_request: &::flyer_runtime::__private::poem::Request,
            q: <Query<String> as ::flyer_runtime::checks::BlockingArg>::Out,
        ) -> ::flyer_runtime::operation::Reply<String, __FlyerEndpoint> {
            match ::flyer_runtime::__private::admit(&__FLYER_CONTROLS, __flyer_request)
                .await
            {
                ::flyer_runtime::__private::Admission::Answer(resp) => {
                    ::flyer_runtime::operation::Reply::raw(resp)
                }
                ::flyer_runtime::__private::Admission::Run(ticket) => {
                    match ticket.run_blocking(move || __flyer_handler(q)).await {
                        ::core::result::Result::Ok(out) => {
                            ::flyer_runtime::operation::Reply::data(out)
                        }
                        ::core::result::Result::Err(err) => {
                            ::flyer_runtime::operation::Reply::error(err)
                        }
                    }
                }
            }
        }
    }
    ::flyer_runtime::__private::inventory::submit! {
        ::flyer_runtime::__private::Registration { function :
        ::core::concat!(::core::module_path!(), "::", "search"), file : ::core::file!(),
        line : ::core::line!(), method : "GET", path : "/search", tags : & [], summary :
        ::core::option::Option::None, description : ::core::option::Option::None,
        operation_id : "search", deprecated : false, hidden : false, controls :
        ::core::option::Option::Some(& __FLYER_CONTROLS), errors : & [], arg_errors : ||
        { #[allow(unused_imports)] use ::flyer_runtime::__private:: { ArgErrors as _,
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
