//! `sievingnet infer`: runs a weight ROM's test set through the hardware
//! (rust-hdl simulation or exported Verilog), every dot product streamed
//! through the unit and checked against the golden model, every prediction
//! checked against the ROM's predictions file.

use anyhow::{bail, Context, Result};
use clap::Args;
use sievingnet::design::{Arch, Design};
use sievingnet::engine::infer::run_rom;
use sievingnet::engine::mlp::{run_accelerator, MlpEngine};
use sievingnet::engine::Engine;
use sievingnet::model::{Cost, Work};
use sievingnet::rom::read_rom;
use sievingnet::rtl::mlp::sim::MlpPacing;
use sievingnet::rtl::mlp::MlpShape;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct InferArgs {
    /// ROM directory (SPEC section 8) with a test set, e.g. written by `sievingnet-train`.
    #[arg(long)]
    pub rom: PathBuf,
    /// Which implementation runs the network: `model`, `rtl` (rust-hdl) and
    /// `verilog` stream every dot product through one unit; `mlp` runs the
    /// whole-network accelerator (`export-mlp`, with `--counters` for the
    /// sieving arches) in Verilator, `mlp-rtl` in the rust-hdl simulation:
    /// every prediction and every sample's counters are checked.
    #[arg(long, value_enum, default_value_t = InferEngine::Rtl)]
    pub engine: InferEngine,
    /// Lanes of the accelerator (`--engine mlp` or `mlp-rtl`), 1 to 32.
    #[arg(long, default_value_t = 4)]
    pub lanes: usize,
    /// The sieving unit: `parallel` (one pair per clock) or `serial` (one
    /// kept digit per clock).
    #[arg(long, value_enum, default_value_t = Arch::Parallel)]
    pub arch: Arch,
    /// With `--engine mlp`: run the board top of `export-mlp
    /// --flash-offset` instead, the values loaded from a simulated SPI flash
    /// holding them at this byte offset.
    #[arg(long, value_parser = super::export_mlp::parse_offset)]
    pub flash_offset: Option<u64>,
    /// Use only the first N test samples (the RTL simulation streams every
    /// input of every neuron: about 100,000 pairs per MNIST sample for 784-128-10).
    #[arg(long)]
    pub limit: Option<usize>,
}

/// `--engine`: a unit engine, or the accelerator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum InferEngine {
    Model,
    Rtl,
    Verilog,
    Mlp,
    MlpRtl,
}

pub fn run(args: InferArgs) -> Result<()> {
    let rom = read_rom(&args.rom)
        .with_context(|| format!("cannot read the ROM in {}", args.rom.display()))?;
    if args.flash_offset.is_some() && args.engine != InferEngine::Mlp {
        bail!("--flash-offset runs the board top in Verilator: use it with --engine mlp");
    }
    let engine = match args.engine {
        InferEngine::Model => Engine::Model,
        InferEngine::Rtl => Engine::Rtl,
        InferEngine::Verilog => Engine::Verilog,
        InferEngine::Mlp => {
            let engine = match args.flash_offset {
                Some(offset) => MlpEngine::VerilatorFlash(offset),
                None => MlpEngine::Verilator,
            };
            return run_mlp(&args, &rom, engine);
        }
        InferEngine::MlpRtl => return run_mlp(&args, &rom, MlpEngine::Rtl),
    };
    let design = Design::for_arch(args.arch, true).map_err(anyhow::Error::msg)?;
    let run = run_rom(&rom, engine, design, args.limit)?;
    let planes = rom.mlp.unit.planes();
    let samples = run.samples as u64;
    let work = Work::zip(&run.counts, &run.kept_pairs);
    let layers: Vec<serde_json::Value> = work
        .iter()
        .zip(&run.cycles)
        .map(|(w, &cycles)| {
            let c = &w.planes;
            let pairs = c.total() / u64::from(planes);
            serde_json::json!({"zero_a": c.zero_a, "zero_w": c.zero_w, "sieved": c.sieved, "kept": c.kept,
                               "kept_pairs": w.kept_pairs,
                               "cost_per_inference": Cost::of(w, planes, samples),
                               "cycles": cycles, "cycles_per_pair": cycles as f64 / pairs.max(1) as f64})
        })
        .collect();
    let summary = serde_json::json!({
        "rom": args.rom.display().to_string(),
        "engine": engine.name(),
        "arch": args.arch.name(),
        "unit": rom.mlp.unit,
        "samples": run.samples,
        "pairs": run.pairs,
        "accuracy": run.correct as f64 / run.samples as f64,
        "predictions_match": run.mismatches == 0,
        "cost_per_inference": Cost::of(&Work::total(&work), planes, samples),
        "layers": layers,
    });
    println!("{}", serde_json::to_string_pretty(&summary)?);
    if run.mismatches > 0 {
        bail!(
            "{} of {} predictions differ from the ROM's predictions file",
            run.mismatches,
            run.samples
        );
    }
    Ok(())
}

fn run_mlp(args: &InferArgs, rom: &sievingnet::rom::Rom, engine: MlpEngine) -> Result<()> {
    let mut shape = MlpShape::of_rom(rom, args.arch, args.lanes)?;
    // The sieving accelerators run with their counters (which cost no
    // clock); `mac` has no sieve to count, `masked` no counters.
    if args.arch.counts() {
        shape = shape.with_counters()?;
    }
    let r = run_accelerator(rom, &shape, engine, args.limit, &MlpPacing::default())?;
    let counters = shape.counters.then(|| {
        let [zero_a, zero_w, sieved, kept] = r.count_totals();
        let n = r.samples as f64;
        serde_json::json!({
            "reference": "the golden model's plane counts of each sample, summed over the layers",
            "samples_match": r.count_mismatches() == 0,
            "mismatched_samples": r.count_mismatches(),
            "total": {"zero_a": zero_a, "zero_w": zero_w, "sieved": sieved, "kept": kept},
            "per_sample": {"zero_a": zero_a as f64 / n, "zero_w": zero_w as f64 / n,
                           "sieved": sieved as f64 / n, "kept": kept as f64 / n},
        })
    });
    let summary = serde_json::json!({
        "rom": args.rom.display().to_string(),
        "engine": match engine { MlpEngine::Verilator | MlpEngine::VerilatorFlash(_) => "mlp", MlpEngine::Rtl => "mlp-rtl" },
        "flash_offset": match engine { MlpEngine::VerilatorFlash(o) => Some(o), _ => None },
        "arch": args.arch.name(),
        "lanes": args.lanes,
        "unit": rom.mlp.unit,
        "samples": r.samples,
        "accuracy": r.correct() as f64 / r.samples as f64,
        "reference": if args.arch == Arch::Mac { "the exact network (every threshold <= 0)" } else { "the ROM's predictions" },
        "predictions_match": r.mismatches() == 0,
        "load_cycles": r.run.load_done_cycle + 1,
        "cycles_per_sample": r.run.cycles_per_sample(),
        "simulated_cycles": r.run.cycles,
        "counters": counters,
        "sim_seconds": r.sim_seconds,
        "build_seconds": r.build_seconds,
    });
    println!("{}", serde_json::to_string_pretty(&summary)?);
    if r.count_mismatches() > 0 {
        bail!(
            "the accelerator's counters differ from the golden model's on {} of {} samples",
            r.count_mismatches(),
            r.samples
        );
    }
    if r.mismatches() > 0 {
        bail!(
            "{} of {} predictions of the accelerator differ from {}",
            r.mismatches(),
            r.samples,
            if args.arch == Arch::Mac {
                "the exact network's"
            } else {
                "the ROM's predictions file"
            }
        );
    }
    Ok(())
}
