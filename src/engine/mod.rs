//! The simulation engines behind `sievingnet dot --engine` and
//! `sievingnet infer`: the golden model, the rust-hdl RTL and the exported
//! Verilog, all computing the same results.

pub mod infer;
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

/// The results of `pairs` (one per vector) on `engine`, for the sieving
/// unit with counters. The `rtl` and `verilog` engines also hold every
/// result to the design's latency (an error otherwise).
pub fn compute(cfg: &UnitConfig, engine: Engine, pairs: &[Pair]) -> Result<Vec<VectorResult>> {
    let design = Design::Sieve { counters: true };
    Ok(match engine {
        Engine::Model => run_stream(cfg, pairs),
        Engine::Rtl => sim::run_stream(cfg, design, pairs, &sim::Pacing::default())?,
        Engine::Verilog => {
            let dir = tempfile::tempdir().context("cannot create a temporary folder")?;
            let path = dir.path().join("sieve_dot.v");
            let (text, manifest) = export(cfg, design, "sieve_dot", "sieve_dot.v")?;
            std::fs::write(&path, text)?;
            let report = verilog::simulate(
                cfg,
                &path,
                "sieve_dot",
                pairs,
                &verilog::VerilogSimOptions::default(),
            )?;
            let latency = manifest.latency as u64;
            report.check_timing(|_| latency)?;
            report.results
        }
    })
}
