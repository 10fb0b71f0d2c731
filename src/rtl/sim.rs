//! Cycle-by-cycle simulation of an RTL design in rust-hdl, driven directly
//! (inputs set, clock toggled, `simulate` to settle) rather than through
//! rust-hdl's threaded `Simulation`, which is two orders of magnitude slower.

use super::{with_design, with_mac, Design};
use crate::config::UnitConfig;
use crate::model::stream::wrap_signed;
use crate::model::{Pair, VectorResult};
use anyhow::{bail, Result};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_hdl::prelude::*;

/// Input ports for one clock cycle (values two's complement, in range).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PortsIn {
    pub reset: bool,
    pub in_valid: bool,
    pub a: i64,
    pub w: i64,
    pub thr: i64,
    pub last: bool,
}

/// Output ports after a rising edge.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PortsOut {
    pub out_valid: bool,
    pub result: VectorResult,
}

/// A design under simulation.
pub trait UnitSim {
    /// Applies `inputs`, settles, and returns `in_ready` as seen before the edge.
    fn apply(&mut self, inputs: &PortsIn) -> bool;
    /// Rising edge, then settle; returns the outputs.
    fn clock(&mut self) -> PortsOut;
}

fn to_bits<const N: usize>(x: i64) -> Bits<N> {
    let mask = if N >= 64 { u64::MAX } else { (1u64 << N) - 1 };
    ((x as u64) & mask).into()
}

fn signed_of<const N: usize>(b: Bits<N>) -> i64 {
    wrap_signed(b.to_u64() as i128, N as u32)
}

macro_rules! impl_unit_sim {
    ($ty:ident < $($p:ident),* >) => {
        impl<$(const $p: usize),*> UnitSim for $ty<$($p),*> {
            fn apply(&mut self, i: &PortsIn) -> bool {
                self.clock.next = false.into();
                self.reset.next = i.reset;
                self.in_valid.next = i.in_valid;
                self.in_a.next = to_bits(i.a);
                self.in_w.next = to_bits(i.w);
                self.in_thr.next = to_bits(i.thr);
                self.in_last.next = i.last;
                assert!(simulate(self, 1000), "rust-hdl simulation did not converge");
                self.in_ready.val()
            }
            fn clock(&mut self) -> PortsOut {
                self.clock.next = true.into();
                assert!(simulate(self, 1000), "rust-hdl simulation did not converge");
                PortsOut {
                    out_valid: self.out_valid.val(),
                    result: VectorResult {
                        sum: signed_of(self.out_sum.val()),
                        overflow: self.out_overflow.val(),
                        zero_a: self.out_zero_a.val().to_u64(),
                        zero_w: self.out_zero_w.val().to_u64(),
                        sieved: self.out_sieved.val().to_u64(),
                        kept: self.out_kept.val().to_u64(),
                    },
                }
            }
        }
    };
}

use super::mac_baseline::ExactMac;
use super::serial_dot::SerialDot;
use super::sieve_dot::SieveDot;
impl_unit_sim!(SieveDot<A, W, T, ACC, CNT, XW, PW, EB, VW, HN, DEPTH, CW>);
impl_unit_sim!(SerialDot<A, W, T, ACC, CNT, XW, PW, EB, VW, HN, CW, AX>);
impl_unit_sim!(ExactMac<A, W, T, ACC, CNT, PW>);

/// Builds a design for `cfg`, ready to simulate.
pub fn build(cfg: &UnitConfig, design: Design) -> Result<Box<dyn UnitSim>> {
    if design == Design::ExactMac && crate::presets::mac_preset_of(cfg).is_some() {
        return with_mac!(cfg, Mac => {
            let mut u = Mac::new(cfg);
            u.connect_all();
            let b: Box<dyn UnitSim> = Box::new(u);
            b
        });
    }
    with_design!(cfg, Sieve, Mac, Serial => {
        let b: Box<dyn UnitSim> = match design {
            Design::Sieve { counters } => {
                let mut u = Sieve::new(cfg, counters);
                u.connect_all();
                Box::new(u)
            }
            Design::Serial { counters } => {
                let mut u = Serial::new(cfg, counters);
                u.connect_all();
                Box::new(u)
            }
            Design::ExactMac => {
                let mut u = Mac::new(cfg);
                u.connect_all();
                Box::new(u)
            }
        };
        b
    })
}

/// How the stream is paced.
#[derive(Clone, Debug)]
pub struct Pacing {
    /// Probability that `in_valid` is low in a cycle (0 = back-to-back).
    pub gap_probability: f64,
    /// Seed of the gap pattern and of the junk driven while `in_valid` is low.
    pub seed: u64,
    /// Indices of pairs before which the unit is reset for one cycle (reset
    /// in mid-vector drops the partial vector; see
    /// [`crate::model::stream::expected_results`]).
    pub resets_before: Vec<usize>,
}

impl Default for Pacing {
    fn default() -> Self {
        Pacing {
            gap_probability: 0.0,
            seed: 1,
            resets_before: Vec::new(),
        }
    }
}

/// Idle cycles run after the last result is due, so that an extra or late
/// `out_valid` is seen.
pub const TAIL_CYCLES: usize = 64;

/// A stream run cycle by cycle: the results and when they came.
#[derive(Clone, Debug)]
pub struct StreamRun {
    /// One entry per `out_valid` cycle after the first reset, in order.
    pub results: Vec<VectorResult>,
    /// The edge after which each result's `out_valid` was high (edges
    /// counted from 0 after the first reset).
    pub result_cycles: Vec<u64>,
    /// The edge that consumed each vector's last pair.
    pub last_cycles: Vec<u64>,
    /// The edge that consumed each pair (resets in mid-vector drop none:
    /// the driver resets only between pairs).
    pub pair_cycles: Vec<u64>,
    /// Edges simulated after the first reset.
    pub cycles: u64,
}

/// Resets the unit, streams `pairs`, collects every `out_valid` until
/// [`TAIL_CYCLES`] idle cycles after the last pair's result is due, and
/// checks each result's cycle against the design's latency (none early,
/// late, lost or extra). While `in_valid` is low the data ports carry
/// random junk, which must not matter.
pub fn run_stream(
    cfg: &UnitConfig,
    design: Design,
    pairs: &[Pair],
    pacing: &Pacing,
) -> Result<Vec<VectorResult>> {
    run_unit(build(cfg, design)?, cfg, design, pairs, pacing)
}

/// [`run_stream`] on a unit already built and connected (a variant
/// [`build`] does not make, such as an accelerator lane); `design` names
/// the timing it is held to.
pub fn run_unit(
    uut: Box<dyn UnitSim>,
    cfg: &UnitConfig,
    design: Design,
    pairs: &[Pair],
    pacing: &Pacing,
) -> Result<Vec<VectorResult>> {
    let run = run_unit_timed(uut, cfg, design, pairs, pacing)?;
    let latencies = result_latencies(cfg, design, pairs);
    crate::design::check_result_timing(&run.last_cycles, &run.result_cycles, |i| {
        latencies.get(i).copied().unwrap_or(0)
    })
    .map_err(|e| anyhow::anyhow!("{} {}: {e}", design.name(), cfg.tag()))?;
    Ok(run.results)
}

/// The latency the model predicts for each vector of `pairs` (one per pair
/// with `last`, in order): what the drivers' timing checks hold results to.
pub fn result_latencies(cfg: &UnitConfig, design: Design, pairs: &[Pair]) -> Vec<u64> {
    pairs
        .iter()
        .filter(|p| p.last)
        .map(|p| design.result_latency(cfg, p) as u64)
        .collect()
}

/// [`run_stream`] without the timing check: the results with their cycles.
pub fn run_stream_timed(
    cfg: &UnitConfig,
    design: Design,
    pairs: &[Pair],
    pacing: &Pacing,
) -> Result<StreamRun> {
    run_unit_timed(build(cfg, design)?, cfg, design, pairs, pacing)
}

fn run_unit_timed(
    mut uut: Box<dyn UnitSim>,
    cfg: &UnitConfig,
    design: Design,
    pairs: &[Pair],
    pacing: &Pacing,
) -> Result<StreamRun> {
    let mut rng = ChaCha8Rng::seed_from_u64(pacing.seed);
    let mut resets: Vec<usize> = pacing.resets_before.clone();
    resets.sort_unstable();
    resets.dedup();
    if let Some(&bad) = resets.iter().find(|&&r| r >= pairs.len()) {
        bail!(
            "resets_before holds {bad}, past the last pair (there are {} pairs)",
            pairs.len()
        );
    }
    let mut resets = resets.into_iter().peekable();
    let mut run = StreamRun {
        results: Vec::new(),
        result_cycles: Vec::new(),
        last_cycles: Vec::new(),
        pair_cycles: Vec::new(),
        cycles: 0,
    };
    let reset = PortsIn {
        reset: true,
        ..Default::default()
    };
    for _ in 0..2 {
        uut.apply(&reset);
        uut.clock();
    }
    // One clock cycle: apply, edge, collect; returns whether a pair was consumed.
    let mut edge: u64 = 0;
    let mut step = |uut: &mut Box<dyn UnitSim>, inputs: &PortsIn, run: &mut StreamRun| -> bool {
        let ready = uut.apply(inputs);
        let fired = !inputs.reset && inputs.in_valid && ready;
        if fired {
            run.pair_cycles.push(edge);
            if inputs.last {
                run.last_cycles.push(edge);
            }
        }
        let out = uut.clock();
        if out.out_valid {
            run.results.push(out.result);
            run.result_cycles.push(edge);
        }
        edge += 1;
        run.cycles = edge;
        fired
    };
    let (a_lo, a_hi) = cfg.a_range();
    let max_latency = pairs
        .iter()
        .filter(|p| p.last)
        .map(|p| design.result_latency(cfg, p))
        .max()
        .unwrap_or(0)
        .max(design.latency(cfg));
    let drain = max_latency + 4;
    let mut next = 0;
    while next < pairs.len() {
        if resets.peek() == Some(&next) {
            // Let every finished vector come out, then reset in mid-vector.
            let mut waited = 0;
            while run.results.len() < run.last_cycles.len() {
                step(&mut uut, &PortsIn::default(), &mut run);
                waited += 1;
                if waited > drain {
                    bail!("the unit did not finish its vectors before a reset");
                }
            }
            resets.next();
            let before = run.results.len();
            step(&mut uut, &reset, &mut run);
            if run.results.len() != before {
                bail!("out_valid was high after a reset edge");
            }
            continue;
        }
        let gap = pacing.gap_probability > 0.0 && rng.gen_bool(pacing.gap_probability);
        let inputs = if !gap {
            let p = pairs[next];
            PortsIn {
                reset: false,
                in_valid: true,
                a: p.a,
                w: p.w,
                thr: p.thr,
                last: p.last,
            }
        } else {
            PortsIn {
                reset: false,
                in_valid: false,
                a: rng.gen_range(a_lo..=a_hi),
                w: 0,
                thr: 0,
                last: rng.gen(),
            }
        };
        if step(&mut uut, &inputs, &mut run) {
            next += 1;
        }
    }
    // Every result is due within the latency; then the tail shows extras.
    for _ in 0..max_latency + TAIL_CYCLES {
        step(&mut uut, &PortsIn::default(), &mut run);
    }
    Ok(run)
}
