//! The accelerator engines (`sievingnet infer --engine mlp`): the ROM's
//! test set through the whole network in hardware, the rust-hdl simulation
//! or the exported `sieve_mlp` Verilog in Verilator, every prediction
//! checked against the golden model's.

use super::verilog::{verilator_build_with, Harness};
use crate::rom::Rom;
use crate::rom::{expected_counts, expected_predictions};
use crate::rtl::mlp::counters::COUNT_BITS;
use crate::rtl::mlp::flash::WAKE_CLOCKS;
use crate::rtl::mlp::generate::{generate_flash_board, generate_mlp};
use crate::rtl::mlp::sim::{run_mlp, MlpPacing, MlpRun};
use crate::rtl::mlp::{load_stream, MlpShape};
use crate::toolchain::run_checked;
use anyhow::{bail, Context, Result};
use std::ffi::OsString;
use std::path::Path;
use std::process::Command;

/// The C++ driver of the accelerator (`sim/verilator_mlp.cpp`) built with
/// `flags` (part of the build's cache key).
pub const fn mlp_driver(flags: &'static [&'static str]) -> Harness {
    Harness {
        driver: include_str!("../../sim/verilator_mlp.cpp"),
        prefix: "Vsieve_mlp",
        flags,
    }
}

/// The driver of the accelerator's SPEC section 9 ports.
const MLP_HARNESS: Harness = mlp_driver(&[]);
/// With counters (`-DSN_MLP_COUNTERS`): it also records the counter
/// outputs of each result.
const MLP_COUNTERS_HARNESS: Harness = mlp_driver(&["-CFLAGS", "-DSN_MLP_COUNTERS"]);
/// On the board top of `export-mlp --flash-offset` (`-DSN_MLP_BOARD`): a
/// behavioural SPI flash instead of the load port.
const MLP_BOARD_HARNESS: Harness = mlp_driver(&["-CFLAGS", "-DSN_MLP_BOARD"]);
const MLP_BOARD_COUNTERS_HARNESS: Harness =
    mlp_driver(&["-CFLAGS", "-DSN_MLP_COUNTERS", "-CFLAGS", "-DSN_MLP_BOARD"]);

/// The Verilator driver of the accelerator of `shape`, alone or on its
/// board top.
pub fn mlp_harness(shape: &MlpShape, board: bool) -> &'static Harness {
    match (shape.counters, board) {
        (false, false) => &MLP_HARNESS,
        (true, false) => &MLP_COUNTERS_HARNESS,
        (false, true) => &MLP_BOARD_HARNESS,
        (true, true) => &MLP_BOARD_COUNTERS_HARNESS,
    }
}

/// Which simulation runs the accelerator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MlpEngine {
    /// rust-hdl, cycle by cycle (small networks).
    Rtl,
    /// The exported Verilog in Verilator.
    Verilator,
    /// The board top of `export-mlp --flash-offset` in Verilator, loaded
    /// from a behavioural SPI flash holding the ROM's values at this offset.
    VerilatorFlash(u64),
}

/// What the ROM's test set gave on the accelerator.
#[derive(Clone, Debug)]
pub struct AcceleratorRun {
    pub samples: usize,
    pub run: MlpRun,
    /// The predictions the accelerator must give: the ROM's (sieving
    /// arches) or the exact network's (`mac`).
    pub expected: Vec<usize>,
    /// With counters: the golden model's counts of each sample.
    pub expected_counts: Vec<[u64; 4]>,
    pub labels: Vec<usize>,
    /// Seconds building the Verilator model (0 when cached).
    pub build_seconds: f64,
    /// Seconds simulating.
    pub sim_seconds: f64,
}

/// Positions where `a` and `b` (compared as far as both go) differ.
fn differing<T: PartialEq>(a: &[T], b: &[T]) -> usize {
    a.iter().zip(b).filter(|(x, y)| x != y).count()
}

impl AcceleratorRun {
    /// Samples whose prediction differs from the expected one.
    pub fn mismatches(&self) -> usize {
        differing(&self.run.predictions, &self.expected)
    }

    /// Samples whose counters differ from the golden model's.
    pub fn count_mismatches(&self) -> usize {
        differing(&self.run.counts, &self.expected_counts)
    }

    /// `[zero_a, zero_w, sieved, kept]` summed over the samples.
    pub fn count_totals(&self) -> [u64; 4] {
        let mut t = [0u64; 4];
        for c in &self.run.counts {
            for (t, c) in t.iter_mut().zip(c) {
                *t += c;
            }
        }
        t
    }

    /// Samples predicted as labelled.
    pub fn correct(&self) -> usize {
        let (p, l) = (&self.run.predictions, &self.labels);
        p.len().min(l.len()) - differing(p, l)
    }
}

/// Runs the first `limit` test samples of `rom` through the accelerator of
/// `shape` on `engine`, samples back to back (or paced by `pacing`).
pub fn run_accelerator(
    rom: &Rom,
    shape: &MlpShape,
    engine: MlpEngine,
    limit: Option<usize>,
    pacing: &MlpPacing,
) -> Result<AcceleratorRun> {
    let t = rom
        .test_set
        .as_ref()
        .context("the ROM has no test_set: nothing to run")?;
    let n = limit.unwrap_or(t.inputs.len()).min(t.inputs.len());
    if n == 0 {
        bail!("no test sample to run (the limit is 0 or the test set is empty)");
    }
    let samples = &t.inputs[..n];
    let load = load_stream(rom);
    let expected = expected_predictions(rom, shape.arch, n)?;
    let expected_counts = if shape.counters {
        expected_counts(rom, samples, COUNT_BITS as u32)
    } else {
        Vec::new()
    };
    let t0 = std::time::Instant::now();
    let (run, build_seconds) = match engine {
        MlpEngine::Rtl => (run_mlp(shape, &load, samples, pacing)?, 0.0),
        MlpEngine::Verilator => {
            let text = generate_mlp(shape, "sieve_mlp")?;
            run_verilator(&text, "sieve_mlp", shape, &load, samples, pacing)?
        }
        MlpEngine::VerilatorFlash(offset) => {
            let text = generate_mlp(shape, "sieve_mlp")?
                + &generate_flash_board(shape, "sieve_mlp", offset)?;
            let top = "sieve_mlp_board";
            let harness = mlp_harness(shape, true);
            let (exe, build) = verilator_build_with(text.as_bytes(), top, harness, None)?;
            let extra: Vec<OsString> = vec![
                "--flash-offset".into(),
                offset.to_string().into(),
                "--wake-clocks".into(),
                WAKE_CLOCKS.to_string().into(),
            ];
            let run = run_built_mlp(&exe, shape, &load, samples, pacing, &extra)?;
            (run, build)
        }
    };
    let sim_seconds = t0.elapsed().as_secs_f64() - build_seconds;
    Ok(AcceleratorRun {
        samples: n,
        run,
        expected,
        expected_counts,
        labels: t.labels[..n].to_vec(),
        build_seconds,
        sim_seconds,
    })
}

/// Runs Verilog `text` (top `top`) in Verilator with the accelerator
/// driver. Returns the run and the seconds spent building.
pub fn run_verilator(
    text: &str,
    top: &str,
    shape: &MlpShape,
    load: &[i64],
    samples: &[Vec<i64>],
    pacing: &MlpPacing,
) -> Result<(MlpRun, f64)> {
    let (exe, build_seconds) =
        verilator_build_with(text.as_bytes(), top, mlp_harness(shape, false), None)?;
    let run = run_built_mlp(&exe, shape, load, samples, pacing, &[])?;
    Ok((run, build_seconds))
}

/// Runs an accelerator simulation built with the accelerator's driver
/// ([`mlp_driver`], with any flags), passing it `extra` arguments (e.g.
/// `--coverage FILE`, `--flash-offset N`).
pub fn run_built_mlp(
    exe: &Path,
    shape: &MlpShape,
    load: &[i64],
    samples: &[Vec<i64>],
    pacing: &MlpPacing,
    extra: &[OsString],
) -> Result<MlpRun> {
    let dir = tempfile::tempdir().context("cannot create a temporary folder")?;
    let _pending = crate::files::track(dir.path());
    let job = dir.path().join("job.bin");
    let events = dir.path().join("events.bin");
    let features = shape.layers[0].inputs;
    let mut buf = Vec::with_capacity(20 + load.len() * 4 + samples.len() * features * 2);
    buf.extend_from_slice(b"SNMJ0001");
    for v in [load.len(), samples.len(), features] {
        buf.extend_from_slice(&(v as u32).to_le_bytes());
    }
    for &v in load {
        buf.extend_from_slice(&(v as i32).to_le_bytes());
    }
    for s in samples {
        if s.len() != features {
            bail!(
                "a sample has {} features; the network takes {features}",
                s.len()
            );
        }
        for &x in s {
            buf.extend_from_slice(&(x as i16).to_le_bytes());
        }
    }
    std::fs::write(&job, buf)?;
    let deadline = crate::rtl::mlp::sim::result_deadline(shape) * 4 + 100_000;
    run_checked(
        Command::new(exe)
            .args(extra)
            .arg("--in")
            .arg(&job)
            .arg("--out")
            .arg(&events)
            .args(["--gap-prob", &pacing.gap_probability.to_string()])
            .args(["--seed", &pacing.seed.to_string()])
            .args(["--a-bits", &shape.a_bits.to_string()])
            .args(["--max-wait", &deadline.to_string()]),
        "the Verilator simulation of the accelerator",
    )?;
    let bytes = std::fs::read(&events)?;
    if bytes.len() < 8 || &bytes[..8] != b"SNME0001" || (bytes.len() - 8) % 24 != 0 {
        bail!(
            "the simulator's events file is malformed ({} bytes)",
            bytes.len()
        );
    }
    let mut run = MlpRun::default();
    let mut simulated = None;
    for rec in bytes[8..].chunks_exact(24) {
        let w = |i: usize| u64::from_le_bytes(rec[i * 8..i * 8 + 8].try_into().unwrap());
        let (tag, cycle, value) = (w(0), w(1), w(2));
        match tag {
            0 => {
                run.predictions.push(value as usize);
                run.result_cycles.push(cycle);
            }
            6..=9 => {
                // The counters of the result just read, in port order.
                let counter = (tag - 6) as usize;
                if counter == 0 {
                    run.counts.push([0; 4]);
                }
                if run.counts.len() != run.predictions.len() {
                    bail!("the simulator's events file has counters without their result");
                }
                if let Some(c) = run.counts.last_mut() {
                    c[counter] = value;
                }
            }
            1 => run.first_cycles.push(cycle),
            2 => run.last_cycles.push(cycle),
            3 => run.load_done_cycle = cycle,
            4 => run.count_from = Some(cycle),
            5 => simulated = Some(cycle),
            _ => bail!("the simulator's events file has an unknown record tag {tag}"),
        }
    }
    run.cycles = simulated.context("the simulator's events file has no end record (tag 5)")?;
    if shape.counters && run.counts.len() != run.predictions.len() {
        bail!(
            "the simulator recorded counters for {} of {} results: was it built with the counters driver?",
            run.counts.len(),
            run.predictions.len()
        );
    }
    if run.predictions.len() != samples.len() {
        bail!(
            "{} results for {} samples: the accelerator produced extra results",
            run.predictions.len(),
            samples.len()
        );
    }
    Ok(run)
}
