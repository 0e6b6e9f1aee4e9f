//! Start-up checks of the registered endpoints: what poem-openapi would get wrong
//! silently or with a bare panic — a duplicate route, operation id or schema name — is
//! refused with a message naming both functions and where they are.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};

use poem_openapi::registry::{MetaParamIn, Registry};

use super::registry::Registration;
use super::spec::QueueSpec;
use crate::error::panic_message;

/// Why the registered endpoints cannot be served; every problem found, one a line.
#[derive(Debug)]
pub struct StartupError(pub Vec<String>);

impl fmt::Display for StartupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "flyer cannot start:")?;
        for problem in &self.0 {
            write!(f, "\n  - {problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for StartupError {}

/// `/users/{id}` → `/users/{}`: the shape the router matches on.
fn shape(path: &str) -> String {
    path.split('/')
        .map(|s| if s.starts_with('{') { "{}" } else { s })
        .collect::<Vec<_>>()
        .join("/")
}

/// `{id}` vs `{name}`, for each segment two paths of one shape name differently.
fn renamed_params(a: &str, b: &str) -> Vec<String> {
    a.split('/')
        .zip(b.split('/'))
        .filter(|(x, y)| x != y)
        .map(|(x, y)| format!("{x} vs {y}"))
        .collect()
}

fn vars(path: &str) -> HashSet<&str> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .collect()
}

/// Checks `regs` for what would route or document wrongly: a duplicate method + path,
/// the same route written with different parameter names, a duplicate operation id, two
/// types with one schema name, and a path parameter missing from the path.
pub(crate) fn check(regs: &[&Registration]) -> Result<(), StartupError> {
    let mut problems = Vec::new();
    let mut routes: HashMap<(&str, String), &Registration> = HashMap::new();
    let mut shapes: HashMap<String, &Registration> = HashMap::new();
    let mut operation_ids: HashMap<&str, &Registration> = HashMap::new();
    let mut schemas: HashMap<String, (&'static str, &Registration)> = HashMap::new();

    for reg in regs {
        let shape = shape(reg.path);
        // One route written with two names for a parameter is that, whatever the
        // methods: said once, in those words.
        let renamed = match shapes.get(&shape) {
            Some(first) if first.path != reg.path => {
                problems.push(format!(
                    "{} {} of {} and {} {} of {} give one path parameter two names ({}); the router sees one route: use the same name in both",
                    first.method,
                    first.path,
                    first.named(),
                    reg.method,
                    reg.path,
                    reg.named(),
                    renamed_params(first.path, reg.path).join(", ")
                ));
                true
            }
            Some(_) => false,
            None => {
                shapes.insert(shape.clone(), reg);
                false
            }
        };
        if let Some(first) = routes.insert((reg.method, shape), reg)
            && !renamed
        {
            problems.push(format!(
                "duplicate route {} {}: defined by {} and by {}",
                reg.method,
                reg.path,
                first.named(),
                reg.named()
            ));
        }
        if let Some(first) = operation_ids.insert(reg.operation_id, reg) {
            problems.push(format!(
                "duplicate operation id `{}`: used by {} and by {}; set `operation_id = \"...\"` on one",
                reg.operation_id,
                first.named(),
                reg.named()
            ));
        }
        let path_vars = vars(reg.path);
        for (_, op) in reg.operations() {
            for param in op.params.iter().filter(|p| p.in_type == MetaParamIn::Path) {
                if !path_vars.contains(param.name.as_str()) {
                    problems.push(format!(
                        "{}: the argument `{}` is a path parameter, but {} has no `{{{}}}`",
                        reg.named(),
                        param.name,
                        reg.path,
                        param.name
                    ));
                }
            }
        }
        let mut registry = Registry::new();
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| (reg.register)(&mut registry))) {
            problems.push(format!(
                "the types of {} cannot be documented: {}",
                reg.named(),
                panic_message(&*panic)
            ));
            continue;
        }
        for (name, schema) in registry.schemas {
            let Some(ty) = schema.rust_typename else {
                continue;
            };
            match schemas.get(&name) {
                Some((first_ty, first)) if *first_ty != ty => problems.push(format!(
                    "two types have the schema name `{name}`: `{first_ty}` (used by {}) and `{ty}` (used by {}); rename one with #[oai(rename = \"...\")]",
                    first.named(),
                    reg.named()
                )),
                Some(_) => {}
                None => {
                    schemas.insert(name, (ty, reg));
                }
            }
        }
    }
    problems.extend(group_problems(regs));
    if problems.is_empty() {
        Ok(())
    } else {
        Err(StartupError(problems))
    }
}

/// Routes sharing a queue group must agree on what the group is: one `limit`, one
/// `concurrency`, one `reserve`.
fn group_problems(regs: &[&Registration]) -> Vec<String> {
    let mut first: HashMap<&str, (&Registration, &QueueSpec)> = HashMap::new();
    let mut problems = Vec::new();
    for reg in regs {
        let Some(spec) = reg.controls.and_then(|c| c.queue.as_ref()) else {
            continue;
        };
        let Some(group) = spec.group else { continue };
        let Some((other, seen)) = first.get(group) else {
            first.insert(group, (reg, spec));
            continue;
        };
        let shape = |s: &QueueSpec| (s.limit, s.concurrency, s.reserve);
        if shape(seen) != shape(spec) {
            problems.push(format!(
                "{} and {} share the queue group `{group}` but declare it differently (limit {} and {}, concurrency {:?} and {:?}, reserve {} and {}); declare the same on both",
                other.named(),
                reg.named(),
                seen.limit,
                spec.limit,
                seen.concurrency,
                spec.concurrency,
                seen.reserve,
                spec.reserve
            ));
        }
    }
    problems
}

/// Whether `reg` is one of the service's own, rather than flyer's probes.
fn is_users(reg: &Registration) -> bool {
    !reg.function.starts_with("flyer_runtime::")
}

/// Checks that the service's endpoints are linked: at least one of its own (unless
/// `allow_none`), and at least one from each crate of `expected` (what
/// `serve!(endpoints = [...])` names). A library of endpoints that nothing names is not
/// linked, and every route would answer 404: refused at start-up instead, saying how.
pub(crate) fn linked(
    regs: &[&Registration],
    expected: &[&str],
    allow_none: bool,
) -> Result<(), StartupError> {
    let mut problems = Vec::new();
    for krate in expected {
        let prefix = format!("{krate}::");
        if !regs.iter().any(|r| r.function.starts_with(&prefix)) {
            problems.push(format!(
                "`serve!(endpoints = [{krate}, ...])` names `{krate}`, but no endpoint of `{krate}` is registered: is it the crate's name (as in `use {krate}::...`), and does it have an #[endpoint]?"
            ));
        }
    }
    if !allow_none && !regs.iter().any(|r| is_users(r)) {
        problems.push(
            "no endpoint of this service is registered, so every route would answer 404. \
             Endpoints are collected from the crates the binary links: if yours live in a library, \
             name it, `flyer_runtime::serve!(endpoints = [my_lib])` (in a test, `use my_lib as _;`). \
             A service with no endpoint of its own says so: `flyer_runtime::serve!(allow_no_endpoints)`."
                .to_owned(),
        );
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(StartupError(problems))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn renamed_parameters_are_named() {
        assert_eq!(
            super::renamed_params("/hosts/{id}/x", "/hosts/{name}/x"),
            ["{id} vs {name}"]
        );
    }

    #[test]
    fn shapes() {
        assert_eq!(super::shape("/users/{id}/x"), "/users/{}/x");
        assert_eq!(super::shape("/"), "/");
    }
}
