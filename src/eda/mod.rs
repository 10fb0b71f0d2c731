//! EDA flows: the iCE40 area and timing comparison of the sieving unit with
//! the exact multiply-accumulate baseline (`sievingnet area`, issue 4).
//!
//! * [`area`]: Yosys and nextpnr runs, the JSON report and the markdown table;
//! * [`wrapper`]: the register wrapper that makes Fmax register to register;
//! * [`plot`]: the SVG plot of logic and Fmax against width.
//!
//! The flow works on Verilog files; [`default_designs`] exports the designs
//! to compare with [`crate::export`].

pub mod area;
pub mod plot;
pub mod wrapper;

use crate::config::{Coding, UnitConfig};
use crate::export::{export_to, Arch};
use crate::rtl::Design;
use anyhow::{bail, Context, Result};
use area::{AreaDesign, AreaOptions, Device};
use std::path::{Path, PathBuf};

/// Exports the designs of the comparison into `dir`, for each width `b` in
/// `widths` (`a_bits = w_bits = b`, other widths at their defaults): the
/// parallel sieving unit in both codings with and without counters, the
/// exact MAC baseline, and the baseline synthesized for the UP5K DSPs.
pub fn default_designs(widths: &[u32], dir: &Path) -> Result<Vec<AreaDesign>> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut v = Vec::new();
    for &b in widths {
        let mut add = |kind: &str, coding: Coding, design: Design, dsp: bool| -> Result<()> {
            let cfg = UnitConfig::builder()
                .a_bits(b)
                .w_bits(b)
                .coding(coding)
                .build()?;
            let name = if kind.starts_with("sieve") {
                format!("{kind}-{coding}-a{b}w{b}")
            } else {
                format!("{kind}-a{b}w{b}")
            };
            let path = dir.join(format!("{}.v", name.replace('-', "_")));
            export_to(&cfg, design, Arch::Parallel, "sieve_dot", &path)
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
            add("sieve", coding, Design::Sieve { counters: true }, false)?;
            add(
                "sieve-no-counters",
                coding,
                Design::Sieve { counters: false },
                false,
            )?;
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

/// `sievingnet area`: iCE40 area and timing of the sieving unit against the
/// exact multiply-accumulate baseline. FPGA estimates, not chip area.
#[derive(clap::Args, Debug, Clone)]
pub struct AreaArgs {
    /// Operand widths to compare (a_bits = w_bits), comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "4,8,16")]
    pub widths: Vec<u32>,
    /// nextpnr placement seeds, comma-separated; the median Fmax is reported.
    #[arg(long, value_delimiter = ',', default_value = "1,2,3")]
    pub seeds: Vec<u64>,
    /// Parts to place on: hx8k, up5k (comma-separated), or none to skip
    /// placement.
    #[arg(long, value_delimiter = ',', default_value = "hx8k,up5k")]
    pub devices: Vec<String>,
    /// nextpnr target clock in MHz (the achieved Fmax is reported).
    #[arg(long, default_value_t = 200.0)]
    pub target_mhz: f64,
    /// Measure these exported files (each with its `.json` manifest) instead
    /// of exporting the default designs.
    #[arg(long)]
    pub verilog: Vec<PathBuf>,
    /// Folder for area.json, area.md and area.svg.
    #[arg(long, default_value = "reports/area")]
    pub out: PathBuf,
    /// Keep the exported designs, Yosys netlists and nextpnr logs here.
    #[arg(long)]
    pub work_dir: Option<PathBuf>,
}

/// Runs `sievingnet area`; prints progress on stderr and the table on stdout.
pub fn run_cli(args: AreaArgs) -> Result<()> {
    let devices = args
        .devices
        .iter()
        .filter(|d| d.as_str() != "none")
        .map(|d| d.parse::<Device>())
        .collect::<Result<Vec<_>>>()?;
    for &b in &args.widths {
        if ![4, 8, 16].contains(&b) {
            bail!("--widths holds {b}: the exported unit supports 4, 8 and 16");
        }
    }
    if args.target_mhz.is_nan() || args.target_mhz <= 0.0 {
        bail!(
            "--target-mhz {} must be a positive number of MHz",
            args.target_mhz
        );
    }
    area::tool_versions()?;
    let tmp = tempfile::tempdir()?;
    let work = args
        .work_dir
        .clone()
        .unwrap_or_else(|| tmp.path().to_path_buf());
    let designs = if args.verilog.is_empty() {
        default_designs(&args.widths, &work.join("designs"))?
    } else {
        args.verilog
            .iter()
            .map(|p| design_from_manifest(p))
            .collect::<Result<Vec<_>>>()?
    };
    let opts = AreaOptions {
        seeds: args.seeds.clone(),
        devices,
        target_mhz: args.target_mhz,
        work_dir: Some(work.join("flow")),
    };
    let report = area::run_area(&designs, &opts, |line| eprintln!("area: {line}"))?;
    let files = area::write_report(&report, &args.out)?;
    print!(
        "{}\n{}",
        area::markdown(&report),
        area::markdown_blocks(&report)
    );
    for f in files {
        eprintln!("wrote {}", f.display());
    }
    Ok(())
}
