//! The batched forward pass of training: the sieved integer network on a
//! whole batch, with no counters and no table of the whole layer.
//!
//! [`FastMlp`](super::FastMlp) builds, for every layer, one truncated weight
//! matrix per input exponent (`a_bits x inputs x outputs` entries): right
//! for evaluation, where one network runs thousands of samples, but a
//! training step changes the weights every batch, and rebuilding the tables
//! cost twice the step's own arithmetic. Here a layer builds only the rows
//! `(exponent, input)` that occur in the batch (about 2,300 of MNIST's 6,272
//! per batch of 128), lists each sample's non-zero inputs as (row, `a`),
//! and sums them strip by strip of 64 outputs, a sample's strip of
//! accumulators held in registers (8 AVX2 vectors where the CPU has AVX2).
//! Same values as [`FastMlp::infer`](super::FastMlp::infer) and the golden
//! model (tested).

use super::lut::WeightLut;
use rayon::prelude::*;
use sievingnet::config::UnitConfig;
use sievingnet::model::mlp::{requantize, IntMlp};

/// One layer: weights as LUT row offsets, input-major, and the first kept
/// plane of each (input exponent, output).
pub(super) struct BatchLayer {
    pub(super) inputs: usize,
    pub(super) outputs: usize,
    /// `(w_ji - w_lo) * stride` at `i * outputs + j`.
    pub(super) wt: Vec<u32>,
    /// `clamp(T_j - e, 0, P)` at `e * outputs + j`.
    kmin: Vec<u32>,
    pub(super) thresholds: Vec<i64>,
    bias: Vec<i64>,
    shift: u32,
    relu: bool,
}

/// A batch's non-zero inputs of one layer: each sample's list of
/// (row, `a`), a row per (exponent, input) that occurs in the batch.
pub(super) struct Nonzeros {
    /// `(e, i)` of each row.
    pub(super) keys: Vec<(usize, usize)>,
    pub(super) nz: Vec<(u32, i32)>,
    /// Sample `s`'s entries are `nz[starts[s]..starts[s + 1]]`.
    pub(super) starts: Vec<usize>,
}

/// One layer as a training step quantizes it: an
/// [`IntLayer`](sievingnet::model::mlp::IntLayer) with `i16` weights
/// (`w_bits <= 16`), borrowing its thresholds.
pub struct StepLayer<'t> {
    pub inputs: usize,
    pub outputs: usize,
    /// `outputs x inputs`, output-major.
    pub weights: Vec<i16>,
    pub bias: Vec<i64>,
    pub thresholds: &'t [i64],
    pub shift: u32,
    pub relu: bool,
}

/// A network prepared for [`BatchMlp::forward`].
pub struct BatchMlp<'a> {
    pub(super) unit: UnitConfig,
    pub(super) lut: &'a WeightLut,
    pub(super) layers: Vec<BatchLayer>,
}

/// Inputs per block of the weights' transposition.
const BLOCK: usize = 16;

impl BatchLayer {
    /// From integer weights `w` (`outputs x inputs`, output-major, as in
    /// [`IntLayer`](sievingnet::model::mlp::IntLayer)); panics if one is
    /// outside the unit's range.
    #[allow(clippy::too_many_arguments)]
    fn new<T: Copy + Into<i64> + Sync>(
        unit: &UnitConfig,
        lut: &WeightLut,
        (ni, no): (usize, usize),
        weights: &[T],
        bias: Vec<i64>,
        thresholds: &[i64],
        shift: u32,
        relu: bool,
    ) -> BatchLayer {
        assert_eq!(weights.len(), ni * no);
        assert_eq!(thresholds.len(), no);
        let p = unit.planes() as i64;
        let (w_lo, w_hi) = unit.w_range();
        // What makes the unchecked table reads sound: every row
        // offset `(w - w_lo) * stride` plus `kmin <= P` is inside the table.
        assert!(
            weights.iter().all(|&w| (w_lo..=w_hi).contains(&w.into())),
            "a weight outside the unit's range"
        );
        // Transposed in blocks of BLOCK inputs, so both sides stay in cache.
        let mut wt = vec![0u32; ni * no];
        wt.par_chunks_mut(BLOCK * no)
            .enumerate()
            .for_each(|(b, dst)| {
                let i0 = b * BLOCK;
                let rows = dst.len() / no;
                for j in 0..no {
                    let src = &weights[j * ni + i0..j * ni + i0 + rows];
                    for (ii, &w) in src.iter().enumerate() {
                        dst[ii * no + j] = ((w.into() - lut.w_lo) as usize * lut.stride) as u32;
                    }
                }
            });
        let kmin = (0..unit.a_bits() as i64)
            .flat_map(|e| thresholds.iter().map(move |&t| (t - e).clamp(0, p) as u32))
            .collect();
        BatchLayer {
            inputs: ni,
            outputs: no,
            wt,
            kmin,
            thresholds: thresholds.to_vec(),
            bias,
            shift,
            relu,
        }
    }
}

impl<'a> BatchMlp<'a> {
    /// `None` when some layer needs the checked (wrapping, overflow) path:
    /// see [`WeightLut::narrow`].
    pub fn new(mlp: &IntMlp, lut: &'a WeightLut) -> Option<BatchMlp<'a>> {
        let unit = mlp.unit;
        if !mlp.layers.iter().all(|l| lut.narrow(&unit, l.inputs)) {
            return None;
        }
        let layers = mlp
            .layers
            .iter()
            .map(|l| {
                BatchLayer::new(
                    &unit,
                    lut,
                    (l.inputs, l.outputs),
                    &l.weights,
                    l.bias.clone(),
                    &l.thresholds,
                    l.shift,
                    l.relu,
                )
            })
            .collect();
        Some(BatchMlp { unit, lut, layers })
    }

    /// Like [`BatchMlp::new`], from layers whose weights are `i16` (what
    /// a training step quantizes to).
    pub fn from_layers(
        unit: UnitConfig,
        lut: &'a WeightLut,
        layers: &[StepLayer<'_>],
    ) -> Option<BatchMlp<'a>> {
        if !layers.iter().all(|l| lut.narrow(&unit, l.inputs)) {
            return None;
        }
        let layers = layers
            .iter()
            .map(|l| {
                BatchLayer::new(
                    &unit,
                    lut,
                    (l.inputs, l.outputs),
                    &l.weights,
                    l.bias.clone(),
                    l.thresholds,
                    l.shift,
                    l.relu,
                )
            })
            .collect();
        Some(BatchMlp { unit, lut, layers })
    }

    /// Every layer's input matrix (`batch x inputs`, sample-major; layer 0's
    /// is `x`) and the last layer's `y = acc + b` (`batch x outputs`, ReLU
    /// applied if the layer has it).
    pub fn forward(&self, x: &[i32], batch: usize) -> (Vec<Vec<i32>>, Vec<i128>) {
        assert_eq!(
            x.len(),
            batch * self.layers[0].inputs,
            "x is batch x inputs"
        );
        let nl = self.layers.len();
        let mut acts: Vec<Vec<i32>> = Vec::with_capacity(nl);
        let mut a = x.to_vec();
        for (li, l) in self.layers.iter().enumerate() {
            let acc = self.layer_acc(l, &a, batch);
            let y = |k: usize| {
                let v = acc[k] as i128 + l.bias[k % l.outputs] as i128;
                if l.relu {
                    v.max(0)
                } else {
                    v
                }
            };
            if li + 1 == nl {
                acts.push(a);
                return (acts, (0..acc.len()).map(y).collect());
            }
            let next = (0..acc.len())
                .map(|k| requantize(y(k), l.shift, self.unit.a_bits()) as i32)
                .collect();
            acts.push(std::mem::replace(&mut a, next));
        }
        unreachable!("a network has at least one layer")
    }

    /// The non-zero entries of `a` (`batch x ni`), by (exponent, input) row.
    pub(super) fn nonzeros(&self, ni: usize, a: &[i32], batch: usize) -> Nonzeros {
        const NONE: u32 = u32::MAX;
        let mut slot = vec![NONE; self.unit.a_bits() as usize * ni];
        let mut keys: Vec<(usize, usize)> = Vec::new();
        let mut nz: Vec<(u32, i32)> = Vec::with_capacity(a.len() / 4);
        let mut starts = Vec::with_capacity(batch + 1);
        for row in a.chunks(ni) {
            starts.push(nz.len());
            for (i, &v) in row.iter().enumerate() {
                if v != 0 {
                    let e = exp_of(v) as usize;
                    let k = &mut slot[e * ni + i];
                    if *k == NONE {
                        *k = keys.len() as u32;
                        keys.push((e, i));
                    }
                    nz.push((*k, v));
                }
            }
        }
        starts.push(nz.len());
        Nonzeros { keys, nz, starts }
    }

    /// `acc_sj = sum_i a_si * tw(w_ji, kmin(e(a_si), j))`, `batch x outputs`.
    fn layer_acc(&self, l: &BatchLayer, a: &[i32], batch: usize) -> Vec<i32> {
        let (ni, no) = (l.inputs, l.outputs);
        let Nonzeros { keys, nz, starts } = self.nonzeros(ni, a, batch);
        // The truncated rows, all outputs each.
        let mut rows = vec![0i32; keys.len() * no];
        rows.par_chunks_mut(no)
            .zip(keys.par_iter())
            .for_each(|(dst, &(e, i))| {
                let wrow = &l.wt[i * no..(i + 1) * no];
                let krow = &l.kmin[e * no..(e + 1) * no];
                for ((d, &wo), &k) in dst.iter_mut().zip(wrow).zip(krow) {
                    // SAFETY: `BatchMlp::new` checked every weight is in the
                    // unit's range, so `wo + k` (k <= P) is inside the table.
                    *d = unsafe { *self.lut.trunc.get_unchecked((wo + k) as usize) };
                }
            });
        // Strips of output columns, one task each; a sample's strip of
        // accumulators stays in registers while its inputs add to it.
        let strips: Vec<usize> = (0..no).step_by(STRIP).collect();
        let parts: Vec<Vec<i32>> = strips
            .par_iter()
            .map(|&c0| {
                let sw = STRIP.min(no - c0);
                let mut out = vec![0i32; batch * sw];
                strip(&rows, no, c0, sw, &nz, &starts, &mut out);
                out
            })
            .collect();
        let mut acc = vec![0i32; batch * no];
        for (&c0, part) in strips.iter().zip(&parts) {
            let sw = STRIP.min(no - c0);
            for (s, src) in part.chunks(sw).enumerate() {
                acc[s * no + c0..s * no + c0 + sw].copy_from_slice(src);
            }
        }
        acc
    }
}

/// `e(a)` of a non-zero `a`.
#[inline(always)]
fn exp_of(a: i32) -> u32 {
    31 - a.unsigned_abs().leading_zeros()
}

/// Output columns per strip: eight AVX2 registers of accumulators.
const STRIP: usize = 64;

/// One strip (`c0..c0 + sw`) of every sample's accumulators into `out`
/// (`batch x sw`).
fn strip(
    rows: &[i32],
    no: usize,
    c0: usize,
    sw: usize,
    nz: &[(u32, i32)],
    starts: &[usize],
    out: &mut [i32],
) {
    #[cfg(target_arch = "x86_64")]
    if sw == STRIP && std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2 (checked just above).
        return unsafe { strip_full_avx2(rows, no, c0, nz, starts, out) };
    }
    if sw == STRIP {
        return strip_full(rows, no, c0, nz, starts, out);
    }
    for (s, o) in out.chunks_mut(sw).enumerate() {
        for &(k, a) in &nz[starts[s]..starts[s + 1]] {
            let row = &rows[k as usize * no + c0..k as usize * no + c0 + sw];
            for (v, &t) in o.iter_mut().zip(row) {
                *v += a * t;
            }
        }
    }
}

/// [`strip_full`] compiled for AVX2 (8 lanes of `i32` multiply-add).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn strip_full_avx2(
    rows: &[i32],
    no: usize,
    c0: usize,
    nz: &[(u32, i32)],
    starts: &[usize],
    out: &mut [i32],
) {
    strip_full(rows, no, c0, nz, starts, out)
}

#[inline(always)]
fn strip_full(
    rows: &[i32],
    no: usize,
    c0: usize,
    nz: &[(u32, i32)],
    starts: &[usize],
    out: &mut [i32],
) {
    for (s, o) in out.chunks_exact_mut(STRIP).enumerate() {
        let mut acc = [0i32; STRIP];
        for &(k, a) in &nz[starts[s]..starts[s + 1]] {
            let base = k as usize * no + c0;
            let row: &[i32; STRIP] = rows[base..base + STRIP].try_into().unwrap();
            for (v, &t) in acc.iter_mut().zip(row) {
                *v += a * t;
            }
        }
        o.copy_from_slice(&acc);
    }
}
