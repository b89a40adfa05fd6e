//! The shape of the workspace, held by tests (README, "Architecture"): SQL only in the store, no
//! source file over 400 lines, no module that names one that leads back to it (through a `use` or
//! a path anywhere in its code, read with `syn`), and the app's feature folders depending one way.

use std::{
    collections::{BTreeMap, BTreeSet},
    fs,
    path::{Path, PathBuf},
};
use syn::visit::{self, Visit};

/// The crates' source roots, from the `server` package.
const ROOTS: [&str; 4] = ["../app/model/src", "../app/src", "core/src", "src"];
const STORE: &str = "core/src/store";

fn sources(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in fs::read_dir(&folder).expect("a source folder").map(|entry| entry.expect("an entry").path()) {
            if entry.is_dir() {
                folders.push(entry);
            } else if entry.extension().is_some_and(|extension| extension == "rs") {
                files.push(entry);
            }
        }
    }
    files.sort();
    files
}

/// The source without its unit tests (which may build SQL fixtures or import anything).
fn code(path: &Path) -> String {
    let text = fs::read_to_string(path).expect("a readable source file");
    match text.find("#[cfg(test)]\nmod tests") {
        Some(tests) => text[..tests].to_owned(),
        None => text,
    }
}

#[test]
fn sql_is_written_only_in_the_store() {
    let sql = ["sqlx::query", "query_as(", "query_scalar(", "SELECT ", "INSERT INTO", "DELETE FROM", "BEGIN IMMEDIATE"];
    let mut offenders = Vec::new();
    for root in ROOTS {
        for file in sources(Path::new(root)) {
            if file.starts_with(STORE) {
                continue;
            }
            let text = code(&file);
            if let Some(found) = sql.iter().find(|pattern| text.contains(**pattern)) {
                offenders.push(format!("{} ({found})", file.display()));
            }
        }
    }
    assert!(offenders.is_empty(), "SQL outside {STORE}: {offenders:?}");
    assert!(code(Path::new("core/src/store/tokens.rs")).contains("sqlx::query"), "the check reads the store");
}

#[test]
fn no_source_file_is_over_400_lines() {
    let long: Vec<String> = ROOTS
        .iter()
        .flat_map(|root| sources(Path::new(root)))
        .filter_map(|file| {
            let lines = fs::read_to_string(&file).expect("a readable source file").lines().count();
            (lines > 400).then(|| format!("{} ({lines} lines)", file.display()))
        })
        .collect();
    assert!(long.is_empty(), "split these: {long:?}");
}

/// A module's path within its crate (`store::tokens`), from its file.
fn module_path(root: &Path, file: &Path) -> Vec<String> {
    let relative = file.strip_prefix(root).expect("under its root").with_extension("");
    let mut path: Vec<String> = relative.iter().map(|part| part.to_string_lossy().into_owned()).collect();
    if matches!(path.last().map(String::as_str), Some("mod" | "lib" | "main")) {
        path.pop();
    }
    path
}

/// The paths a file names through `crate::` or `super::` anywhere a path can be written: its
/// `use` items (groups expanded), and every path in its code (`crate::web::form_posted(…)`, a type
/// in a signature), each resolved against the module it is written in (inline `mod`s included).
/// Paths inside macros (`view! { … }`) are tokens, not paths, and are not seen.
fn imports(module: &[String], text: &str) -> Vec<Vec<String>> {
    let file = syn::parse_file(text).unwrap_or_else(|error| panic!("`{}` does not parse: {error}", module.join("::")));
    let mut reader = Paths { module: module.to_vec(), found: Vec::new() };
    reader.visit_file(&file);
    reader.found
}

/// Collects the paths [`imports`] names, knowing which module each is written in.
struct Paths {
    module: Vec<String>,
    found: Vec<Vec<String>>,
}

impl Paths {
    /// `segments` resolved: `crate::a::b` is `a::b`, `super::c` the parent's `c` (and
    /// `super::super::d` its parent's `d`); anything else (a crate, a local name) is not a path in
    /// this crate.
    fn resolve(&self, segments: &[String]) -> Option<Vec<String>> {
        let mut path = match segments.first()?.as_str() {
            "crate" => Vec::new(),
            "self" | "super" => self.module.clone(),
            _ => return None,
        };
        let mut rest = &segments[1..];
        if segments[0] == "super" {
            path.pop();
        }
        while let Some((_, after)) = rest.split_first().filter(|(first, _)| *first == "super") {
            path.pop();
            rest = after;
        }
        path.extend(rest.iter().cloned());
        Some(path)
    }

    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(path) => {
                prefix.push(path.ident.to_string());
                self.use_tree(prefix, &path.tree);
                prefix.pop();
            }
            syn::UseTree::Group(group) => group.items.iter().for_each(|item| self.use_tree(prefix, item)),
            syn::UseTree::Name(name) => self.named(prefix, Some(name.ident.to_string())),
            syn::UseTree::Rename(rename) => self.named(prefix, Some(rename.ident.to_string())),
            syn::UseTree::Glob(_) => self.named(prefix, None),
        }
    }

    fn named(&mut self, prefix: &[String], last: Option<String>) {
        let mut segments = prefix.to_vec();
        segments.extend(last.filter(|last| last != "self"));
        if let Some(path) = self.resolve(&segments) {
            self.found.push(path);
        }
    }
}

impl<'a> Visit<'a> for Paths {
    fn visit_item_use(&mut self, item: &'a syn::ItemUse) {
        self.use_tree(&mut Vec::new(), &item.tree);
    }

    fn visit_item_mod(&mut self, item: &'a syn::ItemMod) {
        self.module.push(item.ident.to_string());
        visit::visit_item_mod(self, item);
        self.module.pop();
    }

    fn visit_path(&mut self, path: &'a syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|segment| segment.ident.to_string()).collect();
        if let Some(path) = self.resolve(&segments) {
            self.found.push(path);
        }
        visit::visit_path(self, path);
    }
}

/// Which modules each module names, for the modules of one crate: `files` are (module path, code).
/// A module may name what its ancestors hold; only other branches count.
fn graph(files: &[(Vec<String>, String)]) -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let modules: BTreeSet<Vec<String>> = files.iter().map(|(module, _)| module.clone()).collect();
    let mut graph = BTreeMap::new();
    for (module, text) in files {
        let mut targets = BTreeSet::new();
        for path in imports(module, text) {
            // The longest prefix of the path that is a module of this crate.
            let target = (1..=path.len()).rev().map(|n| path[..n].to_vec()).find(|prefix| modules.contains(prefix));
            if let Some(target) = target.filter(|target| !module.starts_with(target)) {
                targets.insert(target);
            }
        }
        graph.insert(module.clone(), targets);
    }
    graph
}

/// Each module with a module it names that leads back to it.
fn cycles(graph: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for (module, targets) in graph {
        // Everything reachable from each module it names: reaching itself again is a cycle.
        for target in targets {
            let (mut seen, mut stack) = (BTreeSet::new(), vec![target.clone()]);
            while let Some(next) = stack.pop() {
                if &next == module {
                    found.push((module.join("::"), target.join("::")));
                    break;
                }
                if seen.insert(next.clone()) {
                    stack.extend(graph.get(&next).into_iter().flatten().cloned());
                }
            }
        }
    }
    found
}

#[test]
fn no_module_names_one_that_leads_back_to_it() {
    for root in ROOTS.map(Path::new) {
        let files: Vec<(Vec<String>, String)> =
            sources(root).iter().map(|file| (module_path(root, file), code(file))).collect();
        let graph = graph(&files);
        let found: Vec<String> =
            cycles(&graph).iter().map(|(module, target)| format!("`{module}` names `{target}`")).collect();
        assert!(found.is_empty(), "{}: each of these leads back to the module: {found:#?}", root.display());
        assert!(graph.len() > 3, "{} was read", root.display());
    }
}

/// The feature folders of the app crate depend one way: none names a folder that names it.
#[test]
fn the_app_feature_folders_depend_one_way() {
    let root = Path::new("../app/src");
    let files: Vec<(Vec<String>, String)> =
        sources(root).iter().map(|file| (module_path(root, file), code(file))).collect();
    // Each module stands for its top folder (or top-level file); a folder's own modules do not count.
    let folder = |module: &Vec<String>| module.iter().take(1).cloned().collect::<Vec<String>>();
    let mut folders: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for (module, targets) in graph(&files) {
        let targets = targets.iter().map(folder).filter(|target| *target != folder(&module));
        folders.entry(folder(&module)).or_default().extend(targets);
    }
    let found = cycles(&folders);
    assert!(found.is_empty(), "app: these folders lead back to themselves: {found:?}");
}

#[test]
fn a_cycle_through_a_path_in_code_is_seen() {
    let module = |name: &str, text: &str| (vec![name.to_owned()], format!("//! {name}\n{text}"));
    let files = [
        module("error", "pub fn status() -> bool { crate::web::form_posted() }"),
        module("web", "use crate::{\n    state::{WebConfig, Other},\n};\npub fn form_posted() -> bool { true }"),
        module("state", "mod inner {\n    pub fn fail() -> super::super::error::AppError { todo!() }\n}"),
    ];
    let found = cycles(&graph(&files));
    assert_eq!(found.first(), Some(&("error".to_owned(), "web".to_owned())), "error → web → state → error");
    // Without the inline call, nothing leads back.
    let files = [module("error", "pub fn status() -> bool { true }"), files[1].clone(), files[2].clone()];
    assert_eq!(cycles(&graph(&files)), []);
}
