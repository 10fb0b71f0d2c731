//! `sievingnet export`: write the unit (or the baseline) as Verilog.

use anyhow::{anyhow, Result};
use clap::Args;
use sievingnet::design::{Arch, Design};
use sievingnet::export::export_to;
use sievingnet::presets::UnitArgs;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct ExportArgs {
    #[command(flatten)]
    pub unit: UnitArgs,
    /// Architecture: `parallel` takes one pair per clock; `mac` is the exact
    /// multiply-accumulate baseline (same ports, no sieve, counters zero);
    /// `serial` (one kept digit per clock) is not built yet.
    #[arg(long, value_enum, default_value_t = Arch::Parallel)]
    pub arch: Arch,
    /// Name of the top module.
    #[arg(long, default_value = "sieve_dot")]
    pub top: String,
    /// Tie the four counter outputs to zero and leave out the counting logic.
    #[arg(long)]
    pub no_counters: bool,
    /// The same as `--arch mac` (kept for scripts written before it).
    #[arg(long, conflicts_with_all = ["no_counters", "arch"])]
    pub baseline: bool,
    /// Output Verilog file (`.v`); the manifest is written next to it as `.json`.
    #[arg(long)]
    pub out: PathBuf,
}

pub fn run(args: ExportArgs) -> Result<()> {
    let cfg = args.unit.config()?;
    let arch = if args.baseline { Arch::Mac } else { args.arch };
    let design = Design::for_arch(arch, !args.no_counters).map_err(|e| anyhow!(e))?;
    let m = export_to(&cfg, design, &args.top, &args.out)?;
    eprintln!(
        "wrote {} (top {}, {}, latency {}) and its manifest",
        args.out.display(),
        m.top,
        m.design,
        m.latency
    );
    Ok(())
}
