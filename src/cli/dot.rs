//! `sievingnet dot`: run streams through the model, the RTL or the Verilog.

use super::UnitArgs;
use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use sievingnet::config::UnitConfig;
use sievingnet::engine::verilog::{run_verilog, VerilogSimOptions};
use sievingnet::export::{export, Arch};
use sievingnet::model::{run_stream, Pair, VectorResult};
use sievingnet::rtl::{sim, Design};
use sievingnet::vectors::parse_pairs;
use std::io::Write;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct DotArgs {
    #[command(flatten)]
    pub unit: UnitArgs,
    /// Which implementation computes the results; all print the same lines.
    #[arg(long, value_enum, default_value_t = Engine::Model)]
    pub engine: Engine,
    /// Input file: one `a,w,thr,last` pair per line, `#` comments allowed.
    #[arg(long)]
    pub input: PathBuf,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// The golden model.
    Model,
    /// The rust-hdl simulation of the unit (parallel architecture).
    Rtl,
    /// The exported Verilog in Verilator (Icarus when Verilator is missing).
    Verilog,
}

/// Results of `pairs` on `engine`.
pub fn compute(cfg: &UnitConfig, engine: Engine, pairs: &[Pair]) -> Result<Vec<VectorResult>> {
    let design = Design::Sieve { counters: true };
    Ok(match engine {
        Engine::Model => run_stream(cfg, pairs),
        Engine::Rtl => sim::run_stream(cfg, design, pairs, &sim::Pacing::default())?,
        Engine::Verilog => {
            let dir = tempfile::tempdir().context("cannot create a temporary folder")?;
            let path = dir.path().join("sieve_dot.v");
            let (text, _) = export(cfg, design, Arch::Parallel, "sieve_dot", "sieve_dot.v")?;
            std::fs::write(&path, text)?;
            run_verilog(cfg, &path, "sieve_dot", pairs, &VerilogSimOptions::default())?
        }
    })
}

pub fn run(args: DotArgs) -> Result<()> {
    let cfg = args.unit.config()?;
    let text = std::fs::read_to_string(&args.input)
        .with_context(|| format!("cannot read input file {}", args.input.display()))?;
    let pairs = parse_pairs(&cfg, &text)
        .with_context(|| format!("bad input in {}", args.input.display()))?;
    let results = compute(&cfg, args.engine, &pairs)?;
    // Print only once everything succeeded: nothing on stdout on error.
    let mut out = String::with_capacity(results.len() * 80);
    for r in &results {
        out.push_str(&r.json_line());
        out.push('\n');
    }
    std::io::stdout().lock().write_all(out.as_bytes())?;
    Ok(())
}
