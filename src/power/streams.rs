//! The streams a toggle count runs: a ROM's layer streams (every pair the
//! unit computes for the first test samples, layer after layer, with the
//! ROM's thresholds or with the sieve off), and seeded random streams.

use crate::config::UnitConfig;
use crate::model::mlp::LayerOutput;
use crate::model::{run_stream, Pair, PlaneCounts, VectorResult};
use crate::rom::Rom;
use anyhow::{bail, Context, Result};
use rand::Rng;
use serde::Serialize;

/// A stream and what the golden model computes from it.
#[derive(Clone, Debug)]
pub struct Stream {
    /// e.g. `rom sieve on`, `random sieve off`.
    pub name: String,
    /// Whether the pairs carry thresholds that sieve (`false`: every
    /// threshold is the lowest, so nothing is sieved).
    pub sieve: bool,
    /// Inferences the stream holds (0 for a random stream).
    pub inferences: usize,
    pub pairs: Vec<Pair>,
    /// The golden model's results, one per vector.
    pub expected: Vec<VectorResult>,
    /// The golden model's plane counts over the stream.
    pub counts: PlaneCounts,
}

/// What the figures of a stream say about its network.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct StreamFacts {
    pub name: String,
    pub sieve: bool,
    pub inferences: usize,
    pub pairs: usize,
    /// `sieved / (sieved + kept)` of the golden model.
    pub sieved_share: f64,
    /// Pairs with `a = 0`, over all pairs.
    pub zero_a_share: f64,
}

impl Stream {
    pub fn facts(&self) -> StreamFacts {
        let c = &self.counts;
        let eff = (c.sieved + c.kept) as f64;
        let zero_a = self.pairs.iter().filter(|p| p.a == 0).count();
        StreamFacts {
            name: self.name.clone(),
            sieve: self.sieve,
            inferences: self.inferences,
            pairs: self.pairs.len(),
            sieved_share: if eff > 0.0 {
                c.sieved as f64 / eff
            } else {
                0.0
            },
            zero_a_share: zero_a as f64 / self.pairs.len().max(1) as f64,
        }
    }
}

/// A stream of `pairs` with the golden model's results (`inferences`: how
/// many network inferences the pairs make, 0 when they are not a network's).
pub fn from_pairs(
    name: String,
    sieve: bool,
    inferences: usize,
    cfg: &UnitConfig,
    pairs: Vec<Pair>,
) -> Stream {
    let expected = run_stream(cfg, &pairs);
    with_results(name, sieve, inferences, pairs, expected)
}

/// A stream whose golden results are already computed.
fn with_results(
    name: String,
    sieve: bool,
    inferences: usize,
    pairs: Vec<Pair>,
    expected: Vec<VectorResult>,
) -> Stream {
    let mut counts = PlaneCounts::default();
    for r in &expected {
        counts.accumulate(&r.counts());
    }
    Stream {
        name,
        sieve,
        inferences,
        pairs,
        expected,
        counts,
    }
}

/// Whether every threshold of the ROM is `<= 0`: since `e(a) + k >= 0`,
/// such a network never sieves (an exact network).
pub fn rom_is_exact(rom: &Rom) -> bool {
    rom.mlp
        .layers
        .iter()
        .all(|l| l.thresholds.iter().all(|&t| t <= 0))
}

/// The layer streams of the first `samples` test samples of `rom`, in the
/// order the accelerator computes them: layer by layer, sample-major, then
/// output-major. With `sieve` off every threshold is the lowest value, and
/// each layer's inputs come from the exact results of the one before.
pub fn rom_stream(rom: &Rom, samples: usize, sieve: bool) -> Result<Stream> {
    let tests = rom
        .test_set
        .as_ref()
        .context("the ROM has no test_set: the toggle flow runs its test samples")?;
    let n = samples.min(tests.inputs.len());
    if n == 0 {
        bail!("no test sample to run (--samples is 0 or the ROM's test set is empty)");
    }
    let mlp = &rom.mlp;
    let mut acts: Vec<Vec<i64>> = tests.inputs[..n].to_vec();
    let mut pairs = Vec::new();
    let mut expected = Vec::new();
    for (li, layer) in mlp.layers.iter().enumerate() {
        let layer_pairs = mlp.layer_stream(li, &acts, sieve);
        let results = run_stream(&mlp.unit, &layer_pairs);
        let mut next = Vec::with_capacity(n);
        for chunk in results.chunks(layer.outputs) {
            let sums: Vec<i64> = chunk.iter().map(|r| r.sum).collect();
            if let LayerOutput::Next(x) = mlp.finish_layer(li, &sums) {
                next.push(x);
            }
        }
        acts = next;
        pairs.extend(layer_pairs);
        expected.extend(results);
    }
    let name = format!("rom sieve {}", if sieve { "on" } else { "off" });
    Ok(with_results(name, sieve, n, pairs, expected))
}

/// Salt of the random streams' generator (see [`crate::seed::rng`]).
const RANDOM_STREAM_SALT: u64 = 0x0070_6f77_6572;

/// A seeded random stream of `pairs` pairs in vectors of `len`: `a` and `w`
/// uniform over their ranges, each vector's threshold drawn from
/// `thresholds` (the sieve on) or the lowest value (off).
pub fn random_stream(
    cfg: &UnitConfig,
    pairs: usize,
    len: usize,
    thresholds: &[i64],
    sieve: bool,
    seed: u64,
) -> Result<Stream> {
    if pairs == 0 || len == 0 {
        bail!("a random stream needs pairs > 0 and a vector length > 0");
    }
    if sieve && thresholds.is_empty() {
        bail!("a random stream with the sieve on needs thresholds to draw from");
    }
    let mut rng = crate::seed::rng(seed, RANDOM_STREAM_SALT);
    let (a_lo, a_hi) = cfg.a_range();
    let (w_lo, w_hi) = cfg.w_range();
    let t_min = cfg.t_range().0;
    let mut v = Vec::with_capacity(pairs);
    let mut thr = t_min;
    for i in 0..pairs {
        if i % len == 0 && sieve {
            thr = thresholds[rng.gen_range(0..thresholds.len())];
        }
        v.push(Pair {
            a: rng.gen_range(a_lo..=a_hi),
            w: rng.gen_range(w_lo..=w_hi),
            thr,
            last: (i + 1) % len == 0 || i + 1 == pairs,
        });
    }
    let name = format!("random sieve {}", if sieve { "on" } else { "off" });
    Ok(from_pairs(name, sieve, 0, cfg, v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_streams_are_seeded_and_end_vectors() {
        let cfg = UnitConfig::default();
        let a = random_stream(&cfg, 100, 16, &[3, 5], true, 7).unwrap();
        let b = random_stream(&cfg, 100, 16, &[3, 5], true, 7).unwrap();
        assert_eq!(a.pairs, b.pairs);
        assert_eq!(a.expected.len(), 7);
        assert!(a.pairs.last().unwrap().last);
        assert!(a.pairs.iter().all(|p| p.thr == 3 || p.thr == 5));
        let off = random_stream(&cfg, 100, 16, &[], false, 7).unwrap();
        assert!(off.pairs.iter().all(|p| p.thr == -128));
        assert_eq!(off.counts.sieved, 0);
        assert!(random_stream(&cfg, 0, 16, &[], false, 7).is_err());
    }
}
