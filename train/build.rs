//! Build script: the `has_mnist` cfg for tests that need the MNIST files, and
//! the versions of the main dependencies (read from the workspace
//! `Cargo.lock`) so that logs can record them.

use std::path::Path;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(has_mnist)");
    println!("cargo::rerun-if-env-changed=SIEVINGNET_MNIST_DIR");
    if std::env::var_os("SIEVINGNET_MNIST_DIR").is_some_and(|v| !v.is_empty()) {
        println!("cargo::rustc-cfg=has_mnist");
    }

    let lock = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.lock");
    println!("cargo::rerun-if-changed={}", lock.display());
    let text = std::fs::read_to_string(&lock).unwrap_or_default();
    let mut versions = Vec::new();
    for want in [
        "matrixmultiply",
        "rayon",
        "rand_chacha",
        "flate2",
        "plotters",
        "indicatif",
        "serde_json",
    ] {
        let mut lines = text.lines();
        let mut found = "unknown".to_string();
        while let Some(l) = lines.next() {
            if l == format!("name = \"{want}\"") {
                if let Some(v) = lines.next().and_then(|v| v.strip_prefix("version = ")) {
                    found = v.trim_matches('"').to_string();
                }
                break;
            }
        }
        versions.push(format!("{want}={found}"));
    }
    println!(
        "cargo::rustc-env=SIEVINGNET_TRAIN_DEP_VERSIONS={}",
        versions.join(",")
    );

    // The compiler, for the logs.
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let version = std::process::Command::new(rustc)
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "unknown".into());
    println!("cargo::rustc-env=SIEVINGNET_RUSTC_VERSION={version}");

    // A hash of the code that decides what training produces (the trainer
    // and the library's model, configuration and ROM code): caches of
    // trained networks are keyed on it, so a code change retrains them.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["src", "../src/model", "../src/rom"] {
        collect_rs(&root.join(dir), &mut files);
    }
    files.push(root.join("../src/config.rs"));
    files.push(root.join("Cargo.toml"));
    files.sort();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for f in &files {
        println!("cargo::rerun-if-changed={}", f.display());
        let body = std::fs::read(f).unwrap_or_default();
        let name = f
            .strip_prefix(root)
            .unwrap_or(f)
            .to_string_lossy()
            .into_owned();
        for &b in name.as_bytes().iter().chain(&body) {
            h ^= b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    println!("cargo::rustc-env=SIEVINGNET_TRAIN_SOURCE_HASH={h:016x}");
}

fn collect_rs(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    println!("cargo::rerun-if-changed={}", dir.display());
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect_rs(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}
