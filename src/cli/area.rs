//! `sievingnet area`: the iCE40 area and timing report.

use anyhow::{bail, Result};
use sievingnet::eda::{self, default_designs, design_from_manifest, AreaOptions, Device};
use sievingnet::presets::area_widths;
use std::path::PathBuf;

/// `sievingnet area`: iCE40 area and timing of the sieving unit against the
/// exact multiply-accumulate baseline. FPGA estimates, not chip area.
#[derive(clap::Args, Debug, Clone)]
pub struct AreaArgs {
    /// Operand widths to compare (a_bits = w_bits), comma-separated
    /// [default: the presets marked for area, `sievingnet presets`].
    #[arg(long, value_delimiter = ',')]
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
    /// Only these kinds of the default designs, comma-separated: sieve,
    /// sieve-no-counters, serial, serial-no-counters, exact-mac,
    /// exact-mac-dsp [default: all].
    #[arg(long, value_delimiter = ',')]
    pub kinds: Vec<String>,
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
pub fn run(args: AreaArgs) -> Result<()> {
    let devices = args
        .devices
        .iter()
        .filter(|d| d.as_str() != "none")
        .map(|d| d.parse::<Device>())
        .collect::<Result<Vec<_>>>()?;
    let all = area_widths();
    let widths = if args.widths.is_empty() {
        all.clone()
    } else {
        args.widths.clone()
    };
    for &b in &widths {
        if !all.contains(&b) {
            bail!(
                "--widths holds {b}: the area presets have widths {all:?} (`sievingnet presets`)"
            );
        }
    }
    if args.target_mhz.is_nan() || args.target_mhz <= 0.0 {
        bail!(
            "--target-mhz {} must be a positive number of MHz",
            args.target_mhz
        );
    }
    eda::area::tool_versions(!devices.is_empty())?;
    let (_tmp, work) = super::work_folder(&args.work_dir)?;
    let designs = if args.verilog.is_empty() {
        default_designs(&widths, &args.kinds, &work.join("designs"))?
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
        command: super::command_line(),
    };
    let report = eda::run_area(&designs, &opts, |line| eprintln!("area: {line}"))?;
    let files = eda::write_report(&report, &args.out)?;
    print!(
        "{}\n{}",
        eda::markdown::markdown(&report),
        eda::markdown::markdown_blocks(&report)
    );
    for f in files {
        eprintln!("wrote {}", f.display());
    }
    Ok(())
}
