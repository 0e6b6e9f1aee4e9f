//! The API as documented and served: the registry of `#[endpoint]`s, what they declare,
//! the collected poem-openapi service built from them, the envelope every answer wears,
//! and validation failures explained field by field.

pub(crate) mod check;
pub mod checks;
pub(crate) mod documented;
pub(crate) mod envelope;
pub(crate) mod open;
pub(crate) mod openapi;
pub(crate) mod page;
pub(crate) mod registry;
pub(crate) mod spec;
pub(crate) mod validation;
