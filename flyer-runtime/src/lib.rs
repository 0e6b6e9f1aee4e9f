//! # flyer
//!
//! A framework for small HTTP API services. Annotate plain functions with
//! [`#[endpoint]`](macro@endpoint), call [`serve!`] in `main`, and get documented,
//! validated routes under `{flyer_base_url}/{flyer_version}` (`/flyer/v1`), every answer
//! in one envelope, Swagger UI at `/docs`, ReDoc at `/redoc`, the spec at
//! `/openapi.json`, a health check at `/health_check` and a readiness probe at `/ready`.
//! Handlers take the database ([`Db`], sea-orm) and Redis ([`redis::Redis`]) as
//! arguments; see [`db`] and [`migrate`].
//!
//! ```no_run
//! use flyer_runtime::prelude::*;
//!
//! #[derive(Object)]
//! #[oai(rename_all = "camelCase")]
//! struct DemoRequest {
//!     #[oai(validator(min_length = 1, max_length = 64))]
//!     msg_content: String,
//! }
//!
//! /// Say hello.
//! #[endpoint(POST, "/demo", tag = "demo")]
//! async fn demo(body: Json<DemoRequest>) -> Result<String> {
//!     Ok(format!("Hello {}!", body.msg_content))
//! }
//!
//! fn main() {
//!     flyer_runtime::serve!();
//! }
//! ```
//!
//! Every JSON answer is `{"code": 200, "msg": "success", "data": ..., "request_id": "..."}`;
//! errors carry their code (see [`error::codes`]) and the HTTP status `code / 100`.

// The examples show `fn main` on purpose: `serve!()` is what goes in it.
#![allow(clippy::needless_doctest_main)]

extern crate self as flyer_runtime;

#[cfg(all(
    feature = "sql",
    not(any(feature = "sqlite", feature = "mysql", feature = "postgres"))
))]
compile_error!(
    "flyer-runtime's `sql` feature needs a driver: enable `sqlite`, `mysql` or `postgres`"
);

mod api;
mod app;
mod cli;
pub mod config;
mod context;
mod data;
pub mod error;
mod extract;
mod http;
mod observe;
mod queue;
mod rate_limit;
pub mod testing;

pub use api::check::StartupError;
pub use api::checks;
pub use api::checks::DeclaresErrors;
pub use api::page::Page;
pub use api::validation::Problem;
pub use app::{App, ServiceInfo};
pub use config::Config;
pub use context::{REQUEST_ID_HEADER, request_id};
#[cfg(feature = "redis")]
pub use data::redis;
#[cfg(feature = "sql")]
pub use data::{db, db::Db, migrate};
pub use error::{Error, Result};
pub use extract::client_ip::ClientIp;
/// poem, the version flyer serves with: for extractors of your own
/// (`flyer_runtime::poem::FromRequest`), and what compile errors name.
pub use poem;
/// sea-orm, the version flyer's [`Db`] speaks (a service's own dependency on it must match).
#[cfg(feature = "sql")]
pub use sea_orm;
/// sea-orm-migration, for the service's `Migrator`.
#[cfg(feature = "sql")]
pub use sea_orm_migration;

/// Turns a free function into a documented HTTP operation of the service.
///
/// ```text
/// #[endpoint(METHOD, "/path/{param}", key = value, ...)]
/// ```
///
/// The function stays as written, callable from your own code; beside it the macro
/// generates an operation that extracts the arguments from the request, calls the
/// function and answers its result in the envelope. The operation is registered at link
/// time: nothing else needs to name it.
///
/// | part | meaning |
/// |---|---|
/// | `METHOD` | `GET`, `POST`, `PUT`, `PATCH`, `DELETE`, `HEAD`, `OPTIONS` or `TRACE` (any case) |
/// | `"/path"` | starts with `/`; `{name}` segments are path parameters, each bound to the argument `name: Path<T>` |
/// | `tag = "x"` | the operation's tag (groups it in the docs) |
/// | `tags = ["x", "y"]` | several tags |
/// | `summary = "..."` | overrides the summary taken from the doc comment |
/// | `operation_id = "..."` | the spec's `operationId`; default: the function's name |
/// | `deprecated` | marks the operation deprecated in the spec |
/// | `hidden` | serves the route but leaves it out of the spec |
/// | `errors = [40400, 40900]` | envelope codes the handler may answer, documented in the spec (each at its status) |
/// | `crate = "my_flyer"` | the path of flyer-runtime in generated code (default: its name in your `Cargo.toml`) |
///
/// The doc comment's first paragraph is the summary; the rest is the description.
///
/// **Arguments** are poem-openapi extractors: [`Path`](prelude::Path),
/// [`Query`](prelude::Query), [`Header`](prelude::Header), [`Cookie`](prelude::Cookie),
/// [`Json`](prelude::Json), [`Form`](prelude::Form), `Multipart`, ..., any type
/// implementing `poem_openapi::ApiExtractor` or `poem::FromRequest`, type aliases
/// included. The argument's name is the parameter's name. Validators are poem-openapi's,
/// written on the argument: `#[oai(validator(maximum(value = "100")))] n: Query<u32>`.
///
/// **Returns** `T`, `()`, `Result<T>` or `Result<T, E>` (with `E: Into<Error>`), where
/// `T` is anything poem-openapi can describe (`ToJSON`: scalars, `String`, `Vec`,
/// `Option`, `#[derive(Object)]` structs). The data goes in the envelope's `data`; `()`
/// answers an envelope without `data`.
///
/// **`async fn`** runs on the runtime; a **plain `fn`** runs on the blocking pool, so
/// blocking code never stalls the reactor.
///
/// ```no_run
/// use flyer_runtime::prelude::*;
///
/// /// Get an item.
/// ///
/// /// Longer description, shown under the summary.
/// #[endpoint(GET, "/items/{id}", tags = ["items"], operation_id = "getItem")]
/// async fn get_item(
///     #[oai(validator(maximum(value = "1000")))] id: Path<u32>,
///     verbose: Query<Option<bool>>,
/// ) -> Result<String> {
///     if *id == 0 {
///         return Err(Error::not_found("no item 0"));
///     }
///     Ok(format!("item {} (verbose: {:?})", *id, verbose.0))
/// }
///
/// /// A blocking computation: runs on the blocking pool.
/// #[endpoint(GET, "/sum", tag = "items")]
/// fn sum(n: Query<u64>) -> u64 {
///     (1..=n.0).sum()
/// }
/// # fn main() {}
/// ```
///
/// Mistakes are compile errors at the token that is wrong: an unknown method or key, a
/// path without a leading `/`, a `{name}` without its `Path` argument (or the reverse), a
/// repeated path parameter, a generic function, a `self` receiver, an argument that is
/// not an extractor, a return type that cannot be documented.
#[doc(inline)]
pub use flyer_macros::endpoint;

/// Bounds how many requests of an endpoint are admitted at once; goes under
/// [`#[endpoint]`](macro@endpoint).
///
/// ```text
/// #[queued(limit = N, timeout = "10s", concurrency = M, at_most_once)]
/// ```
///
/// | key | meaning |
/// |---|---|
/// | `limit = N` | required: at most N requests of the route admitted at once (running or waiting to run); request N+1 is refused at once with 50300 and `Retry-After` |
/// | `timeout = "10s"` | an admitted request not answered in time gets 50400 (default `flyer_queue_timeout`) |
/// | `concurrency = M` | how many run at once in one process (per worker with Redis); the other admitted ones wait, first come first served |
/// | `at_most_once` | with Redis: a task whose run was lost (its worker died or stalled) is answered 50000 "outcome unknown" instead of being run again |
/// | `group = "name"` | routes of one group share one count: declare `limit`, `concurrency` and `reserve` alike on each (letters, digits, `-`, `_`, `.`) |
/// | `priority = "high"` | `high`, `normal` (default) or `low`: waiting requests of a group start by level, then first come first served |
/// | `reserve = k` | k of the group's permits only `high` requests may take (less than `limit`) |
///
/// Requests are validated first: an invalid one gets 40000 and never takes a permit.
/// Limits are keyed by the route template (`GET /prime/{x}`), never the concrete URL. A
/// permit is held until the handler really stops: a plain `fn` that overruns its timeout
/// still counts until it returns.
///
/// With `flyer_queue_backend=local` (the default) each process has its own count. With
/// `redis`, every instance sharing the Redis shares one count, and instances can split
/// into roles (`flyer_role`): gateways admit and enqueue, workers execute. Delivery is at
/// least once: a task whose worker dies is run again by another worker; a run that lost
/// its task (stalled past its lease) stops at its next await and publishes nothing. The
/// README's "What the Redis backend guarantees" says what holds under which faults.
///
/// ```no_run
/// use flyer_runtime::prelude::*;
///
/// /// A nightly report: waits behind incident reports.
/// #[endpoint(POST, "/reports/nightly", tag = "reports")]
/// #[queued(group = "reports", limit = 20, concurrency = 2, reserve = 2, priority = "low")]
/// async fn nightly() -> String {
///     "done".to_owned()
/// }
///
/// /// An incident report: starts first, and two permits are kept for it.
/// #[endpoint(POST, "/reports/incident", tag = "reports")]
/// #[queued(group = "reports", limit = 20, concurrency = 2, reserve = 2, priority = "high")]
/// async fn incident() -> String {
///     "done".to_owned()
/// }
/// # fn main() {}
/// ```
///
/// ```no_run
/// use flyer_runtime::prelude::*;
///
/// /// Is `x` prime? At most 320 at once.
/// #[endpoint(GET, "/prime/{x}", tag = "queue")]
/// #[queued(limit = 320, timeout = "10s")]
/// fn prime(x: Path<u64>) -> bool {
///     x.0 >= 2 && (2..).take_while(|d| d * d <= x.0).all(|d| x.0 % d != 0)
/// }
/// # fn main() {}
/// ```
#[doc(inline)]
pub use flyer_macros::queued;

/// Limits the rate of an endpoint's requests (GCRA); goes under
/// [`#[endpoint]`](macro@endpoint).
///
/// ```text
/// #[rate_limit(rate = "100/s", burst = 200, key = "ip")]
/// ```
///
/// | key | meaning |
/// |---|---|
/// | `rate = "N/s"` | required: the sustained rate, per `s`, `m`, `h` or a duration (`"10/2s"`) |
/// | `burst = B` | how many may come at once (default: N) |
/// | `key = "global"` | one limit for everyone (the default); `"ip"`: per client IP (through trusted proxies only); `"header:X-Api-Key"`: per value of a header |
///
/// Over the limit: 42900 (HTTP 429) with `Retry-After`, `X-RateLimit-Limit` and
/// `X-RateLimit-Remaining`. With `flyer_queue_backend=redis` the limit is shared by every
/// instance through one atomic script; if Redis is unreachable, requests are let through
/// (`flyer_rate_limit_fail=open`, the default: the route's queue, if any, still bounds
/// them) or refused with 50300 (`closed`).
///
/// ```no_run
/// use flyer_runtime::prelude::*;
///
/// #[endpoint(GET, "/search", tag = "search")]
/// #[rate_limit(rate = "10/s", burst = 20, key = "ip")]
/// async fn search(q: Query<String>) -> String {
///     q.0
/// }
/// # fn main() {}
/// ```
#[doc(inline)]
pub use flyer_macros::rate_limit;

/// Runs the service: the `main` of a flyer binary.
///
/// Captures the calling crate's name, version and description for the spec's `info`,
/// reads the `flyer_*` environment variables (see [`config`]), and answers the command
/// line: no command (or `serve`) serves HTTP; `routes` lists the routes with their
/// functions and source locations; `openapi [--yaml]` prints the spec; `config` the
/// configuration; `migrate` runs the migrations; `--help` says so. `serve`, `routes` and
/// `openapi` run the same start-up checks, and refuse what would route or document
/// wrongly.
///
/// ```no_run
/// fn main() {
///     flyer_runtime::serve!();
/// }
/// ```
///
/// Optional keys, in any order, comma-separated:
///
/// | key | meaning |
/// |---|---|
/// | `migrator = Migrator` | the service's sea-orm-migration `Migrator`: run at start-up when `flyer_db_migrate=1` (the default for SQLite), by the `migrate` command (`up`, `down`, `status`, `fresh`), and counted by `/ready` (503 while one is pending) |
/// | `endpoints = [my_lib, other]` | the crates whose endpoints are served: each is linked for sure, and start-up fails, naming it, when one registers no endpoint |
/// | `allow_no_endpoints` | lets the service start with no endpoint of its own |
///
/// Endpoints are collected from every crate the binary links. A library of endpoints
/// that the binary never names is not linked: every route would answer 404. So the
/// service refuses to start when no endpoint of its own is registered, unless it says
/// `allow_no_endpoints`. Naming the libraries, `serve!(endpoints = [my_lib])`, is the
/// recommended way: the link is certain and checked.
///
/// ```ignore
/// fn main() {
///     flyer_runtime::serve!(migrator = my_service::Migrator, endpoints = [my_service]);
/// }
/// ```
#[macro_export]
macro_rules! serve {
    ($($key:tt)*) => {
        $crate::__serve!(@keys [] [] [] $($key)*)
    };
}

/// The keys of [`serve!`], one at a time. Not for direct use.
#[doc(hidden)]
#[macro_export]
macro_rules! __serve {
    (@keys [$($migrator:ty)?] [$($lib:ident),*] [$($allow:ident)?] $(,)?) => {{
        $(
            #[allow(unused_imports)]
            use $lib as _;
        )*
        let main = $crate::__private::Main::new($crate::ServiceInfo {
            name: ::core::env!("CARGO_PKG_NAME"),
            version: ::core::env!("CARGO_PKG_VERSION"),
            description: ::core::option_env!("CARGO_PKG_DESCRIPTION"),
        })
        .endpoints_from(&[$(::core::stringify!($lib)),*])
        $(.migrator::<$migrator>())?
        $(.$allow())?;
        ::std::process::exit(main.run())
    }};
    (@keys [] [$($lib:ident),*] [$($allow:ident)?] migrator = $migrator:ty $(, $($rest:tt)*)?) => {
        $crate::__serve!(@keys [$migrator] [$($lib),*] [$($allow)?] $($($rest)*)?)
    };
    (@keys [$($migrator:ty)?] [] [$($allow:ident)?] endpoints = [$($lib:ident),+ $(,)?] $(, $($rest:tt)*)?) => {
        $crate::__serve!(@keys [$($migrator)?] [$($lib),+] [$($allow)?] $($($rest)*)?)
    };
    (@keys [$($migrator:ty)?] [$($lib:ident),*] [] allow_no_endpoints $(, $($rest:tt)*)?) => {
        $crate::__serve!(@keys [$($migrator)?] [$($lib),*] [allow_no_endpoints] $($($rest)*)?)
    };
}

/// README.md's Rust examples, compiled as doc tests so that they cannot drift (the
/// `rust,ignore` ones are excerpts of the demo, checked by `examples/demo/tests/readme.rs`).
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeExamples;

/// What an endpoint module needs: `use flyer_runtime::prelude::*;`.
pub mod prelude {
    #[cfg(feature = "sql")]
    pub use crate::Db;
    #[cfg(feature = "redis")]
    pub use crate::redis::Redis;
    pub use crate::{ClientIp, Error, Page, Result, endpoint, queued, rate_limit};
    /// poem-openapi's derives refer to `poem_openapi` by name: this brings it into scope
    /// for crates that depend on flyer alone.
    pub use poem_openapi;
    pub use poem_openapi::param::{Cookie, Header, Path, Query};
    pub use poem_openapi::payload::{Binary, Form, Json, PlainText};
    pub use poem_openapi::types::multipart::{JsonField, Upload};
    pub use poem_openapi::{Enum, Multipart, Object, Union};
}

/// What the operation `#[endpoint]` generates is made of: its reply in the envelope, and
/// the wrapper that validates its request. Not for direct use; public so that compile
/// errors name it by a path a user can read.
#[doc(hidden)]
pub mod operation {
    pub use crate::api::envelope::{NoData, Reply};
    pub use crate::api::validation::{Guard, Operation};
}

/// Used by the code `#[endpoint]` and `serve!` generate. Not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::api::checks::{ArgErrors, ArgProbe, NoArgErrors};
    pub use crate::api::registry::Registration;
    pub use crate::api::spec::{Controls, Priority, QueueSpec, RateKey, RateLimitSpec};
    pub use crate::cli::Main;
    pub use crate::queue::{Admission, Ticket, admit};
    pub use ::inventory;
    pub use ::poem;
    pub use ::poem_openapi;

    /// Runs a plain-`fn` endpoint on the blocking pool; its panic is a 50000.
    pub async fn blocking<F, R>(f: F) -> crate::Result<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        crate::context::spawn_blocking(f)
            .await
            .map_err(|err| crate::Error::internal("internal error").with_source(err))
    }
}
