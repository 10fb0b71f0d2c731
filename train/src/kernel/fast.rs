//! The fast integer kernels: one layer as truncated weight matrices, one
//! per input exponent; per sample (with counters) and batched (training).

use super::lut::WeightLut;
use super::{BatchResult, SampleResult};
use rayon::prelude::*;
use sievingnet::config::UnitConfig;
use sievingnet::model::mlp::{argmax_first, requantize, IntLayer, IntMlp};
use sievingnet::model::stream::wrap_signed;
use sievingnet::model::Work;

/// One layer prepared for the fast kernel.
#[derive(Clone, Debug)]
pub struct LayerTables {
    pub inputs: usize,
    pub outputs: usize,
    pub(super) planes: u64,
    /// `TW[e][i][j]` at `(e * inputs + i) * outputs + j`.
    pub(super) tw: Vec<i32>,
    /// `sum_j kept(e, i, j)` at `e * inputs + i`.
    pub(super) kept_sum: Vec<u64>,
    /// Outputs `j` that keep some digit of `w_ji` (`kept(e, i, j) > 0`), at
    /// `e * inputs + i`.
    pub(super) kept_pairs_sum: Vec<u64>,
    /// `sum_j nnz(w_ji)` at `i`.
    pub(super) nnz_sum: Vec<u64>,
    pub(super) bias: Vec<i64>,
    pub(super) shift: u32,
    pub(super) relu: bool,
    /// Whether the `i32` fast path is exact for every input (see module docs).
    pub(super) narrow: bool,
}

/// A network prepared for the fast kernel.
#[derive(Clone, Debug)]
pub struct FastMlp {
    pub unit: UnitConfig,
    pub layers: Vec<LayerTables>,
}

impl LayerTables {
    pub fn build(unit: &UnitConfig, lut: &WeightLut, l: &IntLayer) -> LayerTables {
        let p = unit.planes() as i64;
        LayerTables::build_with(unit, lut, l, |e, j| {
            (l.thresholds[j] - e as i64).clamp(0, p) as u32
        })
    }

    /// The layer with every weight truncated to its planes `>= kmin_of(e,
    /// j)` for inputs of exponent `e` into output `j`: the sieve is
    /// `clamp(T_j - e, 0, P)`; static truncation of the low planes is a
    /// constant (the dropped digits are counted as `sieved`).
    pub fn build_with(
        unit: &UnitConfig,
        lut: &WeightLut,
        l: &IntLayer,
        kmin_of: impl Fn(usize, usize) -> u32 + Sync,
    ) -> LayerTables {
        let (ni, no) = (l.inputs, l.outputs);
        let p = unit.planes() as i64;
        let ne = unit.a_bits() as usize;
        // Weights transposed to input-major table indices, so that every
        // table row (one input, all outputs) is written contiguously.
        let mut wt = vec![0u32; ni * no];
        for j in 0..no {
            for i in 0..ni {
                wt[i * no + j] = ((l.weights[j * ni + i] - lut.w_lo) as usize * lut.stride) as u32;
            }
        }
        let mut tw = vec![0i32; ne * ni * no];
        let mut kept_sum = vec![0u64; ne * ni];
        let mut kept_pairs_sum = vec![0u64; ne * ni];
        tw.par_chunks_mut(ni * no)
            .zip(kept_sum.par_chunks_mut(ni))
            .zip(kept_pairs_sum.par_chunks_mut(ni))
            .enumerate()
            .for_each(|(e, ((tw_e, ks_e), kp_e))| {
                let kmin: Vec<u32> = (0..no).map(|j| kmin_of(e, j)).collect();
                for i in 0..ni {
                    let src = &wt[i * no..(i + 1) * no];
                    let dst = &mut tw_e[i * no..(i + 1) * no];
                    let (mut ks, mut kp) = (0u64, 0u64);
                    for ((d, &w), &k) in dst.iter_mut().zip(src).zip(&kmin) {
                        let idx = (w + k) as usize;
                        *d = lut.trunc[idx];
                        ks += lut.above[idx] as u64;
                        kp += (lut.above[idx] > 0) as u64;
                    }
                    ks_e[i] = ks;
                    kp_e[i] = kp;
                }
            });
        let mut nnz_sum = vec![0u64; ni];
        for (i, n) in nnz_sum.iter_mut().enumerate() {
            *n = wt[i * no..(i + 1) * no]
                .iter()
                .map(|&w| lut.above[w as usize] as u64)
                .sum();
        }
        let narrow = lut.narrow(unit, ni);
        LayerTables {
            inputs: ni,
            outputs: no,
            planes: p as u64,
            tw,
            kept_sum,
            kept_pairs_sum,
            nnz_sum,
            bias: l.bias.clone(),
            shift: l.shift,
            relu: l.relu,
            narrow,
        }
    }

    /// One sample: `y_j = acc_j + b_j` (ReLU applied if the layer has it).
    /// Adds the plane counts and the kept pairs to `work` and, if given, counts each input's
    /// exponent into `exp_stats[e * inputs + i]` and each output's
    /// accumulator exponent `e(acc_j)` into `exp_stats[base + j * 64 + e]`,
    /// `base = exp_stats.len() - 64 * outputs` (for threshold selection).
    /// Returns whether some output stream overflowed.
    pub fn forward(
        &self,
        unit: &UnitConfig,
        a: &[i32],
        y: &mut [i128],
        acc32: &mut [i32],
        work: &mut Work,
        mut exp_stats: Option<&mut [u64]>,
    ) -> bool {
        let counts = &mut work.planes;
        let (ni, no) = (self.inputs, self.outputs);
        debug_assert_eq!(a.len(), ni);
        let full = self.planes * no as u64;
        let mut overflow = false;
        if self.narrow {
            acc32.iter_mut().for_each(|v| *v = 0);
            for (i, &ai) in a.iter().enumerate() {
                if ai == 0 {
                    counts.zero_a += full;
                    continue;
                }
                let e = 31 - ai.unsigned_abs().leading_zeros() as usize;
                let kept = self.kept_sum[e * ni + i];
                let nnz = self.nnz_sum[i];
                work.kept_pairs += self.kept_pairs_sum[e * ni + i];
                counts.kept += kept;
                counts.sieved += nnz - kept;
                counts.zero_w += full - nnz;
                if let Some(s) = exp_stats.as_deref_mut() {
                    s[e * ni + i] += 1;
                }
                let row = &self.tw[(e * ni + i) * no..(e * ni + i + 1) * no];
                for (acc, &t) in acc32.iter_mut().zip(row) {
                    *acc += ai * t;
                }
            }
            for j in 0..no {
                y[j] = acc32[j] as i128 + self.bias[j] as i128;
            }
        } else {
            let (lo, hi) = unit.acc_range();
            let mut acc = vec![0i64; no];
            let mut ovf = vec![false; no];
            for (i, &ai) in a.iter().enumerate() {
                if ai == 0 {
                    counts.zero_a += full;
                    continue;
                }
                let e = 31 - ai.unsigned_abs().leading_zeros() as usize;
                let kept = self.kept_sum[e * ni + i];
                let nnz = self.nnz_sum[i];
                work.kept_pairs += self.kept_pairs_sum[e * ni + i];
                counts.kept += kept;
                counts.sieved += nnz - kept;
                counts.zero_w += full - nnz;
                if let Some(s) = exp_stats.as_deref_mut() {
                    s[e * ni + i] += 1;
                }
                let row = &self.tw[(e * ni + i) * no..(e * ni + i + 1) * no];
                for j in 0..no {
                    let exact = acc[j] as i128 + ai as i128 * row[j] as i128;
                    if exact < lo as i128 || exact > hi as i128 {
                        ovf[j] = true;
                    }
                    acc[j] = wrap_signed(exact, unit.acc_bits());
                }
            }
            for j in 0..no {
                y[j] = acc[j] as i128 + self.bias[j] as i128;
                overflow |= ovf[j];
            }
        }
        if let Some(s) = exp_stats {
            let base = s.len() - 64 * no;
            for j in 0..no {
                let acc = y[j] - self.bias[j] as i128;
                if acc != 0 {
                    let e = (127 - acc.unsigned_abs().leading_zeros() as usize).min(63);
                    s[base + j * 64 + e] += 1;
                }
            }
        }
        if self.relu {
            y.iter_mut().for_each(|v| *v = (*v).max(0));
        }
        overflow
    }
}

impl FastMlp {
    pub fn new(mlp: &IntMlp) -> FastMlp {
        let lut = WeightLut::new(&mlp.unit);
        FastMlp::with_lut(mlp, &lut)
    }

    pub fn with_lut(mlp: &IntMlp, lut: &WeightLut) -> FastMlp {
        FastMlp {
            unit: mlp.unit,
            layers: mlp
                .layers
                .iter()
                .map(|l| LayerTables::build(&mlp.unit, lut, l))
                .collect(),
        }
    }

    /// The network with every weight truncated to its planes `>= kmin`
    /// (static truncation of the low planes; thresholds are ignored).
    pub fn truncated(mlp: &IntMlp, lut: &WeightLut, kmin: u32) -> FastMlp {
        let kmin = kmin.min(mlp.unit.planes());
        FastMlp {
            unit: mlp.unit,
            layers: mlp
                .layers
                .iter()
                .map(|l| LayerTables::build_with(&mlp.unit, lut, l, |_, _| kmin))
                .collect(),
        }
    }

    /// One sample through every layer; `acts`, if given, receives each
    /// layer's input vector (layer 0's is `input`) and `exp_stats[l]` the
    /// exponent counts of layer `l`'s inputs.
    pub fn infer_with(
        &self,
        input: &[i32],
        mut acts: Option<&mut Vec<Vec<i32>>>,
        mut exp_stats: Option<&mut [Vec<u64>]>,
    ) -> SampleResult {
        let maxo = self.layers.iter().map(|l| l.outputs).max().unwrap_or(0);
        let mut acc32 = vec![0i32; maxo];
        let mut a: Vec<i32> = input.to_vec();
        let mut counts = Vec::with_capacity(self.layers.len());
        let mut kept_pairs = Vec::with_capacity(self.layers.len());
        let mut overflow = Vec::with_capacity(self.layers.len());
        let mut logits = Vec::new();
        for (li, l) in self.layers.iter().enumerate() {
            let mut y = vec![0i128; l.outputs];
            let mut c = Work::default();
            let stats = exp_stats.as_deref_mut().map(|s| &mut s[li][..]);
            let o = l.forward(
                &self.unit,
                &a,
                &mut y,
                &mut acc32[..l.outputs],
                &mut c,
                stats,
            );
            counts.push(c.planes);
            kept_pairs.push(c.kept_pairs);
            overflow.push(o);
            let next: Vec<i32> = if li + 1 == self.layers.len() {
                Vec::new()
            } else {
                y.iter()
                    .map(|&v| requantize(v, l.shift, self.unit.a_bits()) as i32)
                    .collect()
            };
            if let Some(acts) = acts.as_deref_mut() {
                acts.push(std::mem::replace(&mut a, next));
            } else {
                a = next;
            }
            if li + 1 == self.layers.len() {
                logits = y;
            }
        }
        let prediction = argmax_first(&logits);
        SampleResult {
            logits,
            prediction,
            counts,
            kept_pairs,
            overflow,
        }
    }

    pub fn infer(&self, input: &[i32]) -> SampleResult {
        self.infer_with(input, None, None)
    }

    /// Every sample of a sample-major input array, on all threads.
    pub fn infer_batch(&self, inputs: &[i32], features: usize) -> BatchResult {
        let per: Vec<SampleResult> = inputs.par_chunks(features).map(|x| self.infer(x)).collect();
        BatchResult::of(self.layers.len(), per)
    }
}

impl FastMlp {
    /// Empty statistics for [`FastMlp::infer_with`]: per layer, `a_bits *
    /// inputs` input-exponent counts then `64 * outputs` accumulator-exponent
    /// counts.
    pub fn new_stats(&self) -> Vec<Vec<u64>> {
        let ne = self.unit.a_bits() as usize;
        self.layers
            .iter()
            .map(|l| vec![0u64; ne * l.inputs + 64 * l.outputs])
            .collect()
    }

    /// Exponent counts of every layer's inputs over a sample-major input
    /// array: `stats[l][e * inputs + i]` is how often input `i` of layer `l`
    /// had exponent `e` (zeros are not counted), followed by the exponents
    /// of every output's accumulator (see [`LayerTables::forward`]).
    pub fn exp_stats_batch(&self, inputs: &[i32], features: usize) -> Vec<Vec<u64>> {
        let zero = || self.new_stats();
        inputs
            .par_chunks(features * 64)
            .map(|chunk| {
                let mut s = zero();
                for x in chunk.chunks(features) {
                    self.infer_with(x, None, Some(&mut s));
                }
                s
            })
            .reduce(zero, |mut a, b| {
                for (x, y) in a.iter_mut().zip(&b) {
                    for (u, v) in x.iter_mut().zip(y) {
                        *u += v;
                    }
                }
                a
            })
    }
}
