//! What an endpoint's argument and return types must be: the traits the expansion of
//! `#[endpoint]` checks them against, spanned at the user's tokens, so a mistake is
//! reported where it is written and in flyer's words. Where the operation can name a
//! type through a projection of one of these traits (`<T as BlockingArg>::Out`), rustc
//! reports a failed bound there once and stays silent about the type's other uses.

use poem_openapi::ApiExtractor;
use poem_openapi::types::ToJSON;

use crate::Error;

/// An endpoint argument: anything poem-openapi can extract from a request.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a request extractor, so it cannot be an endpoint argument",
    label = "not an extractor",
    note = "use `Path<T>`, `Query<T>`, `Header<T>`, `Cookie<T>`, `Json<T>`, `Form<T>`, `Multipart`, ..., or implement `poem_openapi::ApiExtractor` (or `poem::FromRequest`) for it"
)]
pub trait Extractor<'a> {}
#[diagnostic::do_not_recommend]
impl<'a, T: ApiExtractor<'a>> Extractor<'a> for T {}

/// A `Path<T>` argument (or an alias of one).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not `Path<_>`, but this argument is named after a parameter of the path",
    label = "expected `Path<_>` here",
    note = "an argument named like a `{{name}}` of the path is that path parameter: write `name: Path<T>`, or rename the argument"
)]
pub trait PathArg {}
impl<T> PathArg for poem_openapi::param::Path<T> {}

/// The type of a path argument as the generated operation declares it: the argument's
/// own type, under a name poem-openapi recognises. poem-openapi tells path parameters
/// by a `Path` segment in the written type and binds them to the route by position, so
/// an alias of `Path<T>` needs this name, and the operation lists them in path order.
#[doc(hidden)]
#[allow(type_alias_bounds)]
pub type Path<T> = T;

/// The data of a successful response: anything poem-openapi can describe and serialise.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be documented as an endpoint's response data",
    label = "not describable in OpenAPI",
    note = "return a type implementing `poem_openapi::types::ToJSON`: a scalar, `String`, `Vec<T>`, `Option<T>`, or a struct with `#[derive(Object)]`",
    note = "a map's keys are the keys of a JSON object, so text: `String`, a number, or a type with `Display` and `FromStr` (a tuple is none of these)",
    note = "a `Result` is recognised by its name: write `Result<T>` or `Result<T, E>`, not an alias of another name"
)]
pub trait ResponseData: ToJSON + Send {}
#[diagnostic::do_not_recommend]
impl<T: ToJSON + Send> ResponseData for T {}

/// The error of a `Result` an endpoint returns.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot become a flyer `Error`",
    label = "the error type of an endpoint's `Result`",
    note = "return `flyer_runtime::Result<T>`, or an error implementing `std::error::Error + Send + Sync` (answered as 50000)"
)]
pub trait IntoError {
    /// The flyer error.
    fn into_error(self) -> Error;
}
impl<E: Into<Error>> IntoError for E {
    fn into_error(self) -> Error {
        self.into()
    }
}

/// What crosses to and from the blocking pool, for a plain-`fn` endpoint.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot cross to the blocking pool that runs a plain `fn` endpoint",
    label = "must be `Send + 'static`",
    note = "make the endpoint an `async fn`, or use an owned, `Send` type"
)]
pub trait Blocking {}
impl<T: Send + 'static> Blocking for T {}

/// An argument of a plain-`fn` endpoint, as the operation names it: the type itself,
/// once it can cross to the blocking pool.
pub trait BlockingArg {
    /// The argument's type.
    type Out;
}
#[diagnostic::do_not_recommend]
impl<T: Blocking> BlockingArg for T {
    type Out = T;
}

#[doc(hidden)]
pub fn assert_extractor<'a, T: Extractor<'a>>() {}
#[doc(hidden)]
pub fn assert_path_arg<T: PathArg>() {}
#[doc(hidden)]
pub fn assert_response_data<T: ResponseData>() {}
#[doc(hidden)]
pub fn assert_blocking_output<T: Blocking>() {}

/// The error of an endpoint's `Result`, as a flyer [`Error`]: called at the user's
/// error type, so a type that is not one is reported there, once.
#[doc(hidden)]
pub fn into_error<E: IntoError>(err: E) -> Error {
    err.into_error()
}

/// A type whose use as an endpoint argument can make the endpoint answer these envelope
/// codes (a `Db` that is down: 50300), so the spec documents them. Implement it for an
/// extractor of your own:
///
/// ```
/// struct ApiKey(String);
/// impl flyer_runtime::DeclaresErrors for ApiKey {
///     const ERRORS: &'static [u32] = &[40100];
/// }
/// ```
pub trait DeclaresErrors {
    /// The codes.
    const ERRORS: &'static [u32];
}

#[doc(hidden)]
/// The argument type `T`, asked which errors it declares (autoref specialisation: a type
/// that does not implement [`DeclaresErrors`] falls back to [`NoArgErrors`]).
pub struct ArgProbe<T: ?Sized>(std::marker::PhantomData<fn() -> Box<T>>);

// No `Default`: only the expansion makes one, with `new`.
#[allow(clippy::new_without_default)]
impl<T: ?Sized> ArgProbe<T> {
    pub const fn new() -> Self {
        ArgProbe(std::marker::PhantomData)
    }
}

#[doc(hidden)]
pub trait ArgErrors {
    fn errors(&self) -> &'static [u32];
}
impl<T: DeclaresErrors + ?Sized> ArgErrors for ArgProbe<T> {
    fn errors(&self) -> &'static [u32] {
        T::ERRORS
    }
}

#[doc(hidden)]
pub trait NoArgErrors {
    fn errors(&self) -> &'static [u32] {
        &[]
    }
}
impl<T: ?Sized> NoArgErrors for &ArgProbe<T> {}
