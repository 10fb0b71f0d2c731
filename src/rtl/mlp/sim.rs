//! Cycle-by-cycle rust-hdl simulation of the accelerator: reset, load the
//! ROM's values, stream samples, collect every `out_valid`.
//!
//! The driving rules are the Verilator driver's (`sim/verilator_mlp.cpp`):
//! a value or feature is consumed at a rising edge where `reset` is low and
//! `valid && ready`; seeded random idle cycles before each value and
//! feature; junk on the data ports while `valid` is low; outputs sampled
//! after each edge; a tail of idle cycles after the last result so an
//! extra one shows.

use super::accelerator::SieveMlp;
use super::memory::{LaneStore, SyncMemory};
use super::{with_mlp, MlpShape};
use anyhow::{bail, Result};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_hdl::prelude::*;
use std::collections::BTreeMap;

/// Idle cycles after the last result.
pub const TAIL_CYCLES: u64 = 64;

/// How the driver paces the load port and the input port.
#[derive(Clone, Debug)]
pub struct MlpPacing {
    /// Probability of an idle cycle before each value or feature (0 = back
    /// to back).
    pub gap_probability: f64,
    pub seed: u64,
}

impl Default for MlpPacing {
    fn default() -> Self {
        Self {
            gap_probability: 0.0,
            seed: 1,
        }
    }
}

/// What a run produced and when.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MlpRun {
    /// `out_class` of each `out_valid` cycle, in order.
    pub predictions: Vec<usize>,
    /// With counters: `[zero_a, zero_w, sieved, kept]` of each result.
    pub counts: Vec<[u64; 4]>,
    /// Edge (counted from the first edge after reset) of each `out_valid`.
    pub result_cycles: Vec<u64>,
    /// Edge that consumed each sample's last feature.
    pub last_cycles: Vec<u64>,
    /// Edge that consumed each sample's first feature.
    pub first_cycles: Vec<u64>,
    /// Edge that consumed the last load value.
    pub load_done_cycle: u64,
    /// Edges simulated.
    pub cycles: u64,
    /// The first edge a toggle count covers, up to `cycles` (set by a
    /// Verilator driver run with `--coverage`).
    pub count_from: Option<u64>,
    /// Reads and writes of each memory (by its name in the exported
    /// Verilog: `wstore`, `tstore`, `bmem`, `nz_idx$2`, ...) at the edges
    /// after the last load value (rust-hdl runs only).
    pub accesses: BTreeMap<String, (u64, u64)>,
}

impl MlpRun {
    /// Clocks per sample when samples come back to back: from the first
    /// feature of the first sample to the last result, over the samples.
    pub fn cycles_per_sample(&self) -> f64 {
        match (self.first_cycles.first(), self.result_cycles.last()) {
            (Some(&a), Some(&b)) => (b - a + 1) as f64 / self.result_cycles.len() as f64,
            _ => 0.0,
        }
    }
}

/// One clock of the accelerator's ports.
#[derive(Clone, Copy, Debug, Default)]
struct MlpIn {
    reset: bool,
    load_valid: bool,
    load_data: u64,
    in_valid: bool,
    in_x: u64,
    in_last: bool,
}

trait MlpDrive {
    /// Applies the inputs and settles; returns `(load_ready, in_ready)`.
    fn apply(&mut self, i: &MlpIn) -> (bool, bool);
    /// Rising edge, settle; returns `out_class` and the counters (if any)
    /// if `out_valid`.
    fn clock(&mut self) -> Option<(usize, Option<[u64; 4]>)>;
    /// Each memory and whether it reads and writes at the coming edge, in
    /// a fixed order (into `out`, cleared first).
    fn memory_enables(&self, out: &mut Vec<MemoryEnable>);
}

/// A memory of the accelerator by its name in the exported Verilog (`nz_idx`
/// and element 2: `nz_idx$2`), and whether it reads and writes at the coming
/// edge (a write takes the cycle: reading needs `!write_enable`).
type MemoryEnable = (&'static str, Option<usize>, bool, bool);

/// A memory's read and write enables at the coming edge.
trait Enables {
    fn enables(&self) -> (bool, bool);
}

impl<const D: usize, const AW: usize> Enables for SyncMemory<D, AW> {
    fn enables(&self) -> (bool, bool) {
        (self.read_enable.val(), self.write_enable.val())
    }
}

impl<const D: usize, const AW: usize> Enables for LaneStore<D, AW> {
    fn enables(&self) -> (bool, bool) {
        (self.read_enable.val(), self.write_enable.val())
    }
}

fn push_enables(
    out: &mut Vec<MemoryEnable>,
    name: &'static str,
    element: Option<usize>,
    m: &impl Enables,
) {
    let (read, write) = m.enables();
    out.push((name, element, read && !write, write));
}

impl<U: Block, const A: usize, const W: usize> MlpDrive for SieveMlp<U, A, W>
where
    SieveMlp<U, A, W>: Block,
{
    fn apply(&mut self, i: &MlpIn) -> (bool, bool) {
        self.clock.next = false.into();
        self.reset.next = i.reset;
        self.load_valid.next = i.load_valid;
        self.load_data.next = i.load_data.into();
        self.in_valid.next = i.in_valid;
        self.in_x.next = (i.in_x & ((1u64 << A) - 1)).into();
        self.in_last.next = i.in_last;
        assert!(simulate(self, 1000), "rust-hdl simulation did not converge");
        (self.load_ready.val(), self.in_ready.val())
    }

    fn clock(&mut self) -> Option<(usize, Option<[u64; 4]>)> {
        self.clock.next = true.into();
        assert!(simulate(self, 1000), "rust-hdl simulation did not converge");
        // Read only on a result: this runs every simulated clock.
        self.out_valid.val().then(|| {
            let counts = (!self.counters.is_empty()).then(|| {
                [
                    &self.out_zero_a,
                    &self.out_zero_w,
                    &self.out_sieved,
                    &self.out_kept,
                ]
                .map(|port| port[0].val().to_u64())
            });
            (self.out_class.val().index(), counts)
        })
    }

    fn memory_enables(&self, out: &mut Vec<MemoryEnable>) {
        out.clear();
        push_enables(out, "wstore", None, &self.wstore);
        push_enables(out, "tstore", None, &self.tstore);
        push_enables(out, "bmem", None, &self.bmem);
        for (k, m) in self.nz_idx.iter().enumerate() {
            push_enables(out, "nz_idx", Some(k), m);
        }
        for (k, m) in self.nz_val.iter().enumerate() {
            push_enables(out, "nz_val", Some(k), m);
        }
    }
}

/// Runs the accelerator of `shape`: reset, the `load` values, then every
/// sample (each exactly the first layer's inputs). Errors if a result is
/// missing after `max_wait` idle edges or the load port never drains.
pub fn run_mlp(
    shape: &MlpShape,
    load: &[i64],
    samples: &[Vec<i64>],
    pacing: &MlpPacing,
) -> Result<MlpRun> {
    if load.len() != shape.load_words() {
        bail!(
            "{} load values for a network that takes {}",
            load.len(),
            shape.load_words()
        );
    }
    with_mlp!(shape, acc => {
        acc.connect_all();
        drive(&mut acc, shape, load, samples, pacing)
    })
}

/// Clocks within which every result must come once the last feature is in:
/// the whole network streamed densely, one pair per lane per clock times
/// the deepest serial digits, plus the per-group overheads.
pub fn result_deadline(shape: &MlpShape) -> u64 {
    let planes = u64::from(shape.lane_w_bits()) + 1;
    shape
        .layers
        .iter()
        .map(|l| {
            let groups = l.outputs.div_ceil(shape.lanes) as u64;
            groups * ((l.inputs as u64 + 1) * planes + 16 + shape.lanes as u64 * 2) + 4
        })
        .sum::<u64>()
        * 2
        + 64
}

fn drive(
    acc: &mut impl MlpDrive,
    shape: &MlpShape,
    load: &[i64],
    samples: &[Vec<i64>],
    pacing: &MlpPacing,
) -> Result<MlpRun> {
    let mut rng = ChaCha8Rng::seed_from_u64(pacing.seed);
    let p_gap = pacing.gap_probability;
    let mut run = MlpRun::default();
    let mut edge: u64 = 0;
    // `count`: the memory accesses of this edge are counted (after the load).
    // Memory accesses by position in `enables` (the order is fixed).
    let mut enables: Vec<MemoryEnable> = Vec::new();
    let mut accesses: Vec<(u64, u64)> = Vec::new();
    let mut tick =
        |acc: &mut dyn MlpDrive, i: &MlpIn, run: &mut MlpRun, edge: &mut u64, count: bool| {
            let ready = acc.apply(i);
            if count {
                acc.memory_enables(&mut enables);
                accesses.resize(enables.len(), (0, 0));
                for (n, &(_, _, read, write)) in accesses.iter_mut().zip(&enables) {
                    n.0 += u64::from(read);
                    n.1 += u64::from(write);
                }
            }
            if let Some((class, counts)) = acc.clock() {
                run.predictions.push(class);
                run.counts.extend(counts);
                run.result_cycles.push(*edge);
            }
            *edge += 1;
            ready
        };
    // Reset for 2 edges, junk on the data ports.
    for _ in 0..2 {
        let i = MlpIn {
            reset: true,
            load_valid: rng.gen(),
            load_data: rng.gen::<u32>().into(),
            in_valid: rng.gen(),
            in_x: rng.gen(),
            in_last: rng.gen(),
        };
        tick(acc, &i, &mut run, &mut edge, false);
    }
    edge = 0;
    let stuck_limit = 10_000u64;
    for (n, &value) in load.iter().enumerate() {
        let mut waited = 0;
        loop {
            let idle = p_gap > 0.0 && rng.gen_bool(p_gap);
            let i = MlpIn {
                load_valid: !idle,
                load_data: if idle {
                    rng.gen::<u32>().into()
                } else {
                    value as u64 & 0xffff_ffff
                },
                in_x: rng.gen(),
                ..Default::default()
            };
            let (load_ready, _) = tick(acc, &i, &mut run, &mut edge, false);
            if !idle && load_ready {
                if n + 1 == load.len() {
                    run.load_done_cycle = edge - 1;
                }
                break;
            }
            waited += 1;
            if waited > stuck_limit {
                bail!("load value {n}: load_ready stayed low for {stuck_limit} cycles");
            }
        }
    }
    let deadline = result_deadline(shape);
    let mut fed_edge = 0;
    for (s, sample) in samples.iter().enumerate() {
        for (f, &x) in sample.iter().enumerate() {
            let last = f + 1 == sample.len();
            let mut waited = 0;
            loop {
                let idle = p_gap > 0.0 && rng.gen_bool(p_gap);
                let i = MlpIn {
                    in_valid: !idle,
                    in_x: if idle { rng.gen() } else { x as u64 },
                    in_last: if idle { rng.gen() } else { last },
                    load_data: rng.gen::<u32>().into(),
                    ..Default::default()
                };
                let (_, in_ready) = tick(acc, &i, &mut run, &mut edge, true);
                if !idle && in_ready {
                    if f == 0 {
                        run.first_cycles.push(edge - 1);
                    }
                    if last {
                        run.last_cycles.push(edge - 1);
                    }
                    fed_edge = edge;
                    break;
                }
                waited += 1;
                if waited > deadline {
                    bail!("sample {s}, feature {f}: in_ready stayed low for {deadline} cycles");
                }
            }
        }
    }
    while run.predictions.len() < samples.len() {
        if edge - fed_edge > deadline * samples.len().max(1) as u64 {
            bail!(
                "{} of {} results came out within {} cycles of the last feature",
                run.predictions.len(),
                samples.len(),
                edge - fed_edge
            );
        }
        tick(acc, &MlpIn::default(), &mut run, &mut edge, true);
    }
    for _ in 0..TAIL_CYCLES {
        tick(acc, &MlpIn::default(), &mut run, &mut edge, true);
    }
    run.cycles = edge;
    for (&(name, element, _, _), &n) in enables.iter().zip(&accesses) {
        let name = element.map_or(name.to_string(), |k| format!("{name}${k}"));
        run.accesses.insert(name, n);
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
