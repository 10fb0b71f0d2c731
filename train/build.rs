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
}
