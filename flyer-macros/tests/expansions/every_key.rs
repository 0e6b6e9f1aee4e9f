/// Ignored summary.
async fn create_user(db: Db, name: Query<String>) -> Result<String> {
    Ok(name.0)
}
#[allow(non_camel_case_types, clippy::all, unused_qualifications)]
const _: () = {
    use ::flyer_runtime::__private::poem_openapi;
    fn __flyer_handler(
        __flyer_a0: Db,
        __flyer_a1: Query<String>,
    ) -> impl ::core::future::Future<Output = Result<String>> {
        create_user(__flyer_a0, __flyer_a1)
    }
    fn __flyer_checks() {
        ::flyer_runtime::checks::assert_extractor::<Db>();
        ::flyer_runtime::checks::assert_extractor::<Query<String>>();
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
        #[oai(path = "/users", method = "post", transform = "__flyer_guard")]
        async fn create_user(
            &self,
            db: Db,
            #[oai(validator(min_length = 1))]
            name: Query<String>,
        ) -> ::flyer_runtime::operation::Reply<String, __FlyerEndpoint> {
            ::flyer_runtime::operation::Reply::result(__flyer_handler(db, name).await)
        }
    }
    ::flyer_runtime::__private::inventory::submit! {
        ::flyer_runtime::__private::Registration { function :
        ::core::concat!(::core::module_path!(), "::", "create_user"), file :
        ::core::file!(), line : ::core::line!(), method : "POST", path : "/users", tags :
        & ["users", "admin", "accounts"], summary :
        ::core::option::Option::Some("Create a user"), description :
        ::core::option::Option::None, operation_id : "createUser", deprecated : true,
        hidden : false, controls : ::core::option::Option::None, errors : & [40400u32,
        40900u32], arg_errors : || { #[allow(unused_imports)] use
        ::flyer_runtime::__private:: { ArgErrors as _, NoArgErrors as _ }; let mut all :
        ::std::vec::Vec < u32 > = ::std::vec::Vec::new(); all.extend_from_slice((&
        ::flyer_runtime::__private::ArgProbe:: < Db > ::new()).errors()); all
        .extend_from_slice((& ::flyer_runtime::__private::ArgProbe:: < Query < String > >
        ::new()).errors()); all }, meta : < __FlyerEndpoint as
        ::flyer_runtime::__private::poem_openapi::OpenApi > ::meta, register : <
        __FlyerEndpoint as ::flyer_runtime::__private::poem_openapi::OpenApi >
        ::register, add_routes : | table |
        ::flyer_runtime::__private::poem_openapi::OpenApi::add_routes(__FlyerEndpoint,
        table), }
    }
};
