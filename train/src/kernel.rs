//! The fast batched integer inference, bit-exact with the golden model's
//! [`IntMlp::infer`] (SPEC section 8): same sums, same wrapping, same
//! overflow flags, same four counters.
//!
//! # Why it is exact
//!
//! For a pair `(a, w, T)` with `a != 0` and `e = e(a)`, plane `k` is kept
//! exactly when `d_k != 0` and `k >= T - e`. So with
//! `kmin = clamp(T - e, 0, P)` the sieved product is
//! `a * tw(w, kmin)`, where `tw(w, kmin) = sign(w) * sum_{k >= kmin} d_k 2^k`
//! is the weight *truncated* to its planes `>= kmin`; the pair keeps the
//! non-zero digits at planes `>= kmin`, sieves the other non-zero digits and
//! counts `P - nnz(w)` planes as `zero_w`; `a == 0` counts `P` planes as
//! `zero_a` and adds nothing. With the per-neuron threshold `T_j` fixed, a
//! layer becomes `a_bits` truncated weight matrices, one per input exponent:
//! `acc_j = sum_i a_i * TW[e(a_i)][i][j]`, an axpy per non-zero input.
//!
//! Sums: when `inputs * max|a| * max|tw|` fits both `i32` and the signed
//! `acc_bits` range, no partial sum can overflow, so the `i32` sum equals
//! the wrapped stream sum and no overflow flag is set (the fast path).
//! Otherwise every step is added in `i128`, wrapped to `acc_bits` and checked
//! exactly like [`DotStream`](sievingnet::model::DotStream), in input order.
//! Counters are exact `u64` sums (the golden MLP does not wrap them either).

use rayon::prelude::*;
use sievingnet::config::{signed_range, UnitConfig};
use sievingnet::model::mlp::{argmax_first, requantize, IntLayer, IntMlp};
use sievingnet::model::stream::wrap_signed;
use sievingnet::model::{exponent, weight_digits, PlaneCounts};

/// For every weight value of a unit: its truncations `tw(w, kmin)` and the
/// number of non-zero digits at planes `>= kmin`, for `kmin` in `0..=P`.
#[derive(Clone, Debug)]
pub struct WeightLut {
    w_lo: i64,
    stride: usize,
    trunc: Vec<i32>,
    above: Vec<u8>,
    /// The largest `|tw|` of any weight and `kmin`.
    max_trunc: u32,
}

impl WeightLut {
    pub fn new(unit: &UnitConfig) -> WeightLut {
        let (lo, hi) = unit.w_range();
        let p = unit.planes() as usize;
        let stride = p + 1;
        let n = (hi - lo + 1) as usize;
        let mut trunc = vec![0i32; n * stride];
        let mut above = vec![0u8; n * stride];
        for w in lo..=hi {
            let d = weight_digits(w, unit.w_bits, unit.coding);
            let base = (w - lo) as usize * stride;
            let (mut s, mut c) = (0i64, 0u8);
            for kmin in (0..=p).rev() {
                if kmin < p {
                    s += d.d[kmin] as i64 * (1i64 << kmin);
                    c += (d.d[kmin] != 0) as u8;
                }
                trunc[base + kmin] = if d.negative { -s } else { s } as i32;
                above[base + kmin] = c;
            }
        }
        let max_trunc = trunc.iter().map(|v| v.unsigned_abs()).max().unwrap_or(0);
        WeightLut {
            w_lo: lo,
            stride,
            trunc,
            above,
            max_trunc,
        }
    }

    #[inline]
    fn idx(&self, w: i64, kmin: usize) -> usize {
        (w - self.w_lo) as usize * self.stride + kmin
    }
    /// `sign(w) * sum_{k >= kmin} d_k 2^k`.
    pub fn trunc(&self, w: i64, kmin: usize) -> i32 {
        self.trunc[self.idx(w, kmin)]
    }
    /// Non-zero digits of `w` at planes `>= kmin`.
    pub fn above(&self, w: i64, kmin: usize) -> u8 {
        self.above[self.idx(w, kmin)]
    }
}

/// One layer prepared for the fast kernel.
#[derive(Clone, Debug)]
pub struct LayerTables {
    pub inputs: usize,
    pub outputs: usize,
    planes: u64,
    /// `TW[e][i][j]` at `(e * inputs + i) * outputs + j`.
    tw: Vec<i32>,
    /// `sum_j kept(e, i, j)` at `e * inputs + i`.
    kept_sum: Vec<u64>,
    /// `sum_j nnz(w_ji)` at `i`.
    nnz_sum: Vec<u64>,
    bias: Vec<i64>,
    shift: u32,
    relu: bool,
    /// Whether the `i32` fast path is exact for every input (see module docs).
    narrow: bool,
}

/// A network prepared for the fast kernel.
#[derive(Clone, Debug)]
pub struct FastMlp {
    pub unit: UnitConfig,
    pub layers: Vec<LayerTables>,
}

impl LayerTables {
    pub fn build(unit: &UnitConfig, lut: &WeightLut, l: &IntLayer) -> LayerTables {
        let (ni, no) = (l.inputs, l.outputs);
        let p = unit.planes() as i64;
        let ne = unit.a_bits as usize;
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
        tw.par_chunks_mut(ni * no)
            .zip(kept_sum.par_chunks_mut(ni))
            .enumerate()
            .for_each(|(e, (tw_e, ks_e))| {
                let kmin: Vec<u32> = l
                    .thresholds
                    .iter()
                    .map(|&t| (t - e as i64).clamp(0, p) as u32)
                    .collect();
                for i in 0..ni {
                    let src = &wt[i * no..(i + 1) * no];
                    let dst = &mut tw_e[i * no..(i + 1) * no];
                    let mut ks = 0u64;
                    for ((d, &w), &k) in dst.iter_mut().zip(src).zip(&kmin) {
                        let idx = (w + k) as usize;
                        *d = lut.trunc[idx];
                        ks += lut.above[idx] as u64;
                    }
                    ks_e[i] = ks;
                }
            });
        let mut nnz_sum = vec![0u64; ni];
        for (i, n) in nnz_sum.iter_mut().enumerate() {
            *n = wt[i * no..(i + 1) * no]
                .iter()
                .map(|&w| lut.above[w as usize] as u64)
                .sum();
        }
        let max_tw = lut.max_trunc as i128;
        let max_a = 1i128 << (unit.a_bits - 1);
        let bound = ni as i128 * max_a * max_tw;
        let (_, acc_hi) = unit.acc_range();
        let narrow = bound <= i32::MAX as i128 && bound <= acc_hi as i128;
        LayerTables {
            inputs: ni,
            outputs: no,
            planes: p as u64,
            tw,
            kept_sum,
            nnz_sum,
            bias: l.bias.clone(),
            shift: l.shift,
            relu: l.relu,
            narrow,
        }
    }

    /// One sample: `y_j = acc_j + b_j` (ReLU applied if the layer has it).
    /// Adds the plane counts to `counts` and, if given, counts each input's
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
        counts: &mut PlaneCounts,
        mut exp_stats: Option<&mut [u64]>,
    ) -> bool {
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
                    acc[j] = wrap_signed(exact, unit.acc_bits);
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

/// The result of one sample, as [`IntMlp::infer`] reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct SampleResult {
    pub logits: Vec<i128>,
    pub prediction: usize,
    pub counts: Vec<PlaneCounts>,
    pub overflow: Vec<bool>,
}

/// Totals over a batch of samples.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BatchResult {
    pub predictions: Vec<usize>,
    /// Plane counts per layer, summed over the samples.
    pub counts: Vec<PlaneCounts>,
    /// Samples where some stream of some layer overflowed.
    pub overflow_samples: usize,
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
        let mut overflow = Vec::with_capacity(self.layers.len());
        let mut logits = Vec::new();
        for (li, l) in self.layers.iter().enumerate() {
            let mut y = vec![0i128; l.outputs];
            let mut c = PlaneCounts::default();
            let stats = exp_stats.as_deref_mut().map(|s| &mut s[li][..]);
            let o = l.forward(
                &self.unit,
                &a,
                &mut y,
                &mut acc32[..l.outputs],
                &mut c,
                stats,
            );
            counts.push(c);
            overflow.push(o);
            let next: Vec<i32> = if li + 1 == self.layers.len() {
                Vec::new()
            } else {
                y.iter()
                    .map(|&v| requantize(v, l.shift, self.unit.a_bits) as i32)
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
            overflow,
        }
    }

    pub fn infer(&self, input: &[i32]) -> SampleResult {
        self.infer_with(input, None, None)
    }

    /// Every sample of a sample-major input array, on all threads.
    pub fn infer_batch(&self, inputs: &[i32], features: usize) -> BatchResult {
        let layers = self.layers.len();
        let per: Vec<(usize, Vec<PlaneCounts>, bool)> = inputs
            .par_chunks(features)
            .map(|x| {
                let r = self.infer(x);
                (r.prediction, r.counts, r.overflow.iter().any(|&o| o))
            })
            .collect();
        let mut out = BatchResult {
            counts: vec![PlaneCounts::default(); layers],
            ..Default::default()
        };
        for (p, c, o) in per {
            out.predictions.push(p);
            for (t, c) in out.counts.iter_mut().zip(&c) {
                t.accumulate(c);
            }
            out.overflow_samples += o as usize;
        }
        out
    }
}

/// Quantizes an activation-range integer (already rounded) into `a_bits`.
pub fn clamp_a(v: i64, a_bits: u32) -> i32 {
    let (lo, hi) = signed_range(a_bits);
    v.clamp(lo, hi) as i32
}

/// `e(a)` as the golden model defines it, for callers that histogram exponents.
pub fn exp_of(a: i32) -> Option<u32> {
    exponent(a as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;
    use sievingnet::config::Coding;

    pub(crate) fn seed() -> u64 {
        std::env::var("SIEVINGNET_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(2024)
    }

    fn random_mlp(rng: &mut ChaCha8Rng, unit: UnitConfig, sizes: &[usize], sparse: f64) -> IntMlp {
        let (wl, wh) = unit.w_range();
        let (tl, th) = unit.t_range();
        let (bl, bh) = unit.acc_range();
        let layers = sizes
            .windows(2)
            .enumerate()
            .map(|(li, s)| {
                let (i, o) = (s[0], s[1]);
                IntLayer {
                    inputs: i,
                    outputs: o,
                    weights: (0..i * o)
                        .map(|_| match rng.gen_range(0..10) {
                            0 => wl,
                            1 => wh,
                            2 => 0,
                            _ => rng.gen_range(wl..=wh),
                        })
                        .collect(),
                    bias: (0..o).map(|_| rng.gen_range(bl / 4..=bh / 4)).collect(),
                    thresholds: (0..o).map(|_| rng.gen_range(tl..=th.min(14))).collect(),
                    shift: if li + 2 == sizes.len() {
                        0
                    } else {
                        rng.gen_range(0..12)
                    },
                    relu: rng.gen_bool(0.7),
                }
            })
            .collect();
        let _ = sparse;
        IntMlp { unit, layers }
    }

    fn check_equal(mlp: &IntMlp, inputs: &[Vec<i64>], seed: u64) {
        let fast = FastMlp::new(mlp);
        for (s, x) in inputs.iter().enumerate() {
            let gold = mlp.infer(x);
            let x32: Vec<i32> = x.iter().map(|&v| v as i32).collect();
            let f = fast.infer(&x32);
            assert_eq!(
                f.logits,
                gold.logits,
                "seed {seed} sample {s} unit {}",
                mlp.unit.tag()
            );
            assert_eq!(f.prediction, gold.prediction, "seed {seed} sample {s}");
            assert_eq!(f.counts, gold.counts, "seed {seed} sample {s}");
            assert_eq!(f.overflow, gold.overflow, "seed {seed} sample {s}");
        }
    }

    fn random_inputs(rng: &mut ChaCha8Rng, unit: &UnitConfig, n: usize, f: usize) -> Vec<Vec<i64>> {
        let (lo, hi) = unit.a_range();
        (0..n)
            .map(|_| {
                (0..f)
                    .map(|_| match rng.gen_range(0..8) {
                        0 | 1 => 0,
                        2 => lo,
                        3 => hi,
                        _ => rng.gen_range(lo..=hi),
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn lut_matches_sieve_pair() {
        use sievingnet::model::sieve_pair;
        for coding in Coding::ALL {
            let unit = UnitConfig::builder()
                .a_bits(4)
                .w_bits(4)
                .coding(coding)
                .build()
                .unwrap();
            let lut = WeightLut::new(&unit);
            let p = unit.planes() as i64;
            for a in -8i64..=7 {
                for w in -8i64..=7 {
                    for t in -2i64..=10 {
                        let r = sieve_pair(&unit, a, w, t);
                        if a == 0 {
                            assert_eq!(r.product, 0);
                            continue;
                        }
                        let e = exponent(a).unwrap() as i64;
                        let kmin = (t - e).clamp(0, p) as usize;
                        assert_eq!(
                            r.product,
                            a * lut.trunc(w, kmin) as i64,
                            "{coding} a {a} w {w} t {t}"
                        );
                        assert_eq!(r.counts.kept, lut.above(w, kmin) as u64);
                        assert_eq!(r.counts.sieved + r.counts.kept, lut.above(w, 0) as u64);
                    }
                }
            }
        }
    }

    #[test]
    fn fast_equals_golden_default_unit() {
        let seed = seed();
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        for coding in Coding::ALL {
            let unit = UnitConfig::builder().coding(coding).build().unwrap();
            let mlp = random_mlp(&mut rng, unit, &[40, 24, 7], 0.3);
            let inputs = random_inputs(&mut rng, &unit, 30, 40);
            check_equal(&mlp, &inputs, seed);
        }
    }

    #[test]
    fn fast_equals_golden_with_overflow_and_odd_widths() {
        let seed = seed();
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x55);
        let units = [
            UnitConfig::new(8, 8, 8, 17, 8, Coding::Ternary).unwrap(),
            UnitConfig::new(8, 8, 8, 17, 8, Coding::Binary).unwrap(),
            UnitConfig::new(16, 16, 8, 40, 32, Coding::Ternary).unwrap(),
            UnitConfig::new(16, 16, 8, 64, 32, Coding::Binary).unwrap(),
            UnitConfig::new(5, 3, 4, 9, 8, Coding::Ternary).unwrap(),
            UnitConfig::new(2, 2, 2, 5, 8, Coding::Binary).unwrap(),
        ];
        let mut saw_overflow = false;
        for unit in units {
            let mlp = random_mlp(&mut rng, unit, &[33, 9, 4], 0.3);
            let inputs = random_inputs(&mut rng, &unit, 25, 33);
            check_equal(&mlp, &inputs, seed);
            saw_overflow |= inputs
                .iter()
                .any(|x| mlp.infer(x).overflow.iter().any(|&o| o));
        }
        assert!(
            saw_overflow,
            "seed {seed}: the narrow accumulators should overflow somewhere"
        );
    }

    #[test]
    fn named_corners() {
        let unit = UnitConfig::default();
        // A vector of length one, the most negative a and w, T above every plane.
        for (a, w, t) in [
            (-128i64, -128i64, 127i64),
            (-128, 127, -128),
            (1, 1, 0),
            (0, -128, 3),
            (127, 85, 9),
        ] {
            let mlp = IntMlp {
                unit,
                layers: vec![IntLayer {
                    inputs: 1,
                    outputs: 1,
                    weights: vec![w],
                    bias: vec![0],
                    thresholds: vec![t],
                    shift: 0,
                    relu: false,
                }],
            };
            check_equal(&mlp, &[vec![a]], 0);
        }
    }

    #[test]
    fn forward_batch_equals_per_sample() {
        let seed = seed();
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 9);
        let unit = UnitConfig::default();
        let mlp = random_mlp(&mut rng, unit, &[37, 21, 6], 0.3);
        let inputs = random_inputs(&mut rng, &unit, 13, 37);
        let flat: Vec<i32> = inputs.iter().flatten().map(|&v| v as i32).collect();
        let fast = FastMlp::new(&mlp);
        let (acts, y) = fast.forward_batch(&flat, 13).expect("narrow");
        for (s, x) in inputs.iter().enumerate() {
            let mut a = Vec::new();
            let x32: Vec<i32> = x.iter().map(|&v| v as i32).collect();
            let r = fast.infer_with(&x32, Some(&mut a), None);
            assert_eq!(
                &y[s * 6..(s + 1) * 6],
                &r.logits[..],
                "seed {seed} sample {s}"
            );
            assert_eq!(
                &acts[1][s * 21..(s + 1) * 21],
                &a[1][..],
                "seed {seed} sample {s}"
            );
        }
        let narrow17 = UnitConfig::new(8, 8, 8, 17, 8, Coding::Ternary).unwrap();
        let wide = random_mlp(&mut rng, narrow17, &[37, 21, 6], 0.3);
        assert!(FastMlp::new(&wide).forward_batch(&flat, 13).is_none());
    }

    #[test]
    fn batch_totals_add_up() {
        let seed = seed();
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 7);
        let unit = UnitConfig::default();
        let mlp = random_mlp(&mut rng, unit, &[20, 10, 3], 0.3);
        let inputs = random_inputs(&mut rng, &unit, 50, 20);
        let flat: Vec<i32> = inputs.iter().flatten().map(|&v| v as i32).collect();
        let b = FastMlp::new(&mlp).infer_batch(&flat, 20);
        let mut want = vec![PlaneCounts::default(); 2];
        for (s, x) in inputs.iter().enumerate() {
            let g = mlp.infer(x);
            assert_eq!(b.predictions[s], g.prediction, "seed {seed}");
            for (w, c) in want.iter_mut().zip(&g.counts) {
                w.accumulate(c);
            }
        }
        assert_eq!(b.counts, want, "seed {seed}");
        assert_eq!(b.counts[0].total(), 50 * 20 * 10 * 9);
    }
}

impl FastMlp {
    /// The batched forward pass of training: every layer's input matrix
    /// (`batch x inputs`, sample-major; layer 0's is `x`) and the last
    /// layer's `y` (`batch x outputs`), computed input-major so that each
    /// table row is reused by every sample of the batch while it is in
    /// cache. Same values as [`FastMlp::infer`] (tested); no counters.
    /// `None` when a layer needs the checked (overflow) path.
    pub fn forward_batch(&self, x: &[i32], batch: usize) -> Option<(Vec<Vec<i32>>, Vec<i128>)> {
        if !self.layers.iter().all(|l| l.narrow) {
            return None;
        }
        let nl = self.layers.len();
        let mut acts: Vec<Vec<i32>> = Vec::with_capacity(nl);
        let mut a = x.to_vec();
        let threads = rayon::current_num_threads().max(1);
        let chunk = batch.div_ceil(threads).max(1);
        for (li, l) in self.layers.iter().enumerate() {
            let (ni, no) = (l.inputs, l.outputs);
            let mut acc = vec![0i32; batch * no];
            acc.par_chunks_mut(chunk * no)
                .zip(a.par_chunks(chunk * ni))
                .for_each(|(acc, a)| {
                    let rows = a.len() / ni;
                    for i in 0..ni {
                        for s in 0..rows {
                            let ai = a[s * ni + i];
                            if ai == 0 {
                                continue;
                            }
                            let e = 31 - ai.unsigned_abs().leading_zeros() as usize;
                            let row = &l.tw[(e * ni + i) * no..(e * ni + i + 1) * no];
                            for (v, &t) in acc[s * no..(s + 1) * no].iter_mut().zip(row) {
                                *v += ai * t;
                            }
                        }
                    }
                });
            let mut y: Vec<i128> = acc
                .chunks(no)
                .flat_map(|r| r.iter().zip(&l.bias).map(|(&v, &b)| v as i128 + b as i128))
                .collect();
            if l.relu {
                y.iter_mut().for_each(|v| *v = (*v).max(0));
            }
            if li + 1 == nl {
                acts.push(a);
                return Some((acts, y));
            }
            let next = y
                .iter()
                .map(|&v| requantize(v, l.shift, self.unit.a_bits) as i32)
                .collect();
            acts.push(std::mem::replace(&mut a, next));
        }
        unreachable!("a network has at least one layer")
    }

    /// Empty statistics for [`FastMlp::infer_with`]: per layer, `a_bits *
    /// inputs` input-exponent counts then `64 * outputs` accumulator-exponent
    /// counts.
    pub fn new_stats(&self) -> Vec<Vec<u64>> {
        let ne = self.unit.a_bits as usize;
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

/// Integer inference with the running-sum threshold rule of the golden
/// model ([`sievingnet::model::running_sum`], element-major order) in place
/// of the static per-neuron thresholds: pair `i` of output `j` is sieved
/// with `T = floor(alpha * e(S)) + beta`, `S` the exact sum of the pairs
/// before it (nothing sieved while `S == 0`); then `y = S + b`, ReLU and
/// requantization as in [`IntMlp::infer`]. `S` is not wrapped (the model's
/// variant has no accumulator width), so no overflow is reported. Not
/// expressible in a ROM: the hardware takes static thresholds.
#[derive(Clone, Debug)]
pub struct RunningSumMlp {
    pub mlp: IntMlp,
    lut: WeightLut,
    /// `T` for every exponent of `S` (0..=63).
    thr_of_e: Vec<i64>,
    /// Per layer, the weights as table offsets, input-major.
    wt: Vec<Vec<u32>>,
}

impl RunningSumMlp {
    pub fn new(
        mlp: &IntMlp,
        rule: sievingnet::model::running_sum::RunningSumRule,
    ) -> RunningSumMlp {
        let lut = WeightLut::new(&mlp.unit);
        let thr_of_e = (0..64).map(|e| rule.threshold(1i64 << e)).collect();
        let wt = mlp
            .layers
            .iter()
            .map(|l| {
                let mut wt = vec![0u32; l.inputs * l.outputs];
                for j in 0..l.outputs {
                    for i in 0..l.inputs {
                        wt[i * l.outputs + j] =
                            ((l.weights[j * l.inputs + i] - lut.w_lo) as usize * lut.stride) as u32;
                    }
                }
                wt
            })
            .collect();
        RunningSumMlp {
            mlp: mlp.clone(),
            lut,
            thr_of_e,
            wt,
        }
    }

    /// One sample; `acts`, if given, receives each layer's input vector.
    pub fn infer_with(&self, input: &[i32], mut acts: Option<&mut Vec<Vec<i32>>>) -> SampleResult {
        let unit = self.mlp.unit;
        let p = unit.planes() as i64;
        let nl = self.mlp.layers.len();
        let mut a: Vec<i32> = input.to_vec();
        let mut counts = Vec::with_capacity(nl);
        let mut logits = Vec::new();
        for (li, l) in self.mlp.layers.iter().enumerate() {
            let no = l.outputs;
            let wt = &self.wt[li];
            let mut s = vec![0i64; no];
            let mut c = PlaneCounts::default();
            for (i, &ai) in a.iter().enumerate() {
                if ai == 0 {
                    c.zero_a += p as u64 * no as u64;
                    continue;
                }
                let e = 31 - ai.unsigned_abs().leading_zeros() as i64;
                for (sj, &w) in s.iter_mut().zip(&wt[i * no..(i + 1) * no]) {
                    let kmin = if *sj == 0 {
                        0
                    } else {
                        let es = 63 - sj.unsigned_abs().leading_zeros() as usize;
                        (self.thr_of_e[es] - e).clamp(0, p) as u32
                    };
                    let nnz = self.lut.above[w as usize] as u64;
                    let kept = self.lut.above[(w + kmin) as usize] as u64;
                    c.kept += kept;
                    c.sieved += nnz - kept;
                    c.zero_w += p as u64 - nnz;
                    *sj += ai as i64 * self.lut.trunc[(w + kmin) as usize] as i64;
                }
            }
            let mut y: Vec<i128> = s
                .iter()
                .zip(&l.bias)
                .map(|(&v, &b)| v as i128 + b as i128)
                .collect();
            if l.relu {
                y.iter_mut().for_each(|v| *v = (*v).max(0));
            }
            counts.push(c);
            let next: Vec<i32> = if li + 1 == nl {
                Vec::new()
            } else {
                y.iter()
                    .map(|&v| requantize(v, l.shift, unit.a_bits) as i32)
                    .collect()
            };
            if let Some(acts) = acts.as_deref_mut() {
                acts.push(std::mem::replace(&mut a, next));
            } else {
                a = next;
            }
            if li + 1 == nl {
                logits = y;
            }
        }
        let prediction = argmax_first(&logits);
        SampleResult {
            logits,
            prediction,
            counts,
            overflow: vec![false; nl],
        }
    }

    pub fn infer_batch(&self, inputs: &[i32], features: usize) -> BatchResult {
        let layers = self.mlp.layers.len();
        let per: Vec<(usize, Vec<PlaneCounts>)> = inputs
            .par_chunks(features)
            .map(|x| {
                let r = self.infer_with(x, None);
                (r.prediction, r.counts)
            })
            .collect();
        let mut out = BatchResult {
            counts: vec![PlaneCounts::default(); layers],
            ..Default::default()
        };
        for (p, c) in per {
            out.predictions.push(p);
            for (t, c) in out.counts.iter_mut().zip(&c) {
                t.accumulate(c);
            }
        }
        out
    }
}

#[cfg(test)]
mod running_sum_tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;
    use sievingnet::config::Coding;
    use sievingnet::model::running_sum::{dot_element_major, RunningSumRule};

    /// The golden reference: each output is the model's element-major dot.
    fn golden(mlp: &IntMlp, rule: RunningSumRule, x: &[i64]) -> (Vec<i128>, Vec<PlaneCounts>) {
        let mut a = x.to_vec();
        let mut counts = Vec::new();
        let mut logits = Vec::new();
        for (li, l) in mlp.layers.iter().enumerate() {
            let mut c = PlaneCounts::default();
            let mut y = Vec::new();
            for j in 0..l.outputs {
                let row = &l.weights[j * l.inputs..(j + 1) * l.inputs];
                let (s, cj) = dot_element_major(&mlp.unit, &a, row, rule);
                c.accumulate(&cj);
                let mut v = s as i128 + l.bias[j] as i128;
                if l.relu {
                    v = v.max(0);
                }
                y.push(v);
            }
            counts.push(c);
            if li + 1 == mlp.layers.len() {
                logits = y;
            } else {
                a = y
                    .iter()
                    .map(|&v| requantize(v, l.shift, mlp.unit.a_bits))
                    .collect();
            }
        }
        (logits, counts)
    }

    #[test]
    fn running_sum_kernel_equals_the_model() {
        let seed = crate::seed_from_env(77);
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        for coding in Coding::ALL {
            let unit = UnitConfig::builder().coding(coding).build().unwrap();
            let sizes = [30usize, 12, 5];
            let layers = sizes
                .windows(2)
                .enumerate()
                .map(|(li, s)| IntLayer {
                    inputs: s[0],
                    outputs: s[1],
                    weights: (0..s[0] * s[1])
                        .map(|_| rng.gen_range(-128..=127))
                        .collect(),
                    bias: (0..s[1]).map(|_| rng.gen_range(-5000..=5000)).collect(),
                    thresholds: vec![0; s[1]],
                    shift: if li == 0 { 7 } else { 0 },
                    relu: li == 0,
                })
                .collect();
            let mlp = IntMlp { unit, layers };
            for rule in [
                RunningSumRule {
                    alpha: 1.0,
                    beta: -6,
                },
                RunningSumRule {
                    alpha: 0.75,
                    beta: -2,
                },
                RunningSumRule {
                    alpha: 1.0,
                    beta: -100,
                },
            ] {
                let rs = RunningSumMlp::new(&mlp, rule);
                for s in 0..20 {
                    let x: Vec<i64> = (0..30)
                        .map(|_| {
                            if rng.gen_bool(0.3) {
                                0
                            } else {
                                rng.gen_range(-128..=127)
                            }
                        })
                        .collect();
                    let (logits, counts) = golden(&mlp, rule, &x);
                    let x32: Vec<i32> = x.iter().map(|&v| v as i32).collect();
                    let r = rs.infer_with(&x32, None);
                    assert_eq!(r.logits, logits, "seed {seed} {coding} {rule:?} sample {s}");
                    assert_eq!(r.counts, counts, "seed {seed} {coding} {rule:?} sample {s}");
                }
            }
        }
    }
}
