//! The arrows between modules, checked from the source.
//!
//! Every file under `src/` is parsed (with `syn`) and each path it names that starts with
//! `crate::`, `super::` or `self::` (in `use` items and in expressions and types) becomes an edge
//! from that file to the file of the module the path reaches (the longest known module prefix).
//! A child using its own ancestors (`super::Type` defined in the parent's `mod.rs`) is how Rust
//! nests modules and is not counted; every other edge is. Test code (`#[cfg(test)]` items,
//! `tests.rs` and `*_tests.rs` files) may reach anything and is left out.
//!
//! The rules:
//! - no cycles at all between files: no module imports another that imports it back, directly
//!   or through a ring;
//! - the layers point one way: `vtl ← gateway ← {backend, session} ← {serve, import, app, cli}`,
//!   `ui` and `runtime` on top; `app` never imports `ui` (the model never knows the view);
//! - the domain (everything below `app`) never names `ratatui`, `crossterm` or `tui_textarea`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// A module path such as `gateway::pipeline` (empty for the crate root).
type ModPath = Vec<String>;

struct SourceFile {
    module: ModPath,
    path: PathBuf,
    ast: syn::File,
}

fn is_test_file(path: &Path) -> bool {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    stem == "tests" || stem.ends_with("_tests")
}

fn module_of(src: &Path, file: &Path) -> ModPath {
    let rel = file.strip_prefix(src).expect("under src");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().expect("a file name");
    let stem = last.trim_end_matches(".rs");
    if !matches!(stem, "mod" | "lib" | "main") {
        parts.push(stem.to_string());
    }
    parts
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("read src")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

fn sources() -> Vec<SourceFile> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    collect(&src, &mut files);
    files
        .into_iter()
        .filter(|p| !is_test_file(p) && !p.ends_with("main.rs"))
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("read source");
            let ast = syn::parse_file(&text)
                .unwrap_or_else(|e| panic!("{}: does not parse: {e}", path.display()));
            SourceFile {
                module: module_of(&src, &path),
                path,
                ast,
            }
        })
        .collect()
}

fn is_cfg_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg")
            && a.meta
                .require_list()
                .is_ok_and(|l| l.tokens.to_string().split_whitespace().any(|t| t == "test"))
    })
}

/// The paths one file names, resolved to absolute module paths (`crate` stripped), with the
/// module the path was written in (inline `mod x { .. }` blocks nest it).
struct Paths<'a> {
    here: ModPath,
    file_module: &'a ModPath,
    found: Vec<ModPath>,
    foreign: BTreeSet<String>,
}

impl Paths<'_> {
    fn resolve(&self, segments: &[String]) -> Option<ModPath> {
        let mut base: ModPath;
        let mut rest = segments;
        match rest.first().map(String::as_str) {
            Some("crate") => {
                base = Vec::new();
                rest = &rest[1..];
            }
            Some("self") => {
                base = self.here.clone();
                rest = &rest[1..];
            }
            Some("super") => {
                base = self.here.clone();
                while rest.first().is_some_and(|s| s == "super") {
                    base.pop()?;
                    rest = &rest[1..];
                }
            }
            _ => return None,
        }
        base.extend(rest.iter().cloned());
        Some(base)
    }

    fn push(&mut self, segments: Vec<String>) {
        if let Some(first) = segments.first()
            && matches!(first.as_str(), "ratatui" | "crossterm" | "tui_textarea")
        {
            self.foreign.insert(first.clone());
        }
        if let Some(p) = self.resolve(&segments) {
            self.found.push(p);
        }
    }

    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(prefix, &p.tree);
                prefix.pop();
            }
            syn::UseTree::Name(n) => {
                let mut full = prefix.clone();
                if n.ident != "self" {
                    full.push(n.ident.to_string());
                }
                self.push(full);
            }
            syn::UseTree::Rename(r) => {
                let mut full = prefix.clone();
                if r.ident != "self" {
                    full.push(r.ident.to_string());
                }
                self.push(full);
            }
            syn::UseTree::Glob(_) => self.push(prefix.clone()),
            syn::UseTree::Group(g) => {
                for t in &g.items {
                    self.use_tree(prefix, t);
                }
            }
        }
    }
}

impl<'ast> Visit<'ast> for Paths<'_> {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        let attrs: &[syn::Attribute] = match item {
            syn::Item::Mod(m) => &m.attrs,
            syn::Item::Fn(f) => &f.attrs,
            syn::Item::Impl(i) => &i.attrs,
            syn::Item::Use(u) => &u.attrs,
            syn::Item::Const(c) => &c.attrs,
            syn::Item::Struct(s) => &s.attrs,
            _ => &[],
        };
        if is_cfg_test(attrs) {
            return;
        }
        syn::visit::visit_item(self, item);
    }

    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        if m.content.is_some() {
            self.here.push(m.ident.to_string());
            syn::visit::visit_item_mod(self, m);
            self.here.pop();
        }
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        let mut prefix = Vec::new();
        self.use_tree(&mut prefix, &u.tree);
    }

    fn visit_path(&mut self, p: &'ast syn::Path) {
        if p.leading_colon.is_none() {
            self.push(p.segments.iter().map(|s| s.ident.to_string()).collect());
        }
        syn::visit::visit_path(self, p);
    }
}

struct Graph {
    /// file module → (target file module → an example path written in the source)
    edges: BTreeMap<ModPath, BTreeMap<ModPath, String>>,
    files: BTreeMap<ModPath, PathBuf>,
    foreign: BTreeMap<ModPath, BTreeSet<String>>,
}

fn graph() -> Graph {
    let files = sources();
    let known: BTreeSet<ModPath> = files.iter().map(|f| f.module.clone()).collect();
    let mut g = Graph {
        edges: BTreeMap::new(),
        files: BTreeMap::new(),
        foreign: BTreeMap::new(),
    };
    for f in &files {
        let mut v = Paths {
            here: f.module.clone(),
            file_module: &f.module,
            found: Vec::new(),
            foreign: BTreeSet::new(),
        };
        v.visit_file(&f.ast);
        let _ = v.file_module;
        g.files.insert(f.module.clone(), f.path.clone());
        g.foreign.insert(f.module.clone(), v.foreign);
        let out = g.edges.entry(f.module.clone()).or_default();
        for p in v.found {
            // The file of the longest known module prefix.
            let target = (0..=p.len())
                .rev()
                .map(|n| p[..n].to_vec())
                .find(|m| known.contains(m))
                .unwrap_or_default();
            let is_ancestor = f.module.starts_with(&target);
            if target == f.module || is_ancestor {
                continue;
            }
            out.entry(target).or_insert_with(|| p.join("::"));
        }
    }
    g
}

fn name(m: &ModPath) -> String {
    if m.is_empty() {
        "crate".into()
    } else {
        m.join("::")
    }
}

/// Strongly connected components of more than one file (Tarjan).
fn cycles(edges: &BTreeMap<ModPath, BTreeMap<ModPath, String>>) -> Vec<Vec<ModPath>> {
    struct T<'a> {
        edges: &'a BTreeMap<ModPath, BTreeMap<ModPath, String>>,
        index: BTreeMap<&'a ModPath, usize>,
        low: BTreeMap<&'a ModPath, usize>,
        stack: Vec<&'a ModPath>,
        on: BTreeSet<&'a ModPath>,
        next: usize,
        out: Vec<Vec<ModPath>>,
    }
    fn visit<'a>(t: &mut T<'a>, v: &'a ModPath) {
        t.index.insert(v, t.next);
        t.low.insert(v, t.next);
        t.next += 1;
        t.stack.push(v);
        t.on.insert(v);
        let edges = t.edges;
        for w in edges.get(v).into_iter().flat_map(|m| m.keys()) {
            if !t.index.contains_key(w) {
                if edges.contains_key(w) {
                    visit(t, w);
                    let lw = t.low[w];
                    let lv = t.low.get_mut(v).expect("visited");
                    *lv = (*lv).min(lw);
                }
            } else if t.on.contains(w) {
                let iw = t.index[w];
                let lv = t.low.get_mut(v).expect("visited");
                *lv = (*lv).min(iw);
            }
        }
        if t.low[v] == t.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = t.stack.pop() {
                t.on.remove(w);
                comp.push(w.clone());
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                t.out.push(comp);
            }
        }
    }
    let mut t = T {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in edges.keys() {
        if !t.index.contains_key(v) {
            visit(&mut t, v);
        }
    }
    t.out
}

fn describe(g: &Graph, comp: &[ModPath]) -> String {
    let set: BTreeSet<&ModPath> = comp.iter().collect();
    let mut lines = vec![format!(
        "a ring of {} modules: {}",
        comp.len(),
        comp.iter().map(name).collect::<Vec<_>>().join(", ")
    )];
    for from in comp {
        for (to, example) in &g.edges[from] {
            if set.contains(to) {
                lines.push(format!(
                    "    {} -> {}  (names {example})",
                    g.files[from].display(),
                    name(to)
                ));
            }
        }
    }
    lines.join("\n")
}

#[test]
fn no_module_imports_another_that_imports_it_back() {
    let g = graph();
    assert!(
        g.files.len() > 50,
        "the source was not found ({} files)",
        g.files.len()
    );
    let rings = cycles(&g.edges);
    let text: Vec<String> = rings.iter().map(|c| describe(&g, c)).collect();
    assert!(rings.is_empty(), "{}", text.join("\n"));
}

/// Which top-level layers each layer may name.
const LAYERS: &[(&str, &[&str])] = &[
    ("vtl", &[]),
    ("gateway", &["vtl"]),
    ("backend", &["gateway", "vtl"]),
    ("session", &["gateway", "backend", "vtl"]),
    ("serve", &["session", "gateway", "backend", "vtl"]),
    ("import", &["session", "gateway", "backend", "vtl"]),
    ("lint", &["session", "gateway", "backend", "vtl"]),
    (
        "app",
        &[
            "serve", "import", "lint", "session", "gateway", "backend", "vtl",
        ],
    ),
    (
        "ui",
        &[
            "app", "serve", "import", "session", "gateway", "backend", "vtl",
        ],
    ),
    (
        "runtime",
        &[
            "ui", "app", "serve", "import", "session", "gateway", "backend", "vtl",
        ],
    ),
    (
        "cli",
        &[
            "runtime", "ui", "app", "serve", "import", "lint", "session", "gateway", "backend",
            "vtl",
        ],
    ),
];

#[test]
fn the_layers_point_one_way() {
    let g = graph();
    let mut wrong = Vec::new();
    for (from, targets) in &g.edges {
        let Some(layer) = from.first() else { continue };
        let Some((_, allowed)) = LAYERS.iter().find(|(l, _)| l == layer) else {
            wrong.push(format!(
                "{}: the layer `{layer}` is not in this test's table",
                g.files[from].display()
            ));
            continue;
        };
        for (to, example) in targets {
            let Some(other) = to.first() else { continue };
            if other != layer && !allowed.contains(&other.as_str()) {
                wrong.push(format!(
                    "{}: `{layer}` may not name `{other}` (names {example})",
                    g.files[from].display()
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The domain (everything below `app`) never names the terminal crates.
#[test]
fn the_domain_never_knows_the_terminal() {
    let g = graph();
    let mut wrong = Vec::new();
    for (m, foreign) in &g.foreign {
        let layer = m.first().map(String::as_str).unwrap_or("");
        let domain = matches!(
            layer,
            "vtl" | "gateway" | "backend" | "session" | "serve" | "import"
        );
        if !foreign.is_empty() && domain {
            wrong.push(format!(
                "{}: names {}",
                g.files[m].display(),
                foreign.iter().cloned().collect::<Vec<_>>().join(", ")
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
