//! The `verilog` engine: runs a Verilog file whose top module has the SPEC
//! section 6 ports in a Verilog simulator and returns its results with the
//! cycle of each one.
//!
//! * `verilator` (preferred): the file is compiled once with
//!   `sim/verilator_main.cpp` (embedded in this crate) into a build directory
//!   named by a hash of everything that goes into it, so repeated runs and
//!   parallel tests share one build. Pairs go in and results come out as
//!   binary files.
//! * `icarus` (fallback, or on request): `sim/tb_sieve_dot.v` with a
//!   `$readmemh` vector file.
//!
//! Both drivers follow the same rules: a pair is consumed at a rising edge
//! where `reset` is low and `in_valid && in_ready` (the driver holds it until
//! then), seeded random idle cycles before each pair, a reset before the
//! first pair with randomized register state, outputs sampled just before
//! each rising edge. A pair listed in [`VerilogSimOptions::resets_before`]
//! makes the driver wait until every finished vector has come out, then hold
//! `reset` for 1 to 3 cycles (with `in_valid` high and random data, which must
//! not be consumed): the partial vector in flight is dropped, and
//! [`crate::model::stream::expected_results`] gives the golden model's
//! answer for such a run. Both drivers record the cycle at which each
//! vector's last pair was consumed and the cycle of each `out_valid`, so
//! [`SimReport::check_timing`] holds every result to the design's latency;
//! both run 64 idle cycles after the last result, so an extra result shows.

mod icarus;
mod verilator;

pub use icarus::encode_pairs_hex;
pub use verilator::{
    encode_pairs, run_built, verilator_build, verilator_build_with, Harness, UNIT_HARNESS,
    VERILATOR_DRIVER,
};

use crate::config::UnitConfig;
use crate::model::{Pair, VectorResult};
use crate::toolchain::{require_tool, tool_available, INSTALL_HINT};
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Which Verilog simulator runs the unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Simulator {
    /// Verilator if installed, else Icarus; the environment variable
    /// `SIEVINGNET_SIMULATOR=verilator|icarus` overrides the choice.
    Auto,
    Verilator,
    Icarus,
}

impl Simulator {
    pub fn name(self) -> &'static str {
        match self {
            Simulator::Auto => "auto",
            Simulator::Verilator => "verilator",
            Simulator::Icarus => "icarus",
        }
    }
}

impl std::str::FromStr for Simulator {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "auto" => Ok(Simulator::Auto),
            "verilator" => Ok(Simulator::Verilator),
            "icarus" | "iverilog" => Ok(Simulator::Icarus),
            other => bail!("simulator = {other:?} is not known: allowed auto, verilator or icarus"),
        }
    }
}

/// How a simulation drives the unit.
#[derive(Clone, Debug)]
pub struct VerilogSimOptions {
    pub simulator: Simulator,
    /// Probability of an idle cycle before each pair, drawn again after each
    /// idle cycle (so the gap length is geometric); 0 = back to back. Must be
    /// in `[0, 1)`.
    pub gap_prob: f64,
    /// Seed of the driver's random gaps, reset data and initial register state.
    pub seed: u64,
    /// Indices of pairs before which the driver resets the unit (reset in
    /// mid-vector test mode). Sorted or not; each index below `pairs.len()`.
    pub resets_before: Vec<usize>,
    /// Where Verilator builds are cached; default: the environment variable
    /// `SIEVINGNET_SIM_CACHE`, else `target/verilator-cache` of this crate.
    pub build_dir: Option<PathBuf>,
    /// How many cycles the driver waits for an outstanding result, or for
    /// `in_ready`, before it gives up with a timeout error.
    pub max_wait: u64,
}

impl Default for VerilogSimOptions {
    fn default() -> Self {
        VerilogSimOptions {
            simulator: Simulator::Auto,
            gap_prob: 0.0,
            seed: 1,
            resets_before: Vec::new(),
            build_dir: None,
            max_wait: 100_000,
        }
    }
}

/// A finished simulation: the results and what it cost.
#[derive(Clone, Debug)]
pub struct SimReport {
    /// One entry per `out_valid` cycle after the initial reset, in order.
    pub results: Vec<VectorResult>,
    /// The cycle of each result: clock edges from the end of the initial
    /// reset to the edge after which `out_valid` was high.
    pub result_cycles: Vec<u64>,
    /// The cycle of each consumed pair with `last`: the number of the edge
    /// that consumed it, counted like `result_cycles`.
    pub last_cycles: Vec<u64>,
    /// The simulator that ran.
    pub simulator: Simulator,
    /// Clock cycles simulated, including the initial reset and the tail.
    pub cycles: u64,
    /// Pairs consumed by the unit.
    pub pairs: u64,
    /// Resets in mid-vector performed.
    pub resets: u64,
    /// Seconds inside the simulation loop (Verilator: measured by the driver;
    /// Icarus: the `vvp` run).
    pub sim_seconds: f64,
    /// Processor seconds inside the simulation loop (Verilator only; equal to
    /// `sim_seconds` for Icarus). Steadier than `sim_seconds` on a busy machine.
    pub sim_cpu_seconds: f64,
    /// Seconds spent building (0 when the Verilator build was cached).
    pub build_seconds: f64,
    /// Seconds of the whole call, build and file I/O included.
    pub total_seconds: f64,
}

/// Runs `pairs` through the unit in `verilog` (top module `top`) and returns
/// one result per `out_valid` cycle. Compare it with [`expected_results`](crate::model::stream::expected_results).
pub fn run_verilog(
    cfg: &UnitConfig,
    verilog: &Path,
    top: &str,
    pairs: &[Pair],
    opts: &VerilogSimOptions,
) -> Result<Vec<VectorResult>> {
    Ok(simulate(cfg, verilog, top, pairs, opts)?.results)
}

impl SimReport {
    /// Checks that result `i` came exactly `latency(i)` edges after the edge
    /// that consumed vector `i`'s last pair, and that there is one result
    /// per consumed vector (no extra, none missing). Resets in mid-vector
    /// drop only partial vectors, whose last pair was never consumed.
    pub fn check_timing(&self, latency: impl Fn(usize) -> u64) -> Result<()> {
        crate::design::check_result_timing(&self.last_cycles, &self.result_cycles, latency)
    }
}

/// Like [`run_verilog`], with the run's statistics.
pub fn simulate(
    cfg: &UnitConfig,
    verilog: &Path,
    top: &str,
    pairs: &[Pair],
    opts: &VerilogSimOptions,
) -> Result<SimReport> {
    let t0 = Instant::now();
    check_inputs(cfg, top, pairs, opts)?;
    let source = std::fs::read(verilog)
        .with_context(|| format!("cannot read the Verilog file {}", verilog.display()))?;
    let sim = choose_simulator(opts.simulator)?;
    let mut report = match sim {
        Simulator::Verilator => verilator::run(cfg, &source, top, pairs, opts)?,
        _ => icarus::run(cfg, &source, top, pairs, opts)?,
    };
    report.total_seconds = t0.elapsed().as_secs_f64();
    Ok(report)
}

fn check_inputs(
    cfg: &UnitConfig,
    top: &str,
    pairs: &[Pair],
    opts: &VerilogSimOptions,
) -> Result<()> {
    if top.is_empty() || !top.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        bail!("top = {top:?} is not a Verilog module name: use letters, digits and '_'");
    }
    if !(0.0..1.0).contains(&opts.gap_prob) {
        bail!(
            "gap_prob = {} is out of range: allowed 0 <= gap_prob < 1",
            opts.gap_prob
        );
    }
    for (i, p) in pairs.iter().enumerate() {
        for (name, v, (lo, hi), width, bits) in [
            ("a", p.a, cfg.a_range(), "a_bits", cfg.a_bits()),
            ("w", p.w, cfg.w_range(), "w_bits", cfg.w_bits()),
            ("thr", p.thr, cfg.t_range(), "t_bits", cfg.t_bits()),
        ] {
            if v < lo || v > hi {
                bail!("pair {i}: {name} = {v} is out of range for {width} = {bits}: allowed {lo}..={hi}");
            }
        }
    }
    if let Some(&bad) = opts.resets_before.iter().find(|&&r| r >= pairs.len()) {
        bail!(
            "resets_before holds {bad}, past the last pair (there are {} pairs): a reset goes before an existing pair",
            pairs.len()
        );
    }
    Ok(())
}

fn choose_simulator(wanted: Simulator) -> Result<Simulator> {
    let wanted = match (wanted, std::env::var("SIEVINGNET_SIMULATOR")) {
        (Simulator::Auto, Ok(v)) if !v.is_empty() => v
            .parse::<Simulator>()
            .context("in the environment variable SIEVINGNET_SIMULATOR")?,
        (w, _) => w,
    };
    match wanted {
        Simulator::Verilator => {
            require_tool("verilator", "the verilog engine with Verilator")?;
            Ok(Simulator::Verilator)
        }
        Simulator::Icarus => {
            require_tool("iverilog", "the verilog engine with Icarus")?;
            require_tool("vvp", "the verilog engine with Icarus")?;
            Ok(Simulator::Icarus)
        }
        Simulator::Auto => {
            if tool_available("verilator") {
                Ok(Simulator::Verilator)
            } else if tool_available("iverilog") {
                Ok(Simulator::Icarus)
            } else {
                bail!("neither verilator nor iverilog is installed (needed for the verilog engine): {INSTALL_HINT}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_options_name_the_problem() {
        let cfg = UnitConfig::default();
        let pairs = [Pair {
            a: 200,
            w: 0,
            thr: 0,
            last: true,
        }];
        let e = check_inputs(&cfg, "sieve_dot", &pairs, &VerilogSimOptions::default()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "pair 0: a = 200 is out of range for a_bits = 8: allowed -128..=127"
        );
        let opts = VerilogSimOptions {
            gap_prob: 1.0,
            ..Default::default()
        };
        let e = check_inputs(&cfg, "sieve_dot", &[], &opts).unwrap_err();
        assert!(e.to_string().starts_with("gap_prob = 1 is out of range"));
        let e = check_inputs(&cfg, "bad top", &[], &VerilogSimOptions::default()).unwrap_err();
        assert!(e.to_string().contains("is not a Verilog module name"));
    }
}
