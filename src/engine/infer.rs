//! A weight ROM's test set through an engine, layer by layer: every dot
//! product is streamed through the engine and checked against the golden
//! model, then bias, ReLU and requantization follow SPEC section 8.

use super::{compute_design, Engine};
use crate::design::Design;
use crate::model::mlp::{argmax_first, LayerOutput};
use crate::model::{run_stream_counting, PlaneCounts};
use crate::rom::Rom;
use anyhow::{bail, Context, Result};

/// What a run of a ROM's test set produced.
#[derive(Clone, Debug)]
pub struct RomRun {
    pub samples: usize,
    /// Pairs streamed through the engine, all layers.
    pub pairs: usize,
    pub predictions: Vec<usize>,
    /// Samples whose prediction equals the label.
    pub correct: usize,
    /// Samples whose prediction differs from the ROM's predictions file.
    pub mismatches: usize,
    /// Plane counts per layer, from the engine's counters.
    pub counts: Vec<PlaneCounts>,
    /// Pairs with at least one kept digit, per layer (the golden model's
    /// count: the units have no such counter).
    pub kept_pairs: Vec<u64>,
    /// Clocks per layer of the design when the input never waits: one per
    /// pair for `parallel`, `max(1, kept digits)` per pair for `serial` (the
    /// model's prediction, which the `rtl` and `verilog` engines are held
    /// to).
    pub cycles: Vec<u64>,
}

/// Runs the first `limit` test samples of `rom` on `engine` with the sieving
/// `design` (`parallel` or `serial`). Fails at the first vector where the
/// engine and the golden model disagree.
pub fn run_rom(rom: &Rom, engine: Engine, design: Design, limit: Option<usize>) -> Result<RomRun> {
    if design == Design::ExactMac {
        bail!(
            "the exact MAC does not sieve, so its results are not the ROM's: run the ROM on \
             --arch parallel or serial (the MAC is measured by `sievingnet area`)"
        );
    }
    let tests = rom
        .test_set
        .as_ref()
        .context("the ROM has no test_set: nothing to run")?;
    let n = limit.unwrap_or(tests.inputs.len()).min(tests.inputs.len());
    if n == 0 {
        bail!("no test sample to run (the limit is 0 or the test set is empty)");
    }
    let mlp = &rom.mlp;
    let cfg = mlp.unit;
    let mut acts: Vec<Vec<i64>> = tests.inputs[..n].to_vec();
    let mut counts = vec![PlaneCounts::default(); mlp.layers.len()];
    let mut cycles = vec![0u64; mlp.layers.len()];
    let mut kept_pairs = vec![0u64; mlp.layers.len()];
    let mut logits: Vec<Vec<i128>> = Vec::with_capacity(n);
    let mut pairs_total = 0;
    for (li, layer) in mlp.layers.iter().enumerate() {
        let pairs = mlp.layer_stream(li, &acts, true);
        pairs_total += pairs.len();
        cycles[li] = pairs
            .iter()
            .map(|p| design.pair_cycles(&cfg, p) as u64)
            .sum();
        // One pass of the golden model: the reference results and the kept
        // pairs (a model-only figure). The model engine is that pass itself.
        let (want, kept) = run_stream_counting(&cfg, &pairs);
        kept_pairs[li] = kept;
        let got = if engine == Engine::Model {
            want
        } else {
            let got = compute_design(&cfg, engine, design, &pairs)?;
            if got.len() != want.len() {
                bail!(
                    "layer {li}: {} results from the {} engine, {} expected",
                    got.len(),
                    engine.name(),
                    want.len()
                );
            }
            if let Some(k) = got.iter().zip(&want).position(|(g, w)| g != w) {
                bail!(
                    "layer {li}, sample {}, output {}: the {} engine gave {:?}, the golden model {:?}",
                    k / layer.outputs,
                    k % layer.outputs,
                    engine.name(),
                    got[k],
                    want[k]
                );
            }
            got
        };
        let mut next = Vec::with_capacity(n);
        for chunk in got.chunks(layer.outputs) {
            for r in chunk {
                counts[li].accumulate(&r.counts());
            }
            let sums: Vec<i64> = chunk.iter().map(|r| r.sum).collect();
            match mlp.finish_layer(li, &sums) {
                LayerOutput::Next(x) => next.push(x),
                LayerOutput::Logits(l) => logits.push(l),
            }
        }
        acts = next;
    }
    let predictions: Vec<usize> = logits.iter().map(|l| argmax_first(l)).collect();
    let mismatches = (0..n)
        .filter(|&s| predictions[s] != tests.predictions[s])
        .count();
    let correct = (0..n)
        .filter(|&s| predictions[s] == tests.labels[s])
        .count();
    Ok(RomRun {
        samples: n,
        pairs: pairs_total,
        predictions,
        correct,
        mismatches,
        counts,
        kept_pairs,
        cycles,
    })
}
