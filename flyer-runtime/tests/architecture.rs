//! The directions dependencies between flyer-runtime's modules may take, checked on the
//! source: every `crate::`, `super::` and `self::` path of every file is resolved to the
//! module it names, and the resulting graph must
//! - have no cycle between top-level modules (`api`, `data`, `http`, ...);
//! - have no cycle between the files inside one (a `mod.rs` and the files it declares are
//!   one unit: a parent re-exporting its children is not a cycle);
//! - keep the leaves leaves: the modules in [`LEAVES`] import nothing of flyer's;
//! - never take the directions in [`NEVER`].
//!
//! What a macro expands to (`#[endpoint]` on the probes) is not seen: only written paths.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// Modules that import nothing of flyer's: anything may use them.
const LEAVES: &[&str] = &["error", "config", "context", "api::spec", "extract::state"];

/// (from, to): top-level modules that must never depend on the other.
const NEVER: &[(&str, &str)] = &[
    ("api", "data"),
    ("api", "http"),
    ("api", "queue"),
    ("api", "extract"),
    ("api", "app"),
    ("data", "api"),
    ("data", "http"),
    ("data", "queue"),
    ("data", "extract"),
    ("data", "app"),
    ("extract", "queue"),
    ("extract", "http"),
    ("queue", "http"),
    ("queue", "app"),
    ("http", "queue"),
    ("http", "app"),
];

type ModPath = Vec<String>;

/// Every module file under `src`, by its module path (`api::envelope` → ["api", "envelope"]).
fn modules(src: &Path) -> BTreeMap<ModPath, PathBuf> {
    let mut out = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read src") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(src).expect("under src");
            let mut parts: Vec<String> = rel
                .iter()
                .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
                .collect();
            if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
                parts.pop();
            }
            out.insert(parts, path);
        }
    }
    out
}

/// The paths a file writes, as segment lists (`use a::{b, c::d}` gives `a::b`, `a::c::d`),
/// each with the inline module it is written in (`mod tests { ... }`), relative to the file.
#[derive(Default)]
struct Paths {
    found: Vec<(Vec<String>, Vec<String>)>,
    inline: Vec<String>,
}

impl Paths {
    fn push(&mut self, path: Vec<String>) {
        self.found.push((self.inline.clone(), path));
    }

    fn tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.tree(prefix, &p.tree);
                prefix.pop();
            }
            syn::UseTree::Name(n) => {
                let mut full = prefix.clone();
                full.push(n.ident.to_string());
                self.push(full);
            }
            syn::UseTree::Rename(r) => {
                let mut full = prefix.clone();
                full.push(r.ident.to_string());
                self.push(full);
            }
            syn::UseTree::Glob(_) => self.push(prefix.clone()),
            syn::UseTree::Group(g) => {
                for item in &g.items {
                    self.tree(prefix, item);
                }
            }
        }
    }
}

impl<'ast> Visit<'ast> for Paths {
    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.tree(&mut Vec::new(), &item.tree);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        self.push(path.segments.iter().map(|s| s.ident.to_string()).collect());
        syn::visit::visit_path(self, path);
    }

    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        self.inline.push(item.ident.to_string());
        syn::visit::visit_item_mod(self, item);
        self.inline.pop();
    }
}

/// Where a path written in module `at` leads, as an absolute path from the crate root;
/// `None` for paths outside the crate (`std::`, `poem::`, a local name).
fn absolute(at: &ModPath, path: &[String]) -> Option<ModPath> {
    let mut out: ModPath = match path.first()?.as_str() {
        "crate" => Vec::new(),
        "super" | "self" => at.clone(),
        _ => return None,
    };
    let mut rest = path.iter().peekable();
    if rest.peek().is_some_and(|s| *s == "crate") {
        rest.next();
    }
    for seg in rest {
        match seg.as_str() {
            "super" => {
                out.pop()?;
            }
            "self" => {}
            name => out.push(name.to_owned()),
        }
    }
    Some(out)
}

/// The module file an absolute path lands in: its longest prefix that is a module,
/// following the root's re-exports (`crate::Error` is `crate::error::Error`).
fn target(
    path: &ModPath,
    mods: &BTreeMap<ModPath, PathBuf>,
    reexports: &HashMap<String, ModPath>,
) -> Option<ModPath> {
    let mut path = path.clone();
    if let Some(first) = path.first()
        && !mods.contains_key(&vec![first.clone()])
        && let Some(to) = reexports.get(first)
    {
        path.splice(0..1, to.iter().cloned());
    }
    (1..=path.len())
        .rev()
        .map(|n| path[..n].to_vec())
        .find(|p| mods.contains_key(p))
}

/// What the crate root re-exports under a name of its own: `pub use a::b::{C, d};`.
fn reexports(lib: &syn::File) -> HashMap<String, ModPath> {
    let mut out = HashMap::new();
    for item in &lib.items {
        if let syn::Item::Use(u) = item {
            let mut paths = Paths::default();
            paths.tree(&mut Vec::new(), &u.tree);
            for (_, p) in paths.found {
                if let Some(last) = p.last() {
                    out.insert(last.clone(), p[..p.len() - 1].to_vec());
                }
            }
        }
    }
    out
}

/// A cycle of `graph`, if it has one.
fn cycle<N: Ord + Clone>(graph: &BTreeMap<N, BTreeSet<N>>) -> Option<Vec<N>> {
    fn visit<N: Ord + Clone>(
        node: &N,
        graph: &BTreeMap<N, BTreeSet<N>>,
        done: &mut BTreeSet<N>,
        stack: &mut Vec<N>,
    ) -> Option<Vec<N>> {
        if let Some(at) = stack.iter().position(|n| n == node) {
            let mut found = stack[at..].to_vec();
            found.push(node.clone());
            return Some(found);
        }
        if done.contains(node) {
            return None;
        }
        stack.push(node.clone());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(found) = visit(next, graph, done, stack) {
                return Some(found);
            }
        }
        stack.pop();
        done.insert(node.clone());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|n| visit(n, graph, &mut done, &mut Vec::new()))
}

fn name(path: &ModPath) -> String {
    path.join("::")
}

/// The file-level graph: module → the modules of the crate it names.
fn graph() -> BTreeMap<ModPath, BTreeSet<ModPath>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mods = modules(&src);
    let lib = syn::parse_file(&std::fs::read_to_string(src.join("lib.rs")).expect("lib.rs"))
        .expect("lib.rs parses");
    let reexports = reexports(&lib);
    let mut graph = BTreeMap::new();
    for (module, file) in &mods {
        if module.is_empty() {
            continue; // the root re-exports everything by design
        }
        let text = std::fs::read_to_string(file).expect("read a module");
        let parsed = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let mut paths = Paths::default();
        paths.visit_file(&parsed);
        let deps: &mut BTreeSet<ModPath> = graph.entry(module.clone()).or_default();
        for (inline, p) in &paths.found {
            // `super` in `a/b.rs` is `a`, in `a/mod.rs` the root, in `mod tests` the file.
            let at: ModPath = module.iter().chain(inline).cloned().collect();
            let Some(abs) = absolute(&at, p) else {
                continue;
            };
            let Some(to) = target(&abs, &mods, &reexports) else {
                continue;
            };
            if to != *module && !to.is_empty() {
                deps.insert(to);
            }
        }
    }
    graph
}

#[test]
fn top_level_modules_form_no_cycle_and_keep_their_directions() {
    let files = graph();
    let mut top: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, tos) in &files {
        let entry = top.entry(from[0].clone()).or_default();
        for to in tos {
            if to[0] != from[0] {
                entry.insert(to[0].clone());
            }
        }
    }
    let shown = top
        .iter()
        .map(|(f, t)| {
            format!(
                "  {f} -> {}",
                t.iter().cloned().collect::<Vec<_>>().join(", ")
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    if let Some(found) = cycle(&top) {
        panic!(
            "a cycle between top-level modules: {}\n{shown}",
            found.join(" -> ")
        );
    }
    for (from, to) in NEVER {
        assert!(
            !top.get(*from).is_some_and(|t| t.contains(*to)),
            "{from} must not depend on {to}:\n{shown}"
        );
    }
}

#[test]
fn leaves_import_nothing_of_flyers() {
    for (from, tos) in graph() {
        let module = name(&from);
        let Some(leaf) = LEAVES
            .iter()
            .find(|l| module == **l || module.starts_with(&format!("{l}::")))
        else {
            continue;
        };
        let outside: Vec<String> = tos
            .iter()
            .map(name)
            .filter(|t| *t != *leaf && !t.starts_with(&format!("{leaf}::")))
            .collect();
        assert!(
            outside.is_empty(),
            "{module} is part of the leaf {leaf}, yet imports {outside:?}"
        );
    }
}

#[test]
fn every_file_is_a_module() {
    // A file no `mod` declares is dead code the compiler never sees.
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mods = modules(&src);
    let mut declared: BTreeSet<ModPath> = BTreeSet::new();
    declared.insert(Vec::new());
    for (module, file) in &mods {
        let parsed = syn::parse_file(&std::fs::read_to_string(file).expect("read a module"))
            .expect("parses");
        for item in &parsed.items {
            if let syn::Item::Mod(m) = item
                && m.content.is_none()
            {
                let mut child = module.clone();
                child.push(m.ident.to_string());
                declared.insert(child);
            }
        }
    }
    let orphans: Vec<String> = mods
        .keys()
        .filter(|m| !declared.contains(*m))
        .map(name)
        .collect();
    assert!(orphans.is_empty(), "files no `mod` declares: {orphans:?}");
}

#[test]
fn files_inside_a_module_form_no_cycle() {
    // A parent `mod.rs` and its children are one unit: edges between a module and its
    // ancestors are left out, the rest must be acyclic.
    let files: BTreeMap<ModPath, BTreeSet<ModPath>> = graph()
        .into_iter()
        .map(|(from, tos)| {
            let tos = tos
                .into_iter()
                .filter(|to| !from.starts_with(to) && !to.starts_with(&from))
                .collect();
            (from, tos)
        })
        .collect();
    if let Some(found) = cycle(&files) {
        let found: Vec<String> = found.iter().map(name).collect();
        panic!("a cycle between modules: {}", found.join(" -> "));
    }
}
