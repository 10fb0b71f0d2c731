//! `sievingnet export`: write the unit (or the baseline) as Verilog.

use super::UnitArgs;
use anyhow::Result;
use clap::{Args, ValueEnum};
use sievingnet::export::{export_to, Arch};
use sievingnet::rtl::Design;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct ExportArgs {
    #[command(flatten)]
    pub unit: UnitArgs,
    /// Architecture: `parallel` takes one pair per clock.
    #[arg(long, value_enum, default_value_t = ArchArg::Parallel)]
    pub arch: ArchArg,
    /// Name of the top module.
    #[arg(long, default_value = "sieve_dot")]
    pub top: String,
    /// Tie the four counter outputs to zero and leave out the counting logic.
    #[arg(long)]
    pub no_counters: bool,
    /// Export the exact multiply-accumulate baseline (same ports, no sieve) instead.
    #[arg(long, conflicts_with = "no_counters")]
    pub baseline: bool,
    /// Output Verilog file (`.v`); the manifest is written next to it as `.json`.
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArchArg {
    /// One pair per clock, pipelined adder tree.
    Parallel,
    /// One plane per clock (not built yet).
    Serial,
}

pub fn run(args: ExportArgs) -> Result<()> {
    let cfg = args.unit.config()?;
    let arch = match args.arch {
        ArchArg::Parallel => Arch::Parallel,
        ArchArg::Serial => Arch::Serial,
    };
    let design = if args.baseline {
        Design::ExactMac
    } else {
        Design::Sieve {
            counters: !args.no_counters,
        }
    };
    let m = export_to(&cfg, design, arch, &args.top, &args.out)?;
    eprintln!(
        "wrote {} (top {}, {}, latency {}) and its manifest",
        args.out.display(),
        m.top,
        m.design,
        m.latency
    );
    Ok(())
}
