//! What validation makes of an endpoint: the plain description the expansion writes
//! code from.

use syn::{Attribute, Ident, Type};

use crate::controls::model::{Queued, RateLimit};
use crate::values::Method;

pub(crate) struct Endpoint {
    pub(crate) method: Method,
    /// The path as the user wrote it, `/users/{id}`.
    pub(crate) path: String,
    /// The path in poem-openapi's syntax, `/users/:id`.
    pub(crate) oai_path: String,
    pub(crate) tags: Vec<String>,
    pub(crate) summary: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) operation_id: String,
    pub(crate) deprecated: bool,
    pub(crate) hidden: bool,
    /// Envelope codes the handler declares it can answer (`errors = [...]`).
    pub(crate) errors: Vec<u32>,
    pub(crate) queued: Option<Queued>,
    pub(crate) rate_limit: Option<RateLimit>,
    pub(crate) handler: Handler,
}

/// The user's function, as the generated operation calls it.
pub(crate) struct Handler {
    pub(crate) ident: Ident,
    pub(crate) is_async: bool,
    /// The return type as written (`()` when none).
    pub(crate) ret: Box<Type>,
    pub(crate) args: Vec<Arg>,
    pub(crate) output: Output,
}

/// One argument of the user's function.
pub(crate) struct Arg {
    /// Its name, which is also the parameter's name in the spec.
    pub(crate) name: Ident,
    pub(crate) ty: Type,
    /// `#[oai(...)]` attributes, passed through to poem-openapi.
    pub(crate) oai_attrs: Vec<Attribute>,
    /// Position of its `{name}` in the path, for a path parameter.
    pub(crate) path_index: Option<usize>,
}

/// What the user's function returns.
pub(crate) enum Output {
    /// `()` or nothing: the envelope has no `data`.
    Unit,
    /// A value `T`, always a success.
    Data(Box<Type>),
    /// `Result<T>` or `Result<T, E>`; `ok` is `None` for `()`.
    Result {
        ok: Option<Box<Type>>,
        err: Option<Box<Type>>,
    },
}
