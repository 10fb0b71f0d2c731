//! Switching activity of the whole accelerator (`sieve_mlp`, SPEC section
//! 9) behind `sievingnet power-mlp`: toggles of its mapped UP5K netlist
//! (lanes, memories' output nets, buffers, requantizer, control) and the
//! reads and writes of every memory, per inference.
//!
//! The flow is the units' ([`super`]): `synth_ice40` with the UP5K options
//! of the area flow (SPRAM, block RAM and DSP cells), Yosys's cell models
//! in Verilator with toggle coverage, every net counted once at its
//! driving cell. Memories are simulated by their models; toggles cannot see
//! inside them, so each memory cell's model counts its own reads and writes
//! (one bit flipped per access, [`super::netlist::instrument_memory`]).
//! The driver (`sim/verilator_mlp.cpp --coverage`) loads the ROM through
//! the load port, then zeroes the counts: the figure is the inference's,
//! samples back to back, not the loading's. The predictions are checked
//! against the golden model's, so the count is of a netlist that computes
//! the right thing.

use super::coverage::{cell_output_toggles, memory_accesses, parse};
use super::netlist::{cells_sim_path, mapped_netlist_with, sim_netlist, MemoryCell};
use crate::design::Arch;
use crate::eda::accelerator::synth_options;
use crate::eda::Device;
use crate::engine::mlp::{mlp_driver, run_built_mlp};
use crate::engine::verilog::{verilator_build_with, Harness};
use crate::rom::{expected_predictions, Rom};
use crate::rtl::mlp::generate::generate_mlp;
use crate::rtl::mlp::sim::MlpPacing;
use crate::rtl::mlp::{load_stream, MlpShape};
use anyhow::{bail, Context, Result};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// The accelerator's driver built with toggle coverage on a mapped netlist
/// (the flags of the units' flow: see [`super::POWER_HARNESS`]).
pub const MLP_POWER_HARNESS: Harness = mlp_driver(super::POWER_HARNESS.flags);

/// The device the accelerator is counted on: its weights of a 784-128-10
/// network fit only the UP5K's SPRAM.
pub const DEVICE: Device = Device::Up5k;

/// Reads and writes of one memory of the design (all its cells).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MemoryAccesses {
    /// The memory's name in the RTL (`wstore`: weights, `tstore`:
    /// thresholds, `bmem`: biases, `nz_idx$k`/`nz_val$k`: activations).
    pub memory: String,
    /// `SB_RAM40_4K` or `SB_SPRAM256KA`.
    pub cell: String,
    /// Cells of that primitive holding it.
    pub cells: usize,
    /// Accesses summed over its cells (each cell's read is a read).
    pub reads: u64,
    pub writes: u64,
}

/// The toggles and memory accesses of one accelerator on one ROM.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MlpToggles {
    pub samples: usize,
    /// Clock edges counted (the samples back to back, and a short idle
    /// tail after the last result).
    pub cycles: u64,
    /// Toggles of every cell-driven net of the flattened netlist.
    pub total: u64,
    /// By the kind of the driving cell (`lut`, `carry`, `ff`, `dsp`,
    /// `ram`, `spram`: memory cells' output nets).
    pub by_kind: BTreeMap<String, u64>,
    /// Cells of the netlist by kind.
    pub cells: BTreeMap<String, u64>,
    /// Memory accesses by memory and primitive.
    pub memories: Vec<MemoryAccesses>,
}

impl MlpToggles {
    pub fn per_inference(&self) -> f64 {
        self.total as f64 / self.samples.max(1) as f64
    }

    /// Reads per inference of the memories held in `cell`.
    pub fn reads_per_inference(&self, cell: &str) -> f64 {
        let n: u64 = self
            .memories
            .iter()
            .filter(|m| m.cell == cell)
            .map(|m| m.reads)
            .sum();
        n as f64 / self.samples.max(1) as f64
    }
}

/// Groups per-cell accesses by (memory, primitive).
pub fn group_accesses(
    cells: &[MemoryCell],
    counts: &BTreeMap<usize, super::coverage::Accesses>,
) -> Vec<MemoryAccesses> {
    let mut by: BTreeMap<(String, String), MemoryAccesses> = BTreeMap::new();
    for (j, c) in cells.iter().enumerate() {
        let e = by
            .entry((c.memory().to_string(), c.cell.clone()))
            .or_insert_with(|| MemoryAccesses {
                memory: c.memory().to_string(),
                cell: c.cell.clone(),
                cells: 0,
                reads: 0,
                writes: 0,
            });
        e.cells += 1;
        if let Some(a) = counts.get(&j) {
            e.reads += a.reads;
            e.writes += a.writes;
        }
    }
    by.into_values().collect()
}

/// Exports the accelerator of `rom` (`arch`, `lanes`), maps it for the
/// UP5K in `work`, builds its toggle simulation (cached in `cache`, default
/// as for the verilog engine) and counts the first `samples` test samples.
pub fn count_mlp(
    rom: &Rom,
    arch: Arch,
    lanes: usize,
    samples: usize,
    seed: u64,
    work: &Path,
    cache: Option<&Path>,
) -> Result<MlpToggles> {
    let t = rom
        .test_set
        .as_ref()
        .context("the ROM has no test_set: nothing to run")?;
    let n = samples.min(t.inputs.len());
    if n == 0 {
        bail!("no test sample to run (--samples is 0 or the ROM's test set is empty)");
    }
    let shape = MlpShape::of_rom(rom, arch, lanes)?;
    let verilog = generate_mlp(&shape, "sieve_mlp")?;
    let netlist = mapped_netlist_with(&verilog, "sieve_mlp", synth_options(DEVICE), false, work)?;
    let cells_sim_path = cells_sim_path()?;
    let cells_sim = std::fs::read_to_string(&cells_sim_path)
        .with_context(|| format!("cannot read {}", cells_sim_path.display()))?;
    let sim = sim_netlist(&netlist, &cells_sim)?;
    let (exe, _) = verilator_build_with(
        sim.verilog.as_bytes(),
        "sieve_mlp",
        &MLP_POWER_HARNESS,
        cache,
    )
    .with_context(|| {
        format!(
            "building the toggle simulation of the {} accelerator",
            arch.name()
        )
    })?;
    let dir = tempfile::tempdir().context("cannot create a temporary folder")?;
    let cov = dir.path().join("coverage.dat");
    let pacing = MlpPacing {
        gap_probability: 0.0,
        seed,
    };
    let run = run_built_mlp(
        &exe,
        &shape,
        &load_stream(rom),
        &t.inputs[..n],
        &pacing,
        &["--coverage".into(), cov.clone().into_os_string()],
    )?;
    let expected = expected_predictions(rom, arch, n)?;
    if let Some(k) = run
        .predictions
        .iter()
        .zip(&expected)
        .position(|(g, w)| g != w)
    {
        bail!(
            "the mapped {} accelerator predicted class {} for test sample {k}, the golden model {}",
            arch.name(),
            run.predictions[k],
            expected[k]
        );
    }
    let count_from = run
        .count_from
        .context("the toggle simulation did not say where its count starts")?;
    let text = std::fs::read_to_string(&cov)
        .with_context(|| format!("the toggle simulation wrote no {}", cov.display()))?;
    let points = parse(&text)?;
    let mut out = MlpToggles {
        samples: n,
        cycles: run.cycles - count_from,
        total: 0,
        by_kind: BTreeMap::new(),
        cells: sim.cells.clone(),
        memories: group_accesses(&sim.memories, &memory_accesses(&points)),
    };
    for ((_, kind), v) in cell_output_toggles(&points) {
        out.total += v;
        *out.by_kind.entry(kind.to_string()).or_insert(0) += v;
    }
    Ok(out)
}
