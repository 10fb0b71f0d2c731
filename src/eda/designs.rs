//! What the area flow measures and how: the designs (the default
//! comparison, exported from the RTL, or files exported earlier with their
//! manifests) and the flow's options.

use super::report::Device;
use crate::config::{Coding, UnitConfig};
use crate::design::Design;
use crate::export::export_to;
use crate::presets::mac_area_weight_widths;
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};

/// One unit to measure.
#[derive(Clone, Debug)]
pub struct AreaDesign {
    /// A short unique name, e.g. `sieve-ternary-a8w8`.
    pub name: String,
    /// What it is: `sieve`, `sieve-no-counters`, `exact-mac`, ...
    pub kind: String,
    /// The widths of its ports (and, for the sieve, its coding).
    pub cfg: UnitConfig,
    pub verilog: PathBuf,
    pub top: String,
    /// Synthesize with `synth_ice40 -dsp` (UP5K DSP blocks); such a design is
    /// placed on UP5K only, the one part with DSPs.
    pub dsp: bool,
}

/// How the flow runs.
#[derive(Clone, Debug)]
pub struct AreaOptions {
    /// nextpnr placement seeds; the median Fmax over them is reported.
    pub seeds: Vec<u64>,
    /// Parts to place on (DSP designs go on UP5K only).
    pub devices: Vec<Device>,
    /// nextpnr's target clock (`--freq`), in MHz; timing may fail it
    /// (`--timing-allow-fail`): the achieved Fmax is what is reported.
    pub target_mhz: f64,
    /// Where the intermediate files go (kept for inspection); a temporary
    /// folder when `None`.
    pub work_dir: Option<PathBuf>,
    /// The command line that asked for the report, recorded in it.
    pub command: String,
}

impl Default for AreaOptions {
    fn default() -> Self {
        AreaOptions {
            seeds: vec![1, 2, 3],
            devices: vec![Device::Hx8k, Device::Up5k],
            target_mhz: 200.0,
            work_dir: None,
            command: String::new(),
        }
    }
}

/// The kinds of design in the default comparison.
pub const KINDS: &[&str] = &[
    "sieve",
    "sieve-no-counters",
    "serial",
    "serial-no-counters",
    "exact-mac",
    "exact-mac-dsp",
];

/// Exports the designs of the comparison into `dir`, for each width `b` in
/// `widths` (`a_bits = w_bits = b`, other widths at their defaults): the
/// parallel and serial sieving units in both codings with and without
/// counters, the exact MAC baseline, and the baseline synthesized for the
/// UP5K DSPs; with 8 among the widths, also both MACs at 8-bit activations
/// and each lower weight width of [`crate::presets::MAC_PRESETS`] (the
/// exact unit of a low-precision network). `kinds` keeps only those kinds
/// ([`KINDS`]; empty: all).
pub fn default_designs(widths: &[u32], kinds: &[String], dir: &Path) -> Result<Vec<AreaDesign>> {
    if let Some(bad) = kinds.iter().find(|k| !KINDS.contains(&k.as_str())) {
        bail!("--kinds holds {bad:?}: allowed {}", KINDS.join(", "));
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut v = Vec::new();
    // The exact MAC also at the low weight widths of 8-bit networks.
    let mut shapes: Vec<(u32, u32)> = widths.iter().map(|&b| (b, b)).collect();
    if widths.contains(&8) {
        shapes.extend(mac_area_weight_widths().into_iter().map(|w| (8, w)));
    }
    for (a, w) in shapes {
        let mac_only = a != w;
        let mut add = |kind: &str, coding: Coding, design: Design, dsp: bool| -> Result<()> {
            if !kinds.is_empty() && !kinds.iter().any(|k| k == kind) {
                return Ok(());
            }
            let cfg = UnitConfig::builder()
                .a_bits(a)
                .w_bits(w)
                .coding(coding)
                .build()?;
            let name = if kind.starts_with("sieve") || kind.starts_with("serial") {
                format!("{kind}-{coding}-a{a}w{w}")
            } else {
                format!("{kind}-a{a}w{w}")
            };
            let path = dir.join(format!("{}.v", name.replace('-', "_")));
            export_to(&cfg, design, "sieve_dot", &path)
                .with_context(|| format!("exporting {name}"))?;
            v.push(AreaDesign {
                name,
                kind: kind.to_string(),
                cfg,
                verilog: path,
                top: "sieve_dot".to_string(),
                dsp,
            });
            Ok(())
        };
        for coding in [Coding::Ternary, Coding::Binary] {
            for counters in [true, false] {
                for design in [Design::Sieve { counters }, Design::Serial { counters }] {
                    if !mac_only {
                        add(design.name(), coding, design, false)?;
                    }
                }
            }
        }
        add("exact-mac", Coding::Ternary, Design::ExactMac, false)?;
        add("exact-mac-dsp", Coding::Ternary, Design::ExactMac, true)?;
    }
    Ok(v)
}

/// A design given as a Verilog file with its export manifest (`PATH.json`,
/// which holds the widths, the coding, the top and the design kind).
pub fn design_from_manifest(verilog: &Path) -> Result<AreaDesign> {
    let manifest = verilog.with_extension("json");
    let text = std::fs::read_to_string(&manifest).with_context(|| {
        format!(
            "cannot read {}, the manifest of {}: export the design with `sievingnet export --out {}`",
            manifest.display(),
            verilog.display(),
            verilog.display()
        )
    })?;
    let m: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("{} is not JSON", manifest.display()))?;
    let num = |k: &str| -> Result<u32> {
        m.get(k)
            .and_then(|v| v.as_u64())
            .map(|v| v as u32)
            .with_context(|| format!("{} has no number {k:?}", manifest.display()))
    };
    let coding: Coding = m
        .get("coding")
        .and_then(|v| v.as_str())
        .unwrap_or("ternary")
        .parse()
        .map_err(|e| anyhow::anyhow!("{}: {e}", manifest.display()))?;
    let cfg = UnitConfig::new(
        num("a_bits")?,
        num("w_bits")?,
        num("t_bits")?,
        num("acc_bits")?,
        num("cnt_bits")?,
        coding,
    )
    .map_err(|e| anyhow::anyhow!("{}: {e}", manifest.display()))?;
    let top = m
        .get("top")
        .and_then(|v| v.as_str())
        .unwrap_or("sieve_dot")
        .to_string();
    let kind = m
        .get("design")
        .and_then(|v| v.as_str())
        .unwrap_or("unit")
        .to_string();
    let stem = verilog
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "unit".to_string());
    Ok(AreaDesign {
        name: stem,
        kind,
        cfg,
        verilog: verilog.to_path_buf(),
        top,
        dsp: false,
    })
}
