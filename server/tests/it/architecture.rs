//! The shape of the workspace, held by tests (README, "Architecture"): SQL only in the store, no
//! source file over 400 lines, and no module that imports one that imports it back.

use std::{
    collections::{BTreeMap, BTreeSet},
    fs,
    path::{Path, PathBuf},
};

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

/// The paths a file's `use` items name through `crate::` or `super::`, resolved against the file's
/// own module, with braces expanded one level (`crate::{a::b, c}` names `a::b` and `c`).
fn imports(module: &[String], text: &str) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let mut statements = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let line = line.trim_start();
        let Some(start) = line.strip_prefix("use ").or_else(|| line.strip_prefix("pub use ")) else { continue };
        let mut statement = start.to_owned();
        while !statement.contains(';') {
            let Some(more) = lines.next() else { break };
            statement.push_str(more);
        }
        statements.push(statement.split(';').next().unwrap_or_default().to_owned());
    }
    for statement in statements {
        let statement: String = statement.chars().filter(|c| !c.is_whitespace()).collect();
        let (base, rest) = if let Some(rest) = statement.strip_prefix("crate::") {
            (Vec::new(), rest)
        } else if let Some(rest) = statement.strip_prefix("super::") {
            (module[..module.len().saturating_sub(1)].to_vec(), rest)
        } else {
            continue;
        };
        let items: Vec<&str> = match rest.strip_prefix('{').and_then(|inner| inner.strip_suffix('}')) {
            Some(inner) => {
                let (mut items, mut depth, mut start) = (Vec::new(), 0, 0);
                for (at, c) in inner.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' => depth -= 1,
                        ',' if depth == 0 => {
                            items.push(&inner[start..at]);
                            start = at + 1;
                        }
                        _ => {}
                    }
                }
                items.push(&inner[start..]);
                items
            }
            None => vec![rest],
        };
        for item in items.into_iter().filter(|item| !item.is_empty()) {
            let mut path = base.clone();
            path.extend(item.split("::").map(|part| part.trim_matches(|c| c == '{' || c == '}').to_owned()));
            found.push(path);
        }
    }
    found
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    for root in ROOTS.map(Path::new) {
        let files = sources(root);
        let modules: BTreeSet<Vec<String>> = files.iter().map(|file| module_path(root, file)).collect();
        let mut graph: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
        for file in &files {
            let module = module_path(root, file);
            let mut targets = BTreeSet::new();
            for path in imports(&module, &code(file)) {
                // The longest prefix of the path that is a module of this crate.
                let target = (1..=path.len()).rev().map(|n| path[..n].to_vec()).find(|prefix| modules.contains(prefix));
                // A module may use what its ancestors hold; only other branches count.
                if let Some(target) = target.filter(|target| !module.starts_with(target)) {
                    targets.insert(target);
                }
            }
            graph.insert(module, targets);
        }
        for (module, targets) in &graph {
            // Everything reachable from each module it imports: reaching itself again is a cycle.
            for target in targets {
                let (mut seen, mut stack) = (BTreeSet::new(), vec![target.clone()]);
                while let Some(next) = stack.pop() {
                    assert!(
                        &next != module,
                        "{}: `{}` imports `{}`, which leads back to it",
                        root.display(),
                        module.join("::"),
                        target.join("::")
                    );
                    if seen.insert(next.clone()) {
                        stack.extend(graph.get(&next).into_iter().flatten().cloned());
                    }
                }
            }
        }
        assert!(graph.len() > 3, "{} was read", root.display());
    }
}

#[test]
fn the_import_reader_sees_a_cycle() {
    let a = vec!["a".to_owned()];
    let text = "//! A module.\nuse crate::{\n    b::{C, D},\n    e,\n};\nmod inner {\n    pub use super::f::G;\n    use std::fmt;\n}";
    let named: Vec<String> = imports(&a, text).iter().map(|path| path[0].clone()).collect();
    assert_eq!(named, ["b", "e", "f"]);
}
