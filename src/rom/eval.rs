//! A ROM's test set through the golden model, against its stored labels
//! and predictions.

use super::Rom;
use crate::model::cost::{Cost, Work};
use crate::model::sieve::PlaneCounts;
use anyhow::{anyhow, Context, Result};
use serde::Serialize;

/// A sample whose stored prediction differs from the golden model's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Mismatch {
    pub sample: usize,
    pub stored: usize,
    pub model: usize,
}

/// What [`evaluate_rom`] found.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RomEvaluation {
    pub samples: usize,
    /// Samples whose golden-model prediction equals the label.
    pub correct: usize,
    pub accuracy: f64,
    /// Plane counts per layer, summed over the test set.
    pub counts: Vec<PlaneCounts>,
    /// `sieved / (sieved + kept)` per layer.
    pub sieved_share: Vec<f64>,
    /// Per layer, the cost model's figures per inference (see
    /// [`crate::model::cost`]).
    pub cost: Vec<Cost>,
    /// The same over the whole network.
    pub total_cost: Cost,
    /// Samples where some output stream of some layer overflowed.
    pub overflow_samples: usize,
    /// Stored predictions that disagree with the golden model (all of them).
    pub mismatches: Vec<Mismatch>,
}

impl RomEvaluation {
    pub fn predictions_match(&self) -> bool {
        self.mismatches.is_empty()
    }
}

/// Runs the ROM's test set through [`IntMlp::infer`](crate::model::mlp::IntMlp::infer) (the golden model, on
/// all cores via `std::thread::scope`) and compares with the stored labels
/// and predictions. Fails if the ROM has no test set.
pub fn evaluate_rom(rom: &Rom) -> Result<RomEvaluation> {
    let t = rom.test_set.as_ref().ok_or_else(|| {
        anyhow!("the ROM has no test_set: write it with its test samples to evaluate it")
    })?;
    let n = t.inputs.len();
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(n.max(1));
    let chunk = n.div_ceil(threads);
    let results: Vec<(usize, Vec<Work>, bool)> = std::thread::scope(|s| {
        let handles: Vec<_> = t
            .inputs
            .chunks(chunk.max(1))
            .map(|rows| {
                s.spawn(move || {
                    rows.iter()
                        .map(|x| {
                            let r = rom.mlp.infer(x);
                            (r.prediction, r.work(), r.overflow.iter().any(|&o| o))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("inference thread panicked"))
            .collect()
    });
    let layers = rom.mlp.layers.len();
    let mut work = vec![Work::default(); layers];
    let mut correct = 0;
    let mut overflow_samples = 0;
    let mut mismatches = Vec::new();
    for (s, (pred, c, ovf)) in results.iter().enumerate() {
        for (acc, c) in work.iter_mut().zip(c) {
            acc.accumulate(c);
        }
        if *pred == t.labels[s] {
            correct += 1;
        }
        if *ovf {
            overflow_samples += 1;
        }
        if *pred != t.predictions[s] {
            mismatches.push(Mismatch {
                sample: s,
                stored: t.predictions[s],
                model: *pred,
            });
        }
    }
    let planes = rom.mlp.unit.planes();
    let cost = work.iter().map(|w| Cost::of(w, planes, n as u64)).collect();
    let total_cost = Cost::of(&Work::total(&work), planes, n as u64);
    let counts: Vec<PlaneCounts> = work.iter().map(|w| w.planes).collect();
    let sieved_share = counts
        .iter()
        .map(|c| {
            let eff = c.sieved + c.kept;
            if eff == 0 {
                0.0
            } else {
                c.sieved as f64 / eff as f64
            }
        })
        .collect();
    Ok(RomEvaluation {
        samples: n,
        correct,
        accuracy: if n == 0 {
            0.0
        } else {
            correct as f64 / n as f64
        },
        counts,
        sieved_share,
        cost,
        total_cost,
        overflow_samples,
        mismatches,
    })
}

/// The predictions the accelerator of `arch` must give on the first `n`
/// test samples: the ROM's file for the sieve, the exact network (every
/// threshold `<= 0`) for `mac`.
pub fn expected_predictions(rom: &Rom, arch: crate::design::Arch, n: usize) -> Result<Vec<usize>> {
    let t = rom
        .test_set
        .as_ref()
        .context("the ROM has no test_set: nothing to run")?;
    Ok(match arch {
        crate::design::Arch::Mac => t.inputs[..n]
            .iter()
            .map(|x| crate::model::mlp::exact_prediction(&rom.mlp, x))
            .collect(),
        _ => t.predictions[..n].to_vec(),
    })
}

/// The counters the accelerator with counters must give on each of
/// `samples`: `[zero_a, zero_w, sieved, kept]` of the golden inference,
/// summed over every layer and wrapped at `2^bits` as its counters wrap.
pub fn expected_counts(rom: &Rom, samples: &[Vec<i64>], bits: u32) -> Vec<[u64; 4]> {
    let mask = if bits >= 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    samples
        .iter()
        .map(|x| {
            let mut total = crate::model::PlaneCounts::default();
            for c in &rom.mlp.infer(x).counts {
                total.accumulate(c);
            }
            [total.zero_a, total.zero_w, total.sieved, total.kept].map(|v| v & mask)
        })
        .collect()
}
