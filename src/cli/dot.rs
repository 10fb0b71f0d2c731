//! `sievingnet dot`: run streams through the model, the RTL or the Verilog.

use anyhow::{Context, Result};
use clap::Args;
use sievingnet::design::{Arch, Design};
use sievingnet::engine::{compute_design, Engine};
use sievingnet::presets::UnitArgs;
use sievingnet::vectors::parse_pairs_bytes;
use std::io::Write;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct DotArgs {
    #[command(flatten)]
    pub unit: UnitArgs,
    /// Which implementation computes the results; all print the same lines.
    #[arg(long, value_enum, default_value_t = Engine::Model)]
    pub engine: Engine,
    /// The sieving unit behind the `rtl` and `verilog` engines: `parallel`
    /// or `serial` (the same results, other clocks).
    #[arg(long, value_enum, default_value_t = Arch::Parallel)]
    pub arch: Arch,
    /// Input file: one `a,w,thr,last` pair per line, `#` comments allowed.
    #[arg(long)]
    pub input: PathBuf,
}

pub fn run(args: DotArgs) -> Result<()> {
    let cfg = args.unit.config()?;
    let bytes = std::fs::read(&args.input)
        .with_context(|| format!("cannot read input file {}", args.input.display()))?;
    let pairs = parse_pairs_bytes(&cfg, &bytes)
        .with_context(|| format!("bad input in {}", args.input.display()))?;
    if args.arch == Arch::Mac {
        anyhow::bail!(
            "--arch mac computes the exact product, not the sieve, so its lines are not the SPEC's: \
             dot runs --arch parallel or serial (export --arch mac for the baseline)"
        );
    }
    let design = Design::for_arch(args.arch, true).map_err(anyhow::Error::msg)?;
    let results = compute_design(&cfg, args.engine, design, &pairs)?;
    // Print only once everything succeeded: nothing on stdout on error.
    let mut out = String::with_capacity(results.len() * 80);
    for r in &results {
        out.push_str(&r.json_line());
        out.push('\n');
    }
    std::io::stdout().lock().write_all(out.as_bytes())?;
    Ok(())
}
