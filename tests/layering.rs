//! The shape of the code: imports go from higher layers to lower ones only,
//! sibling files of a module import each other without cycles, no Rust
//! source file is over 700 lines, and the README's layout table names every
//! module and folder that exists (and nothing that does not).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The layer of each top-level module of the library, ground first. A file
/// may use its own layer and the ones below it.
const LAYERS: &[&[&str]] = &[
    &["config", "files", "seed", "toolchain"],
    &["design", "model", "presets", "vectors"],
    &["rom", "dataflow"],
    &["rtl", "export"],
    &["engine"],
    &["eda"],
    &["power"],
    &["cli"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The top-level module a file of `src/` belongs to (`cli` for the binary).
fn module_of(file: &Path) -> String {
    let rel = file.strip_prefix(root().join("src")).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    match first.as_ref() {
        "main.rs" => "cli".to_string(),
        f => f.trim_end_matches(".rs").to_string(),
    }
}

/// Code without comments (`//` to the end of the line), so that doc links
/// to higher layers do not count as imports.
fn code_of(text: &str) -> String {
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The library modules a piece of code names: `crate::x`, `$crate::x` and,
/// in the binary, `sievingnet::x`.
fn referenced_modules(code: &str, in_binary: bool) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let prefixes: &[&str] = if in_binary {
        &["sievingnet::"]
    } else {
        &["crate::"]
    };
    for prefix in prefixes {
        for (i, _) in code.match_indices(prefix) {
            // `sievingnet_train::` and `my_crate::` are other names.
            let before = code[..i].chars().last();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let rest = &code[i + prefix.len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.insert(name);
            }
        }
    }
    out
}

#[test]
fn no_import_goes_to_a_higher_layer() {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    let mut violations = Vec::new();
    for f in &files {
        let module = module_of(f);
        if module == "lib" {
            continue; // the crate root declares the modules
        }
        let own = layer_of(&module)
            .unwrap_or_else(|| panic!("{}: module {module} has no layer in LAYERS", f.display()));
        let code = code_of(&std::fs::read_to_string(f).unwrap());
        for used in referenced_modules(&code, module == "cli") {
            let Some(layer) = layer_of(&used) else {
                continue; // an item of the crate root, e.g. `crate::UnitConfig`
            };
            if layer > own {
                violations.push(format!(
                    "{} ({module}, layer {own}) uses {used} (layer {layer})",
                    f.strip_prefix(root()).unwrap().display()
                ));
            }
        }
    }
    assert!(
        violations.is_empty(),
        "imports up the layers:\n{}",
        violations.join("\n")
    );
}

/// Within each module folder, the files (siblings) import each other
/// without a cycle: the folder reads as a list from the top down.
#[test]
fn sibling_files_import_without_cycles() {
    let src = root().join("src");
    for entry in std::fs::read_dir(&src).unwrap() {
        let dir = entry.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        let top = dir.file_name().unwrap().to_string_lossy().into_owned();
        let mut files = Vec::new();
        rust_files(&dir, &mut files);
        let stem = |p: &Path| p.file_stem().unwrap().to_string_lossy().into_owned();
        let siblings: BTreeSet<String> = files
            .iter()
            .filter(|p| p.parent() == Some(dir.as_path()) && stem(p) != "mod")
            .map(|p| stem(p))
            .collect();
        let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for f in &files {
            // A file in a sub-folder belongs to the sibling named by the folder.
            let rel = f.strip_prefix(&dir).unwrap();
            let first = rel
                .components()
                .next()
                .unwrap()
                .as_os_str()
                .to_string_lossy();
            let me = first.trim_end_matches(".rs").to_string();
            if !siblings.contains(&me) {
                continue;
            }
            let code = code_of(&std::fs::read_to_string(f).unwrap());
            for s in &siblings {
                let uses = [
                    format!("super::{s}::"),
                    format!("super::{s};"),
                    format!("super::{{{s}"),
                    format!("crate::{top}::{s}::"),
                ]
                .iter()
                .any(|p| code.contains(p.as_str()))
                    || code.contains("use super::{") && {
                        // `use super::{a, b::C}`: the names in the braces.
                        code.split("use super::{").skip(1).any(|rest| {
                            let list = rest.split('}').next().unwrap_or("");
                            list.split(',').any(|n| {
                                let n = n.trim();
                                n == s || n.starts_with(&format!("{s}::"))
                            })
                        })
                    };
                if uses && *s != me {
                    edges.entry(me.clone()).or_default().insert(s.clone());
                }
            }
        }
        // Depth-first search for a cycle.
        fn visit(
            n: &str,
            edges: &BTreeMap<String, BTreeSet<String>>,
            stack: &mut Vec<String>,
            done: &mut BTreeSet<String>,
        ) -> Option<Vec<String>> {
            if let Some(i) = stack.iter().position(|x| x == n) {
                let mut cycle = stack[i..].to_vec();
                cycle.push(n.to_string());
                return Some(cycle);
            }
            if done.contains(n) {
                return None;
            }
            stack.push(n.to_string());
            for m in edges.get(n).into_iter().flatten() {
                if let Some(c) = visit(m, edges, stack, done) {
                    return Some(c);
                }
            }
            stack.pop();
            done.insert(n.to_string());
            None
        }
        let mut done = BTreeSet::new();
        for s in &siblings {
            if let Some(cycle) = visit(s, &edges, &mut Vec::new(), &mut done) {
                panic!(
                    "src/{top}: the files import each other in a cycle: {}",
                    cycle.join(" -> ")
                );
            }
        }
    }
}

#[test]
fn no_rust_file_is_over_700_lines() {
    let mut files = Vec::new();
    for dir in ["src", "tests", "benches", "train/src", "train/tests"] {
        rust_files(&root().join(dir), &mut files);
    }
    let long: Vec<String> = files
        .iter()
        .map(|f| (f, std::fs::read_to_string(f).unwrap().lines().count()))
        .filter(|(_, n)| *n > 700)
        .map(|(f, n)| format!("{} ({n} lines)", f.strip_prefix(root()).unwrap().display()))
        .collect();
    assert!(long.is_empty(), "split these along their seams: {long:?}");
}

/// The paths of the README's layout table (the first column, in backticks).
fn layout_paths() -> Vec<String> {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let section = readme
        .split("\n## Layout\n")
        .nth(1)
        .expect("README.md has a ## Layout section");
    let section = section.split("\n## ").next().unwrap();
    let mut paths = Vec::new();
    for line in section.lines().filter(|l| l.starts_with("| `")) {
        let first = line.split('|').nth(1).unwrap();
        for part in first.split('`').skip(1).step_by(2) {
            paths.push(part.to_string());
        }
    }
    paths
}

#[test]
fn readme_layout_matches_the_tree() {
    let paths = layout_paths();
    assert!(paths.len() > 10, "{paths:?}");
    for p in &paths {
        assert!(
            root().join(p).exists(),
            "README.md's layout names {p}, which does not exist"
        );
    }
    let named = |p: &str| paths.iter().any(|x| x.trim_end_matches('/') == p);
    // Every library module and every top-level folder of the repository.
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(root().join("src")).unwrap() {
        let p = entry.unwrap().path();
        let rel = format!("src/{}", p.file_name().unwrap().to_string_lossy());
        if rel == "src/lib.rs" || rel == "src/main.rs" {
            continue;
        }
        if !named(&rel) {
            missing.push(rel);
        }
    }
    for dir in [
        "hdl", "sim", "scripts", "tests", "benches", "train", "docs", "reports",
    ] {
        if !named(dir) {
            missing.push(dir.to_string());
        }
    }
    assert!(
        missing.is_empty(),
        "README.md's layout does not name {missing:?}"
    );
}

#[test]
fn the_checker_sees_imports() {
    let code = code_of(
        "use crate::eda::x; // crate::cli\nlet a = sievingnet_train::y; sievingnet::rtl::z",
    );
    assert_eq!(
        referenced_modules(&code, false),
        BTreeSet::from(["eda".to_string()])
    );
    assert_eq!(
        referenced_modules(&code, true),
        BTreeSet::from(["rtl".to_string()])
    );
}
