async fn prime(x: Path<u64>) -> bool {
    x.0 >= 2
}
#[allow(non_camel_case_types, clippy::all, unused_qualifications)]
const _: () = {
    use ::flyer_runtime::__private::poem_openapi;
    fn __flyer_handler(
        __flyer_a0: Path<u64>,
    ) -> impl ::core::future::Future<Output = bool> {
        prime(__flyer_a0)
    }
    fn __flyer_checks() {
        ::flyer_runtime::checks::assert_path_arg::<Path<u64>>();
        ::flyer_runtime::checks::assert_response_data::<bool>();
    }
    struct __FlyerEndpoint;
    static __FLYER_CONTROLS: ::flyer_runtime::__private::Controls = ::flyer_runtime::__private::Controls {
        route: "GET /prime/{x}",
        queue: ::core::option::Option::Some(::flyer_runtime::__private::QueueSpec {
            limit: 320u32,
            timeout_ms: ::core::option::Option::Some(10000u64),
            concurrency: ::core::option::Option::Some(4u32),
            at_most_once: true,
            priority: ::flyer_runtime::__private::Priority::Normal,
            group: ::core::option::Option::None,
            reserve: 0u32,
        }),
        rate_limit: ::core::option::Option::None,
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
        #[oai(path = "/prime/:x", method = "get", transform = "__flyer_guard")]
        async fn prime(
            &self,
            __flyer_request: &::flyer_runtime::__private::poem::Request,
            x: ::flyer_runtime::checks::Path<Path<u64>>,
        ) -> ::flyer_runtime::operation::Reply<bool, __FlyerEndpoint> {
            match ::flyer_runtime::__private::admit(&__FLYER_CONTROLS, __flyer_request)
                .await
            {
                ::flyer_runtime::__private::Admission::Answer(resp) => {
                    ::flyer_runtime::operation::Reply::raw(resp)
                }
                ::flyer_runtime::__private::Admission::Run(ticket) => {
                    match ticket.run(async move { __flyer_handler(x).await }).await {
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
        ::core::concat!(::core::module_path!(), "::", "prime"), file : ::core::file!(),
        line : ::core::line!(), method : "GET", path : "/prime/{x}", tags : & [], summary
        : ::core::option::Option::None, description : ::core::option::Option::None,
        operation_id : "prime", deprecated : false, hidden : false, controls :
        ::core::option::Option::Some(& __FLYER_CONTROLS), errors : & [], arg_errors : ||
        { #[allow(unused_imports)] use ::flyer_runtime::__private:: { ArgErrors as _,
        NoArgErrors as _ }; let mut all : ::std::vec::Vec < u32 > =
        ::std::vec::Vec::new(); all.extend_from_slice((&
        ::flyer_runtime::__private::ArgProbe:: < Path < u64 > > ::new()).errors()); all
        }, meta : < __FlyerEndpoint as ::flyer_runtime::__private::poem_openapi::OpenApi
        > ::meta, register : < __FlyerEndpoint as
        ::flyer_runtime::__private::poem_openapi::OpenApi > ::register, add_routes : |
        table |
        ::flyer_runtime::__private::poem_openapi::OpenApi::add_routes(__FlyerEndpoint,
        table), }
    }
};
