//! `sievingnet export`: the Verilog file and its manifest (SPEC section 6).

use crate::config::UnitConfig;
use crate::rtl::{verilog, Design};
use anyhow::{bail, Context, Result};
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The unit's architecture.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Arch {
    /// One pair per clock, pipelined adder tree.
    Parallel,
    /// One plane per clock (not built).
    Serial,
}

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
    pub coding: crate::config::Coding,
    pub planes: u32,
    /// Clock edges from consuming a vector's last pair to its `out_valid`.
    pub latency: usize,
    /// Pairs accepted per clock (in_ready is always high).
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
    arch: Arch,
    top: &str,
    verilog_name: &str,
) -> Result<(String, Manifest)> {
    if arch == Arch::Serial {
        bail!("--arch serial is not built yet: use --arch parallel (one pair per clock)");
    }
    let text = verilog::generate(cfg, design, top)?;
    let manifest = Manifest {
        format: "sievingnet-verilog",
        spec_version: 1,
        top: top.to_string(),
        verilog: verilog_name.to_string(),
        design: design.name(),
        arch,
        counters: matches!(design, Design::Sieve { counters: true }),
        a_bits: cfg.a_bits,
        w_bits: cfg.w_bits,
        t_bits: cfg.t_bits,
        acc_bits: cfg.acc_bits,
        cnt_bits: cfg.cnt_bits,
        coding: cfg.coding,
        planes: cfg.planes(),
        latency: design.latency(cfg),
        pairs_per_clock: 1,
        generator: format!("sievingnet {} (rust-hdl 0.46)", env!("CARGO_PKG_VERSION")),
    };
    Ok((text, manifest))
}

/// Writes `contents` to `path` atomically: a temporary file in the same
/// folder, renamed into place, so a failure leaves nothing half-written.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        bail!("folder {} does not exist: create it first", dir.display());
    }
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    tmp.write_all(contents)?;
    // Temporary files are created private (0600); results are for sharing.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    tmp.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Exports to `out` (`.v`) and `out` with `.json`; both or neither.
pub fn export_to(
    cfg: &UnitConfig,
    design: Design,
    arch: Arch,
    top: &str,
    out: &Path,
) -> Result<Manifest> {
    if out.extension().and_then(|e| e.to_str()) != Some("v") {
        bail!(
            "--out {} must end in .v (the manifest goes next to it as .json)",
            out.display()
        );
    }
    let name = out
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("unit.v")
        .to_string();
    let (text, manifest) = export(cfg, design, arch, top, &name)?;
    let json = serde_json::to_string_pretty(&manifest)? + "\n";
    write_atomic(out, text.as_bytes())?;
    if let Err(e) = write_atomic(&manifest_path(out), json.as_bytes()) {
        let _ = std::fs::remove_file(out);
        return Err(e);
    }
    Ok(manifest)
}
