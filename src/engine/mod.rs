//! The simulation engines behind `sievingnet dot --engine` and
//! `sievingnet infer`: the golden model, the rust-hdl RTL and the exported
//! Verilog, all computing the same results.

pub mod infer;
pub mod mlp;
pub mod verilog;

use crate::config::UnitConfig;
use crate::design::Design;
use crate::export::export;
use crate::model::{run_stream, Pair, VectorResult};
use crate::rtl::sim;
use anyhow::{Context, Result};

/// Which implementation computes a stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Engine {
    /// The golden model.
    Model,
    /// The rust-hdl simulation of the unit (parallel architecture).
    Rtl,
    /// The exported Verilog in Verilator (Icarus when Verilator is missing).
    Verilog,
}

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Engine::Model => "model",
            Engine::Rtl => "rtl",
            Engine::Verilog => "verilog",
        }
    }
}

/// The results of `pairs` (one per vector) on `engine`, for the parallel
/// sieving unit with counters.
pub fn compute(cfg: &UnitConfig, engine: Engine, pairs: &[Pair]) -> Result<Vec<VectorResult>> {
    compute_design(cfg, engine, Design::Sieve { counters: true }, pairs)
}

/// The results of `pairs` on `engine` for a sieving `design` (`parallel` or
/// `serial`, with counters for the SPEC's results). The `rtl` and `verilog`
/// engines also hold every result to the cycle the model predicts for the
/// design (an error otherwise).
pub fn compute_design(
    cfg: &UnitConfig,
    engine: Engine,
    design: Design,
    pairs: &[Pair],
) -> Result<Vec<VectorResult>> {
    Ok(match engine {
        Engine::Model => run_stream(cfg, pairs),
        Engine::Rtl => sim::run_stream(cfg, design, pairs, &sim::Pacing::default())?,
        Engine::Verilog => {
            let dir = tempfile::tempdir().context("cannot create a temporary folder")?;
            let path = dir.path().join("sieve_dot.v");
            let (text, _) = export(cfg, design, "sieve_dot", "sieve_dot.v")?;
            std::fs::write(&path, text)?;
            let report = verilog::simulate(
                cfg,
                &path,
                "sieve_dot",
                pairs,
                &verilog::VerilogSimOptions::default(),
            )?;
            let latencies = sim::result_latencies(cfg, design, pairs);
            report.check_timing(|i| latencies.get(i).copied().unwrap_or(0))?;
            report.results
        }
    })
}
