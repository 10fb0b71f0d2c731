//! `sievingnet export`: the Verilog file and its manifest (SPEC section 6);
//! [`mlp`]: the whole-network accelerator (section 9).

pub mod mlp;

use crate::config::{Coding, UnitConfig};
use crate::design::{Arch, Design};
use crate::files::write_atomic_all;
use crate::rtl::generate;
use anyhow::{bail, Result};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// What `export` writes next to the Verilog as `PATH.json`.
#[derive(Clone, Debug, Serialize)]
pub struct Manifest {
    pub format: &'static str,
    pub spec_version: u32,
    pub top: String,
    pub verilog: String,
    pub design: &'static str,
    pub arch: Arch,
    pub counters: bool,
    pub a_bits: u32,
    pub w_bits: u32,
    pub t_bits: u32,
    pub acc_bits: u32,
    pub cnt_bits: u32,
    pub coding: Coding,
    pub planes: u32,
    /// Clock edges from consuming a vector's last pair to its `out_valid`
    /// (for `serial`, the least: see `timing`).
    pub latency: usize,
    /// How the cycles depend on the data, in words.
    pub timing: String,
    /// Pairs accepted per clock at most (`serial`: one per
    /// `max(1, kept digits)` clocks).
    pub pairs_per_clock: u32,
    pub generator: String,
}

/// The manifest path for a Verilog path: `x.v` -> `x.json`.
pub fn manifest_path(verilog: &Path) -> PathBuf {
    verilog.with_extension("json")
}

/// Generates the design and its manifest in memory.
pub fn export(
    cfg: &UnitConfig,
    design: Design,
    top: &str,
    verilog_name: &str,
) -> Result<(String, Manifest)> {
    let text = generate::generate(cfg, design, top)?;
    let latency = design.latency(cfg);
    let manifest = Manifest {
        format: "sievingnet-verilog",
        spec_version: 2,
        top: top.to_string(),
        verilog: verilog_name.to_string(),
        design: design.name(),
        arch: design.arch(),
        counters: design.counters(),
        a_bits: cfg.a_bits(),
        w_bits: cfg.w_bits(),
        t_bits: cfg.t_bits(),
        acc_bits: cfg.acc_bits(),
        cnt_bits: cfg.cnt_bits(),
        coding: cfg.coding(),
        planes: cfg.planes(),
        latency,
        timing: design.timing(cfg),
        pairs_per_clock: 1,
        generator: format!("sievingnet {} (rust-hdl 0.46)", env!("CARGO_PKG_VERSION")),
    };
    Ok((text, manifest))
}

/// Exports to `out` (`.v`) and `out` with `.json`: both or neither. Both
/// targets are checked and both files written beside them first, so a
/// problem with either leaves whatever was there untouched.
pub fn export_to(cfg: &UnitConfig, design: Design, top: &str, out: &Path) -> Result<Manifest> {
    if out.extension().and_then(|e| e.to_str()) != Some("v") {
        bail!(
            "--out {} must end in .v (the manifest goes next to it as .json)",
            out.display()
        );
    }
    let json_path = manifest_path(out);
    let name = out
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("unit.v")
        .to_string();
    let (text, manifest) = export(cfg, design, top, &name)?;
    let json = serde_json::to_string_pretty(&manifest)? + "\n";
    write_atomic_all(&[
        (json_path.as_path(), json.as_bytes()),
        (out, text.as_bytes()),
    ])?;
    Ok(manifest)
}
