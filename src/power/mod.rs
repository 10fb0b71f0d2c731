//! Switching activity, the first-order proxy of dynamic energy, behind
//! `sievingnet power`: how many times the nets of a unit's mapped iCE40
//! netlist change value while it computes a real stream.
//!
//! For each design:
//!
//! 1. `synth_ice40` maps the exported unit to iCE40 cells, once flattened
//!    (the figure) and once keeping its blocks (`-noflatten`: where the
//!    toggles are; unflattened logic is not optimized across blocks, so its
//!    total is a little different);
//! 2. the netlist, with Yosys's own cell models (`ice40/cells_sim.v`), is
//!    built by Verilator with toggle coverage and driven by the unit's
//!    driver (`sim/verilator_main.cpp`), which zeroes the counters after the
//!    initial reset;
//! 3. every net is counted once, at the output of the cell that drives it
//!    (LUT, carry, flip-flop, DSP); the clock and the top-level inputs are
//!    driven by the testbench and are not counted;
//! 4. the netlist's results are checked against the golden model, so the
//!    count is of a netlist that computes the right thing.
//!
//! The figure is a relative proxy for dynamic energy: toggles of the mapped
//! netlist, not milliwatts. It weighs every net alike (no capacitance, no
//! routing) and sees nothing inside a memory or a DSP block; the units have
//! no memory (their weights arrive on ports), so no memory read is counted.

pub mod accelerator;
pub mod coverage;
pub mod mlp_report;
pub mod netlist;
pub mod report;
pub mod streams;

use crate::config::{Coding, UnitConfig};
use crate::design::Design;
use crate::engine::verilog::{
    run_built, verilator_build_with, Harness, VerilogSimOptions, VERILATOR_DRIVER,
};
use crate::export::export;
use crate::model::VectorResult;
use crate::presets::{rtl_configs, MAC_PRESETS};
use anyhow::{bail, Context, Result};
use netlist::SimNetlist;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use streams::Stream;

/// The unit's driver built with toggle coverage on a mapped netlist.
pub const POWER_HARNESS: Harness = Harness {
    driver: VERILATOR_DRIVER,
    prefix: "Vsieve_dot",
    // The mapped netlist's buses look circular to Verilator (bits of one
    // vector feed each other); the cell models carry their own timescale.
    // A netlist of thousands of cells compiles 2-3x faster at -O1, and the
    // streams are short: the build, not the run, is the cost.
    flags: &[
        "--coverage-toggle",
        "-Wno-UNOPTFLAT",
        "-Wno-TIMESCALEMOD",
        "-MAKEFLAGS",
        "OPT_FAST=-O1",
        "-MAKEFLAGS",
        "OPT_GLOBAL=-O1",
    ],
};

/// One design of the comparison.
#[derive(Clone, Debug)]
pub struct PowerDesign {
    /// e.g. `parallel`, `serial`, `mac`, `mac-dsp`.
    pub name: String,
    pub design: Design,
    /// Synthesized for the UP5K DSP blocks.
    pub dsp: bool,
    /// The unit's port widths (a preset the RTL builds).
    pub cfg: UnitConfig,
}

/// The design names `--designs` takes, and what they build (counters off).
pub const DESIGNS: &[&str] = &["parallel", "serial", "mac", "mac-dsp"];

impl PowerDesign {
    /// The design called `name` ([`DESIGNS`]) at the widths of `cfg`.
    pub fn named(name: &str, cfg: UnitConfig) -> Result<PowerDesign> {
        let (design, dsp) = match name {
            "parallel" => (Design::Sieve { counters: false }, false),
            "serial" => (Design::Serial { counters: false }, false),
            "mac" => (Design::ExactMac, false),
            "mac-dsp" => (Design::ExactMac, true),
            other => bail!(
                "design {other:?} is not known: allowed {}",
                DESIGNS.join(", ")
            ),
        };
        Ok(PowerDesign {
            name: name.to_string(),
            design,
            dsp,
            cfg,
        })
    }

    /// Whether the design sieves (the MAC ignores thresholds).
    pub fn sieves(&self) -> bool {
        self.design != Design::ExactMac
    }
}

/// The narrowest unit the RTL builds that runs a network of `rom`'s widths
/// bit for bit: the same activation, threshold, accumulator and counter
/// widths and coding, the weights sign-extended to the next preset width.
/// For an exact network (`mac_only`, run by the MACs alone) the MAC-only
/// presets count too, so a 2-bit network runs on a 2-bit MAC.
pub fn hardware_config(rom: &UnitConfig, mac_only: bool) -> Result<UnitConfig> {
    let mut candidates = rtl_configs();
    if mac_only {
        candidates.extend(
            MAC_PRESETS
                .iter()
                .flat_map(|p| Coding::ALL.map(|c| p.config(c))),
        );
    }
    candidates
        .into_iter()
        .filter(|c| {
            c.a_bits() == rom.a_bits()
                && c.t_bits() == rom.t_bits()
                && c.acc_bits() == rom.acc_bits()
                && c.cnt_bits() == rom.cnt_bits()
                && c.coding() == rom.coding()
                && c.w_bits() >= rom.w_bits()
        })
        .min_by_key(|c| c.w_bits())
        .with_context(|| {
            format!(
                "no unit the RTL builds runs a network with a_bits = {}, w_bits = {}, t_bits = {}, \
                 acc_bits = {}: `sievingnet presets` lists the widths it builds",
                rom.a_bits(),
                rom.w_bits(),
                rom.t_bits(),
                rom.acc_bits()
            )
        })
}

/// A design built for counting: the flattened netlist and, when asked, the
/// one that keeps its blocks.
#[derive(Clone, Debug)]
pub struct Prepared {
    pub design: PowerDesign,
    flat: Built,
    blocks: Option<Built>,
    /// Cells of the flattened netlist by kind (`lut`, `carry`, `ff`, `dsp`).
    pub cells: BTreeMap<String, u64>,
}

#[derive(Clone, Debug)]
struct Built {
    exe: PathBuf,
    modules: Vec<String>,
}

fn build(
    d: &PowerDesign,
    verilog: &str,
    keep_blocks: bool,
    cells_sim: &str,
    work: &Path,
    cache: Option<&Path>,
) -> Result<(Built, SimNetlist)> {
    let netlist = netlist::mapped_netlist(verilog, "sieve_dot", d.dsp, keep_blocks, work)?;
    let sim = netlist::sim_netlist(&netlist, cells_sim)?;
    let (exe, _) = verilator_build_with(sim.verilog.as_bytes(), "sieve_dot", &POWER_HARNESS, cache)
        .with_context(|| format!("building the toggle simulation of {}", d.name))?;
    Ok((
        Built {
            exe,
            modules: sim.modules.clone(),
        },
        sim,
    ))
}

/// Exports, synthesizes and builds `d` (in `work`; Verilator builds cached
/// in `cache`, default as for the verilog engine).
pub fn prepare(
    d: &PowerDesign,
    keep_blocks: bool,
    work: &Path,
    cache: Option<&Path>,
) -> Result<Prepared> {
    let cells_sim_path = netlist::cells_sim_path()?;
    let cells_sim = std::fs::read_to_string(&cells_sim_path)
        .with_context(|| format!("cannot read {}", cells_sim_path.display()))?;
    let (verilog, _) = export(&d.cfg, d.design, "sieve_dot", "sieve_dot.v")?;
    let (flat, sim) = build(d, &verilog, false, &cells_sim, &work.join("flat"), cache)?;
    let blocks = if keep_blocks {
        Some(build(d, &verilog, true, &cells_sim, &work.join("blocks"), cache)?.0)
    } else {
        None
    };
    Ok(Prepared {
        design: d.clone(),
        flat,
        blocks,
        cells: sim.cells.clone(),
    })
}

/// The toggles of one design on one stream.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Toggles {
    /// All nets of the flattened netlist.
    pub total: u64,
    /// By the kind of the driving cell.
    pub by_kind: BTreeMap<String, u64>,
    /// By block, from the netlist that keeps them (empty when not run).
    pub by_block: BTreeMap<String, u64>,
    /// Clock cycles of the run, reset excluded.
    pub cycles: u64,
}

/// The block a module of a `-noflatten` netlist belongs to: the top's own
/// logic, or the first part of the sub-module's name (`sieve_dot$tree$heap$0`
/// belongs to `tree`, `sieve_dot$side_kept$1` to `side_kept`).
pub fn block_of(module: &str, top: &str) -> String {
    if module == top {
        return "top-level logic".to_string();
    }
    let short = module
        .strip_prefix(top)
        .and_then(|m| m.strip_prefix('$'))
        .unwrap_or(module);
    short.split('$').next().unwrap_or(short).to_string()
}

/// Whether the design's results equal the golden model's: sums and
/// overflow (the designs run without counters).
fn check_results(name: &str, got: &[VectorResult], want: &[VectorResult]) -> Result<()> {
    if got.len() != want.len() {
        bail!(
            "{name}: the mapped netlist gave {} results, the golden model {}",
            got.len(),
            want.len()
        );
    }
    if let Some(k) = got
        .iter()
        .zip(want)
        .position(|(g, w)| (g.sum, g.overflow) != (w.sum, w.overflow))
    {
        bail!(
            "{name}: vector {k}: the mapped netlist gave sum {} (overflow {}), the golden model {} ({})",
            got[k].sum,
            got[k].overflow,
            want[k].sum,
            want[k].overflow
        );
    }
    Ok(())
}

fn run_one(
    built: &Built,
    p: &Prepared,
    stream: &Stream,
    seed: u64,
) -> Result<(coverage::ByModuleKind, u64)> {
    let work = tempfile::tempdir().context("cannot create a temporary folder")?;
    let cov = work.path().join("coverage.dat");
    let opts = VerilogSimOptions {
        seed,
        max_wait: 1_000_000,
        ..Default::default()
    };
    let report = run_built(
        &built.exe,
        &p.design.cfg,
        "sieve_dot",
        &stream.pairs,
        &opts,
        &["--coverage".into(), cov.clone().into_os_string()],
    )?;
    check_results(&p.design.name, &report.results, &stream.expected)?;
    let text = std::fs::read_to_string(&cov)
        .with_context(|| format!("the toggle simulation wrote no {}", cov.display()))?;
    let points = coverage::parse(&text)?;
    Ok((coverage::cell_output_toggles(&points), report.cycles))
}

/// Runs `stream` through the prepared design and counts its toggles.
/// The MAC runs only streams with the sieve off (it computes exact sums).
pub fn count(p: &Prepared, stream: &Stream, seed: u64) -> Result<Toggles> {
    if !p.design.sieves() && stream.sieve {
        bail!(
            "{} is exact: run it on a stream with the sieve off (its sums are not the sieved ones)",
            p.design.name
        );
    }
    let (flat, cycles) = run_one(&p.flat, p, stream, seed)?;
    let mut t = Toggles {
        cycles,
        ..Default::default()
    };
    for ((_, kind), n) in flat {
        t.total += n;
        *t.by_kind.entry(kind.to_string()).or_insert(0) += n;
    }
    if let Some(b) = &p.blocks {
        let (blocks, _) = run_one(b, p, stream, seed)?;
        let top = b.modules.first().cloned().unwrap_or_default();
        for ((m, _), n) in blocks {
            let module = b.modules.get(m).map(String::as_str).unwrap_or("?");
            *t.by_block.entry(block_of(module, &top)).or_insert(0) += n;
        }
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Coding;

    #[test]
    fn blocks_are_named_after_sub_modules() {
        assert_eq!(block_of("sieve_dot", "sieve_dot"), "top-level logic");
        assert_eq!(block_of("sieve_dot$tree$heap$3", "sieve_dot"), "tree");
        assert_eq!(block_of("sieve_dot$side_kept$1", "sieve_dot"), "side_kept");
    }

    #[test]
    fn narrow_networks_run_on_the_next_preset() {
        let rom = UnitConfig::new(8, 2, 8, 32, 32, Coding::Ternary).unwrap();
        let hw = hardware_config(&rom, false).unwrap();
        assert_eq!(
            (hw.a_bits(), hw.w_bits(), hw.coding()),
            (8, 4, Coding::Ternary)
        );
        // An exact network runs on the MAC of its own width.
        let exact = hardware_config(&rom, true).unwrap();
        assert_eq!((exact.a_bits(), exact.w_bits()), (8, 2));
        let rom = UnitConfig::new(5, 8, 8, 32, 32, Coding::Binary).unwrap();
        assert!(hardware_config(&rom, false).is_err());
        assert!(PowerDesign::named("dsp", hw).is_err());
    }
}
