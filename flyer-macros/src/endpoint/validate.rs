//! Stage 2: checks the parsed attribute and function and builds [`Endpoint`], the plain
//! description expansion works from. Every problem is reported, each at its own token.

use syn::ext::IdentExt;
use syn::parse::Parser;
use syn::{Attribute, FnArg, GenericArgument, Ident, Pat, PathArguments, ReturnType, Type};

use super::controls::{self, Queued, RateLimit};
use super::parse::Attr;
use crate::docs;
use crate::errors::Errors;
use crate::item_fn::ItemFn;

/// HTTP methods an endpoint can answer.
pub const METHODS: &[&str] = &[
    "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE",
];

/// A validated endpoint.
pub struct Endpoint {
    /// Upper-case HTTP method.
    pub method: String,
    /// The path as the user wrote it, `/users/{id}`.
    pub path: String,
    /// The path in poem-openapi's syntax, `/users/:id`.
    pub oai_path: String,
    pub tags: Vec<String>,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub operation_id: String,
    pub deprecated: bool,
    pub hidden: bool,
    /// Envelope codes the handler declares it can answer (`errors = [...]`).
    pub errors: Vec<u32>,
    pub queued: Option<Queued>,
    pub rate_limit: Option<RateLimit>,
    pub handler: Handler,
}

/// The user's function, as the generated operation calls it.
pub struct Handler {
    pub ident: Ident,
    pub is_async: bool,
    /// The return type as written (`()` when none).
    pub ret: Box<Type>,
    pub args: Vec<Arg>,
    pub output: Output,
}

/// One argument of the user's function.
pub struct Arg {
    /// Its name, which is also the parameter's name in the spec.
    pub name: Ident,
    pub ty: Type,
    /// `#[oai(...)]` attributes, passed through to poem-openapi.
    pub oai_attrs: Vec<Attribute>,
    /// Position of its `{name}` in the path, for a path parameter.
    pub path_index: Option<usize>,
}

/// What the user's function returns.
pub enum Output {
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

pub fn endpoint(
    attr: Attr,
    item: &ItemFn,
    arg_attrs: Vec<Vec<Attribute>>,
    controls: &[Attribute],
    errors: &mut Errors,
) -> Option<Endpoint> {
    let mut queued = None;
    let mut rate_limit = None;
    for attr in controls {
        let name = attr.path().segments.last().map(|s| s.ident.to_string());
        let slot_taken = match name.as_deref() {
            Some("queued") => {
                let taken = queued.is_some();
                queued = controls::queued(attr, errors).or(queued);
                taken
            }
            _ => {
                let taken = rate_limit.is_some();
                rate_limit = controls::rate_limit(attr, errors).or(rate_limit);
                taken
            }
        };
        if slot_taken {
            errors.at(attr, "given twice: write it once");
        }
    }
    let method = method(&attr, errors);
    let path = path(&attr, errors);
    check_signature(item, errors);
    let output = output(&item.sig.output, errors);
    let args = args(item, arg_attrs, path.as_ref(), attr.path.as_ref(), errors);

    let opts = attr.options;
    let mut tags: Vec<String> = opts.tag.iter().map(|t| t.value()).collect();
    tags.extend(opts.tags.iter().flat_map(|l| l.0.iter().map(|t| t.value())));
    for lit in opts.tag.iter().chain(opts.tags.iter().flat_map(|l| &l.0)) {
        if lit.value().trim().is_empty() {
            errors.at(lit, "a tag cannot be empty");
        }
    }
    tags.dedup();
    let (doc_summary, description) = docs::summary_and_description(&item.attrs);
    let summary = opts.summary.map(|s| s.value()).or(doc_summary);
    let operation_id = match opts.operation_id {
        Some(id) if id.value().trim().is_empty() => {
            errors.at(&id, "operation_id cannot be empty");
            String::new()
        }
        Some(id) => id.value(),
        None => unraw(&item.sig.ident),
    };

    let (method, (path, oai_path, _), args, output) = (method?, path?, args?, output?);
    Some(Endpoint {
        method,
        path,
        oai_path,
        tags,
        summary,
        description,
        operation_id,
        deprecated: opts.deprecated.unwrap_or(false),
        hidden: opts.hidden.unwrap_or(false),
        errors: opts.errors.unwrap_or_default(),
        queued,
        rate_limit,
        handler: Handler {
            ident: item.sig.ident.clone(),
            is_async: item.sig.asyncness.is_some(),
            ret: match &item.sig.output {
                ReturnType::Default => Box::new(syn::parse_quote!(())),
                ReturnType::Type(_, ty) => ty.clone(),
            },
            args,
            output,
        },
    })
}

fn unraw(ident: &Ident) -> String {
    let s = ident.to_string();
    s.strip_prefix("r#").map(str::to_owned).unwrap_or(s)
}

fn method(attr: &Attr, errors: &mut Errors) -> Option<String> {
    let Some(ident) = &attr.method else {
        if !attr.malformed {
            errors.at(
                &attr.tokens,
                "missing HTTP method: write `#[endpoint(GET, \"/path\")]`",
            );
        }
        return None;
    };
    let upper = ident.to_string().to_ascii_uppercase();
    if METHODS.contains(&upper.as_str()) {
        Some(upper)
    } else {
        errors.at(
            ident,
            format!(
                "unknown HTTP method `{ident}`; expected one of: {}",
                METHODS.join(", ")
            ),
        );
        None
    }
}

/// Returns the path, its poem-openapi form and its `{name}` parameters in order.
fn path(attr: &Attr, errors: &mut Errors) -> Option<(String, String, Vec<String>)> {
    let Some(lit) = &attr.path else {
        if !attr.malformed {
            errors.at(
                &attr.tokens,
                "missing path: write `#[endpoint(GET, \"/path\")]`",
            );
        }
        return None;
    };
    let path = lit.value();
    let fail = |errors: &mut Errors, msg: String| errors.at(lit, msg);
    if !path.starts_with('/') {
        fail(
            errors,
            format!("the path must start with `/`: write \"/{path}\""),
        );
        return None;
    }
    let mut vars: Vec<String> = Vec::new();
    let mut oai = String::new();
    let mut ok = true;
    for segment in path.split('/').skip(1) {
        oai.push('/');
        if let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            let name = name.strip_prefix("r#").unwrap_or(name);
            if Ident::parse_any.parse_str(name).is_err() {
                fail(
                    errors,
                    format!(
                        "`{{{name}}}` is not a valid path parameter: write `{{name}}` with a Rust identifier"
                    ),
                );
                ok = false;
            } else if vars.iter().any(|v| v == name) {
                fail(
                    errors,
                    format!("the path parameter `{{{name}}}` appears twice in the path"),
                );
                ok = false;
            } else {
                vars.push(name.to_owned());
            }
            oai.push(':');
            oai.push_str(name);
        } else if segment.contains(['{', '}']) {
            fail(
                errors,
                format!("`{segment}`: a path parameter must be a whole segment, `/{{name}}`"),
            );
            ok = false;
        } else if let Some(name) = segment.strip_prefix(':') {
            fail(
                errors,
                format!("write path parameters as `{{{name}}}`, not `:{name}`"),
            );
            ok = false;
        } else {
            oai.push_str(segment);
        }
    }
    ok.then_some((path, oai, vars))
}

fn check_signature(item: &ItemFn, errors: &mut Errors) {
    let sig = &item.sig;
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        errors.at(&sig.generics, "an endpoint cannot be generic: flyer must know the type of every argument to document it");
    }
    if let Some(token) = &sig.unsafety {
        errors.at(token, "an endpoint cannot be `unsafe`");
    }
    if let Some(token) = &sig.constness {
        errors.at(token, "an endpoint cannot be a `const fn`");
    }
    if let Some(abi) = &sig.abi {
        errors.at(abi, "an endpoint cannot have an ABI");
    }
    if let Some(receiver) = sig.receiver() {
        errors.at(receiver, "an endpoint is a free function: remove the `self` receiver (move the function out of the `impl`)");
    }
}

fn output(ret: &ReturnType, errors: &mut Errors) -> Option<Output> {
    let ty = match ret {
        ReturnType::Default => return Some(Output::Unit),
        ReturnType::Type(_, ty) => &**ty,
    };
    if is_unit(ty) {
        return Some(Output::Unit);
    }
    if let Type::ImplTrait(_) = ty {
        errors.at(
            ty,
            "an endpoint must return a concrete type, `T` or `Result<T>`",
        );
        return None;
    }
    let Type::Path(tp) = ty else {
        return Some(Output::Data(Box::new(ty.clone())));
    };
    let Some(last) = tp.path.segments.last() else {
        return Some(Output::Data(Box::new(ty.clone())));
    };
    if last.ident != "Result" {
        return Some(Output::Data(Box::new(ty.clone())));
    }
    let types: Vec<&Type> = match &last.arguments {
        PathArguments::AngleBracketed(args) => args
            .args
            .iter()
            .filter_map(|a| match a {
                GenericArgument::Type(t) => Some(t),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    match types.as_slice() {
        [ok] => Some(Output::Result {
            ok: (!is_unit(ok)).then(|| Box::new((*ok).clone())),
            err: None,
        }),
        [ok, err] => Some(Output::Result {
            ok: (!is_unit(ok)).then(|| Box::new((*ok).clone())),
            err: Some(Box::new((*err).clone())),
        }),
        _ => {
            errors.at(ty, "expected `Result<T>` or `Result<T, E>`");
            None
        }
    }
}

fn is_unit(ty: &Type) -> bool {
    matches!(ty, Type::Tuple(t) if t.elems.is_empty())
}

/// Is this type written as `Path<...>` (any path ending in `Path`)?
fn is_path_type(ty: &Type) -> bool {
    matches!(ty, Type::Path(tp) if tp.path.segments.last().is_some_and(|s| s.ident == "Path"))
}

fn args(
    item: &ItemFn,
    arg_attrs: Vec<Vec<Attribute>>,
    path: Option<&(String, String, Vec<String>)>,
    lit: Option<&syn::LitStr>,
    errors: &mut Errors,
) -> Option<Vec<Arg>> {
    let vars: &[String] = path.map(|p| p.2.as_slice()).unwrap_or(&[]);
    let mut out = Vec::new();
    let mut ok = true;
    for (arg, oai_attrs) in item.sig.inputs.iter().zip(arg_attrs) {
        let FnArg::Typed(pat_ty) = arg else { continue };
        let Some(name) = arg_name(&pat_ty.pat) else {
            errors.at(&pat_ty.pat, "bind this argument to a name (`name: Query<T>` or `Path(name): Path<T>`): the name is the parameter's name");
            ok = false;
            continue;
        };
        if let Type::ImplTrait(_) = &*pat_ty.ty {
            errors.at(
                &pat_ty.ty,
                "an endpoint argument needs a concrete extractor type, not `impl Trait`",
            );
            ok = false;
            continue;
        }
        let key = unraw(&name);
        let path_index = vars.iter().position(|v| *v == key);
        if path.is_some() && path_index.is_none() && is_path_type(&pat_ty.ty) {
            errors.at(
                &pat_ty.pat,
                format!(
                    "`{key}` is a `Path` argument, but the path \"{}\" has no `{{{key}}}`",
                    path.map(|p| p.0.as_str()).unwrap_or_default()
                ),
            );
            ok = false;
        }
        out.push(Arg {
            name,
            ty: (*pat_ty.ty).clone(),
            oai_attrs,
            path_index,
        });
    }
    if let (Some((_, _, vars)), Some(lit)) = (path, lit) {
        for var in vars {
            if !out.iter().any(|a| unraw(&a.name) == *var) {
                errors.at(lit, format!(
                        "the path parameter `{{{var}}}` has no argument named `{var}`; add `{var}: Path<T>` to the function"
                    ));
                ok = false;
            }
        }
    }
    ok.then_some(out)
}

fn arg_name(pat: &Pat) -> Option<Ident> {
    match pat {
        Pat::Ident(p) if p.subpat.is_none() => Some(p.ident.clone()),
        Pat::TupleStruct(ts) if ts.elems.len() == 1 => match ts.elems.first() {
            Some(Pat::Ident(p)) if p.subpat.is_none() => Some(p.ident.clone()),
            _ => None,
        },
        _ => None,
    }
}
