async fn count(db: Db) -> Result<u64> {
    Ok(0)
}
#[allow(non_camel_case_types, clippy::all, unused_qualifications)]
const _: () = {
    use ::my_flyer::__private::poem_openapi;
    fn __flyer_handler(
        __flyer_a0: Db,
    ) -> impl ::core::future::Future<Output = Result<u64>> {
        count(__flyer_a0)
    }
    fn __flyer_checks() {
        ::my_flyer::checks::assert_extractor::<Db>();
        ::my_flyer::checks::assert_response_data::<u64>();
    }
    struct __FlyerEndpoint;
    static __FLYER_CONTROLS: ::my_flyer::__private::Controls = ::my_flyer::__private::Controls {
        route: "GET /count",
        queue: ::core::option::Option::None,
        rate_limit: ::core::option::Option::Some(::my_flyer::__private::RateLimitSpec {
            count: 5u32,
            period_ms: 60000u64,
            burst: 5u32,
            key: ::my_flyer::__private::RateKey::Ip,
        }),
    };
    static __FLYER_OPERATION: ::my_flyer::operation::Operation = ::my_flyer::operation::Operation::new(
        <__FlyerEndpoint as ::my_flyer::__private::poem_openapi::OpenApi>::meta,
        <__FlyerEndpoint as ::my_flyer::__private::poem_openapi::OpenApi>::register,
    );
    fn __flyer_guard<E: ::my_flyer::__private::poem::Endpoint>(
        ep: E,
    ) -> ::my_flyer::operation::Guard<E> {
        ::my_flyer::operation::Guard::new(ep, &__FLYER_OPERATION)
    }
    #[poem_openapi::OpenApi]
    impl __FlyerEndpoint {
        #[oai(path = "/count", method = "get", transform = "__flyer_guard")]
        async fn count(
            &self,
            __flyer_request: &::my_flyer::__private::poem::Request,
            db: Db,
        ) -> ::my_flyer::operation::Reply<u64, __FlyerEndpoint> {
            match ::my_flyer::__private::admit(&__FLYER_CONTROLS, __flyer_request).await
            {
                ::my_flyer::__private::Admission::Answer(resp) => {
                    ::my_flyer::operation::Reply::raw(resp)
                }
                ::my_flyer::__private::Admission::Run(ticket) => {
                    match ticket.run(async move { __flyer_handler(db).await }).await {
                        ::core::result::Result::Ok(out) => {
                            ::my_flyer::operation::Reply::result(out)
                        }
                        ::core::result::Result::Err(err) => {
                            ::my_flyer::operation::Reply::error(err)
                        }
                    }
                }
            }
        }
    }
    ::my_flyer::__private::inventory::submit! {
        ::my_flyer::__private::Registration { function :
        ::core::concat!(::core::module_path!(), "::", "count"), file : ::core::file!(),
        line : ::core::line!(), method : "GET", path : "/count", tags : & [], summary :
        ::core::option::Option::None, description : ::core::option::Option::None,
        operation_id : "count", deprecated : false, hidden : false, controls :
        ::core::option::Option::Some(& __FLYER_CONTROLS), errors : & [], arg_errors : ||
        { #[allow(unused_imports)] use ::my_flyer::__private:: { ArgErrors as _,
        NoArgErrors as _ }; let mut all : ::std::vec::Vec < u32 > =
        ::std::vec::Vec::new(); all.extend_from_slice((&
        ::my_flyer::__private::ArgProbe:: < Db > ::new()).errors()); all }, meta : <
        __FlyerEndpoint as ::my_flyer::__private::poem_openapi::OpenApi > ::meta,
        register : < __FlyerEndpoint as ::my_flyer::__private::poem_openapi::OpenApi >
        ::register, add_routes : | table |
        ::my_flyer::__private::poem_openapi::OpenApi::add_routes(__FlyerEndpoint, table),
        }
    }
};
