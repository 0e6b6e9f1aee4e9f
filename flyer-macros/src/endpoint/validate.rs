//! Stage 2: what the parsed attribute and signature must be together (each path
//! parameter has its argument, the function is not generic, ...), into [`Endpoint`].
//! Each check has its own error sink, so one mistake does not hide another.

use syn::{FnArg, GenericArgument, Ident, LitStr, Pat, PathArguments, ReturnType, Signature, Type};

use super::model::{Arg, Endpoint, Handler, Output};
use super::parse::{Attr, Input};
use crate::controls::model::{Queued, RateLimit};
use crate::controls::parse::Control;
use crate::controls::validate as controls;
use crate::docs;
use crate::error_store::ErrorSink;
use crate::item_fn::ItemFn;
use crate::values::{CodeList, PathTemplate, Str, StrList};

pub(crate) fn endpoint(input: Input, item: &ItemFn, sink: &ErrorSink) -> Option<Endpoint> {
    let Input {
        attr: Attr {
            method,
            path,
            options,
        },
        arg_attrs,
        controls,
    } = input;
    let (queued, rate_limit) = self::controls(controls, sink);
    let route = path.as_ref().and_then(|path| route(path, sink));
    check_signature(&item.sig, sink);
    let output = output(&item.sig.output, sink);
    let args = args(&item.sig, arg_attrs, route.as_ref(), sink);
    let tags = tags(options.tag, options.tags, sink);
    let (doc_summary, description) = docs::summary_and_description(&item.attrs);
    let summary = options.summary.map(|s| s.0.value()).or(doc_summary);
    let operation_id = operation_id(options.operation_id, &item.sig.ident, sink);
    let errors = error_codes(options.errors, sink);
    if sink.has_errors() {
        return None;
    }
    let (method, route, args, output) = (method?, route?, args?, output?);
    Some(Endpoint {
        method,
        path: route.path,
        oai_path: route.oai_path,
        tags,
        summary,
        description,
        operation_id,
        deprecated: options.deprecated.is_some_and(|f| f.0),
        hidden: options.hidden.is_some_and(|f| f.0),
        errors,
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

fn controls(controls: Vec<Control>, sink: &ErrorSink) -> (Option<Queued>, Option<RateLimit>) {
    let (mut queued, mut rate_limit) = (None, None);
    let (mut queued_seen, mut rate_limit_seen) = (false, false);
    for control in controls {
        let (attr, seen) = match control {
            Control::Queued(written) => {
                let attr = written.attr.clone();
                queued = controls::queued(written, sink).or(queued);
                (attr, std::mem::replace(&mut queued_seen, true))
            }
            Control::RateLimit(written) => {
                let attr = written.attr.clone();
                rate_limit = controls::rate_limit(written, sink).or(rate_limit);
                (attr, std::mem::replace(&mut rate_limit_seen, true))
            }
        };
        if seen {
            sink.at(attr, "given twice: write it once");
        }
    }
    (queued, rate_limit)
}

/// The path, checked as a whole.
struct Route {
    lit: LitStr,
    path: String,
    oai_path: String,
    /// The `{name}` parameters, in path order.
    params: Vec<String>,
}

fn route(path: &PathTemplate, sink: &ErrorSink) -> Option<Route> {
    let sink = sink.child();
    let mut params: Vec<String> = Vec::new();
    for name in path.params() {
        if params.iter().any(|p| p == name) {
            sink.at(
                &path.lit,
                format!("the path parameter `{{{name}}}` appears twice in the path"),
            );
        } else {
            params.push(name.to_owned());
        }
    }
    (!sink.has_errors()).then(|| Route {
        lit: path.lit.clone(),
        path: path.lit.value(),
        oai_path: path.oai_path(),
        params,
    })
}

fn check_signature(sig: &Signature, sink: &ErrorSink) {
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        sink.at(
            &sig.generics,
            "an endpoint cannot be generic: flyer must know the type of every argument to document it",
        );
    }
    if let Some(token) = &sig.unsafety {
        sink.at(token, "an endpoint cannot be `unsafe`");
    }
    if let Some(token) = &sig.constness {
        sink.at(token, "an endpoint cannot be a `const fn`");
    }
    if let Some(abi) = &sig.abi {
        sink.at(abi, "an endpoint cannot have an ABI");
    }
    if let Some(receiver) = sig.receiver() {
        sink.at(
            receiver,
            "an endpoint is a free function: remove the `self` receiver (move the function out of the `impl`)",
        );
    }
}

fn output(ret: &ReturnType, sink: &ErrorSink) -> Option<Output> {
    let ty = match ret {
        ReturnType::Default => return Some(Output::Unit),
        ReturnType::Type(_, ty) => &**ty,
    };
    if is_unit(ty) {
        return Some(Output::Unit);
    }
    if let Type::ImplTrait(_) = ty {
        sink.at(
            ty,
            "an endpoint must return a concrete type, `T` or `Result<T>`",
        );
        return None;
    }
    // A `Result` is recognised by its name: an alias of another name is data.
    let Some(last) = (match ty {
        Type::Path(tp) => tp.path.segments.last().filter(|s| s.ident == "Result"),
        _ => None,
    }) else {
        return Some(Output::Data(Box::new(ty.clone())));
    };
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
    let ok = |ok: &Type| (!is_unit(ok)).then(|| Box::new(ok.clone()));
    match types.as_slice() {
        [t] => Some(Output::Result {
            ok: ok(t),
            err: None,
        }),
        [t, err] => Some(Output::Result {
            ok: ok(t),
            err: Some(Box::new((*err).clone())),
        }),
        _ => {
            sink.at(ty, "expected `Result<T>` or `Result<T, E>`");
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
    sig: &Signature,
    arg_attrs: Vec<Vec<syn::Attribute>>,
    route: Option<&Route>,
    sink: &ErrorSink,
) -> Option<Vec<Arg>> {
    let sink = sink.child();
    let params: &[String] = route.map_or(&[], |r| &r.params);
    let mut out = Vec::new();
    for (arg, oai_attrs) in sig.inputs.iter().zip(arg_attrs) {
        // A receiver is check_signature's to report.
        let FnArg::Typed(pat_ty) = arg else { continue };
        let Some(name) = arg_name(&pat_ty.pat) else {
            sink.at(
                &pat_ty.pat,
                "bind this argument to a name (`name: Query<T>` or `Path(name): Path<T>`): the name is the parameter's name",
            );
            continue;
        };
        if let Type::ImplTrait(_) = &*pat_ty.ty {
            sink.at(
                &pat_ty.ty,
                "an endpoint argument needs a concrete extractor type, not `impl Trait`",
            );
            continue;
        }
        let key = unraw(&name);
        let path_index = params.iter().position(|p| *p == key);
        if let Some(route) = route.filter(|_| path_index.is_none() && is_path_type(&pat_ty.ty)) {
            sink.at(
                &pat_ty.pat,
                format!(
                    "`{key}` is a `Path` argument, but the path \"{}\" has no `{{{key}}}`",
                    route.path
                ),
            );
        }
        out.push(Arg {
            name,
            ty: (*pat_ty.ty).clone(),
            oai_attrs,
            path_index,
        });
    }
    if let Some(route) = route {
        for param in &route.params {
            if !out.iter().any(|a| unraw(&a.name) == *param) {
                sink.at(
                    &route.lit,
                    format!(
                        "the path parameter `{{{param}}}` has no argument named `{param}`; add `{param}: Path<T>` to the function"
                    ),
                );
            }
        }
    }
    (!sink.has_errors()).then_some(out)
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

fn unraw(ident: &Ident) -> String {
    let s = ident.to_string();
    s.strip_prefix("r#").map(str::to_owned).unwrap_or(s)
}

/// `tag` then `tags`, each once, in the order first written.
fn tags(tag: Option<Str>, tags: Option<StrList>, sink: &ErrorSink) -> Vec<String> {
    let lits = tag.map(|t| t.0).into_iter();
    let mut out: Vec<String> = Vec::new();
    for lit in lits.chain(tags.into_iter().flat_map(|l| l.0)) {
        let value = lit.value();
        if value.trim().is_empty() {
            sink.at(&lit, "a tag cannot be empty");
        }
        if !out.contains(&value) {
            out.push(value);
        }
    }
    out
}

fn operation_id(id: Option<Str>, ident: &Ident, sink: &ErrorSink) -> String {
    match id {
        Some(Str(id)) if id.value().trim().is_empty() => {
            sink.at(&id, "operation_id cannot be empty");
            String::new()
        }
        Some(Str(id)) => id.value(),
        None => unraw(ident),
    }
}

fn error_codes(list: Option<CodeList>, sink: &ErrorSink) -> Vec<u32> {
    let Some(CodeList(list)) = list else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|lit| match lit.base10_parse::<u32>() {
            Ok(code) if is_error_code(code) => Some(code),
            _ => {
                sink.at(
                    lit,
                    "not an error code: write envelope codes such as 40400 or 50300 (HTTP status = code / 100, 4xx or 5xx)",
                );
                None
            }
        })
        .collect()
}

/// An envelope code whose status (`code / 100`, or Flyer's 40001/40002) is 4xx or 5xx.
fn is_error_code(code: u32) -> bool {
    code == 40001 || code == 40002 || (40000..60000).contains(&code)
}

#[cfg(test)]
mod tests {
    use darling::FromMeta;

    use crate::error_store::ErrorStore;
    use crate::values::{Str, StrList};

    #[test]
    fn tags_are_unique_in_first_written_order() {
        let tag = Str::from_meta(&syn::parse_quote!(tag = "b")).unwrap();
        let tags = StrList::from_meta(&syn::parse_quote!(tags = ["a", "b", "c", "a"])).unwrap();
        let store = ErrorStore::new();
        let tags = super::tags(Some(tag), Some(tags), &store.sink());
        assert_eq!(tags, ["b", "a", "c"]);
        assert!(store.into_compile_errors().is_empty());
    }
}
