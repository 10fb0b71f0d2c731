//! Quantization of a float [`Net`] to the unit's integer formats, and the
//! choice of the per-neuron sieve thresholds.
//!
//! # Formats and scales
//!
//! * Input: `a = clamp(round(x * in_mult), a_min, a_max)` where `x` is the
//!   normalized feature and `in_mult = a_max / max|x|` over the training
//!   set. `round` is round half away from zero; `clamp` saturates. The input
//!   scale is `s_a0 = 1 / in_mult`.
//! * Weights, per layer: `s_w = c / w_max`, `w = clamp(round(W / s_w),
//!   -w_max, w_max)` (symmetric, `w_max = 2^(w_bits-1) - 1`, `w_min` never
//!   used). The clipping level `c` is `max|W|` ([`WeightScale::Max`]), or
//!   the multiple `r * max|W|`, `r` in `0.05, 0.10, ..., 1`, with the least
//!   squared rounding error ([`WeightScale::Mse`]; at 2 and 3 bits `max|W|`
//!   rounds most weights to zero).
//! * Accumulator: the stream sums `a * w` in units of `s_y = s_a * s_w`.
//!   Bias `b = clamp(round(B / s_y))` in `acc_bits`.
//! * Between layers the SPEC's requantization `clamp((y + 2^(shift-1)) >>
//!   shift)` (round half up, saturate) gives the next input at scale
//!   `s_a' = s_y * 2^shift`. `shift` is chosen per layer from the float
//!   network's activations on calibration data: the smallest shift that
//!   puts the `act_percentile` percentile of the ReLU outputs at or below
//!   `a_max`.
//!
//! # Thresholds (acceptance rate `im`)
//!
//! A neuron's effective terms are its non-zero digit planes with a non-zero
//! input; term `(i, k)` has size exponent `e(a_i) + k` and is sieved when
//! that is below the neuron's threshold `T`. From the inputs' exponent
//! counts of the previous pass over the data (`N[e][i]`, how often input
//! `i` had exponent `e`) and the current weights, each neuron gets the
//! histogram of its term exponents, and `T_j` is the largest threshold that
//! keeps the fraction of its terms closest to `im`. `im = 1` keeps
//! everything (`T = 0`).

use crate::data::Dataset;
use crate::kernel::{BatchMlp, StepLayer, WeightLut};
use crate::net::Net;
use rayon::prelude::*;
use sievingnet::model::mlp::{IntLayer, IntMlp};
use sievingnet::UnitConfig;

/// The largest `|v|` (0 for an empty slice; NaNs are ignored, as
/// `f32::max` ignores them, so the order of the reduction does not matter).
pub fn max_abs(w: &[f32]) -> f32 {
    w.par_chunks(1 << 14)
        .map(|c| {
            // Eight running maxima: one chain would wait on every compare.
            let mut m = [0f32; 8];
            for v in c.chunks(8) {
                for (mi, &x) in m.iter_mut().zip(v) {
                    *mi = mi.max(x.abs());
                }
            }
            m.into_iter().fold(0f32, f32::max)
        })
        .reduce(|| 0f32, f32::max)
}

/// Round half away from zero, then saturate to `lo..=hi`.
pub fn round_clamp(x: f64, lo: i64, hi: i64) -> i64 {
    // `f64::round` without its library call (a training step rounds every
    // weight): `as` truncates toward zero and saturates (NaN gives 0), and
    // `x - t` is exact, so this is rounding half away from zero.
    // Branch-free: a weight's fraction is a coin toss for the predictor.
    let t = x as i64;
    let f = x - t as f64;
    let r = t
        .saturating_add((f >= 0.5) as i64)
        .saturating_sub((f <= -0.5) as i64);
    r.clamp(lo, hi)
}

/// The scales of one quantized layer.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct LayerScales {
    /// Input scale: a real input is `a * s_a`.
    pub s_a: f64,
    /// Weight scale: a real weight is `w * s_w`.
    pub s_w: f64,
    /// Accumulator scale `s_a * s_w`.
    pub s_y: f64,
}

/// The integer network and the scales it was made with.
#[derive(Clone, Debug)]
pub struct Quantized {
    pub mlp: IntMlp,
    pub scales: Vec<LayerScales>,
}

/// How a layer's weight scale is chosen (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum WeightScale {
    /// The largest weight maps to `w_max`.
    Max,
    /// The clipping level with the least squared rounding error.
    Mse,
}

/// Weights sampled for the clipping search: a strided subset keeps the
/// search cheap enough for every training step.
const MSE_SAMPLE: usize = 4096;

/// The weight scale of one layer whose largest magnitude is `max > 0`.
fn weight_scale(w: &[f32], max: f64, w_max: i64, mode: WeightScale) -> f64 {
    match mode {
        WeightScale::Max => max / w_max as f64,
        WeightScale::Mse => {
            let step = (w.len() / MSE_SAMPLE).max(1);
            let err = |s: f64| -> f64 {
                w.iter()
                    .step_by(step)
                    .map(|&v| {
                        let v = v as f64;
                        let d = v - s * round_clamp(v / s, -w_max, w_max) as f64;
                        d * d
                    })
                    .sum()
            };
            // Largest ratio first, so ties keep the wider range.
            (1..=20)
                .rev()
                .map(|i| max * i as f64 / 20.0 / w_max as f64)
                .map(|s| (s, err(s)))
                .fold((0.0, f64::INFINITY), |b, c| if c.1 < b.1 { c } else { b })
                .0
        }
    }
}

/// Every layer's scales as [`quantize`] chooses them.
fn scales_of(
    net: &Net,
    unit: &UnitConfig,
    in_mult: f64,
    shifts: &[u32],
    scale: WeightScale,
) -> Vec<LayerScales> {
    let (_, w_max) = unit.w_range();
    let nl = net.layers.len();
    let mut s_a = 1.0 / in_mult;
    let mut scales = Vec::with_capacity(nl);
    for (li, l) in net.layers.iter().enumerate() {
        let max = max_abs(&l.w) as f64;
        let s_w = if max > 0.0 {
            weight_scale(&l.w, max, w_max, scale)
        } else {
            1.0
        };
        let s_y = s_a * s_w;
        scales.push(LayerScales { s_a, s_w, s_y });
        let shift = if li + 1 == nl { 0 } else { shifts[li] };
        s_a = s_y * (1u64 << shift) as f64;
    }
    scales
}

/// Quantizes `net` with input multiplier `in_mult`, the given hidden-layer
/// shifts and thresholds (one `Vec` per layer), weight scales by `scale`.
pub fn quantize(
    net: &Net,
    unit: &UnitConfig,
    in_mult: f64,
    shifts: &[u32],
    thresholds: &[Vec<i64>],
    scale: WeightScale,
) -> Quantized {
    let (_, w_max) = unit.w_range();
    let (b_lo, b_hi) = unit.acc_range();
    let scales = scales_of(net, unit, in_mult, shifts, scale);
    let nl = net.layers.len();
    let layers = net
        .layers
        .iter()
        .zip(&scales)
        .enumerate()
        .map(|(li, (l, sc))| {
            let last = li + 1 == nl;
            IntLayer {
                inputs: l.inputs,
                outputs: l.outputs,
                weights: l
                    .w
                    .par_iter()
                    .map(|&v| round_clamp(v as f64 / sc.s_w, -w_max, w_max))
                    .collect(),
                bias: l
                    .b
                    .iter()
                    .map(|&v| round_clamp(v as f64 / sc.s_y, b_lo, b_hi))
                    .collect(),
                thresholds: thresholds[li].clone(),
                shift: if last { 0 } else { shifts[li] },
                relu: !last,
            }
        })
        .collect();
    Quantized {
        mlp: IntMlp {
            unit: *unit,
            layers,
        },
        scales,
    }
}

/// The weights a quantization-aware backward pass uses: `w * s_w` of every
/// layer, `outputs x inputs`.
pub fn dequantized_weights(q: &Quantized) -> Vec<Vec<f32>> {
    q.mlp
        .layers
        .iter()
        .zip(&q.scales)
        .map(|(l, sc)| {
            l.weights
                .iter()
                .map(|&w| w as f32 * sc.s_w as f32)
                .collect()
        })
        .collect()
}

/// A training step's network: what [`quantize`] makes, straight into the
/// batched kernel and the backward pass's weights, with no [`IntMlp`] in
/// between (rounding every weight into an `i64` matrix and transposing it
/// again cost as much as the step's arithmetic).
pub struct StepNet<'a> {
    pub forward: BatchMlp<'a>,
    /// As [`dequantized_weights`].
    pub wq: Vec<Vec<f32>>,
    pub scales: Vec<LayerScales>,
}

/// [`quantize`] for a training step (same weights, biases, thresholds and
/// scales; tested), or `None` when some layer needs the checked path (see
/// [`WeightLut::narrow`]).
pub fn quantize_step<'a>(
    net: &Net,
    unit: &UnitConfig,
    in_mult: f64,
    shifts: &[u32],
    thresholds: &[Vec<i64>],
    scale: WeightScale,
    lut: &'a WeightLut,
) -> Option<StepNet<'a>> {
    if !net.layers.iter().all(|l| lut.narrow(unit, l.inputs)) {
        return None;
    }
    let (_, w_max) = unit.w_range();
    let (b_lo, b_hi) = unit.acc_range();
    let scales = scales_of(net, unit, in_mult, shifts, scale);
    let nl = net.layers.len();
    let mut wq = Vec::with_capacity(nl);
    let mut layers = Vec::with_capacity(nl);
    for (li, (l, sc)) in net.layers.iter().zip(&scales).enumerate() {
        let mut q = vec![0i16; l.w.len()];
        let mut f = vec![0f32; l.w.len()];
        const CHUNK: usize = 1 << 14;
        q.par_chunks_mut(CHUNK)
            .zip(f.par_chunks_mut(CHUNK))
            .zip(l.w.par_chunks(CHUNK))
            .for_each(|((q, f), w)| {
                for ((q, f), &v) in q.iter_mut().zip(f.iter_mut()).zip(w) {
                    // |v| <= w_max <= 2^15 - 1: w_bits <= 16.
                    let r = round_clamp(v as f64 / sc.s_w, -w_max, w_max);
                    *q = r as i16;
                    *f = r as f32 * sc.s_w as f32;
                }
            });
        let last = li + 1 == nl;
        layers.push(StepLayer {
            inputs: l.inputs,
            outputs: l.outputs,
            weights: q,
            bias: l
                .b
                .iter()
                .map(|&v| round_clamp(v as f64 / sc.s_y, b_lo, b_hi))
                .collect(),
            thresholds: &thresholds[li],
            shift: if last { 0 } else { shifts[li] },
            relu: !last,
        });
        wq.push(f);
    }
    let forward = BatchMlp::from_layers(*unit, lut, &layers)?;
    Some(StepNet {
        forward,
        wq,
        scales,
    })
}

/// `in_mult = a_max / max|x|` over a normalized data set.
pub fn input_multiplier(unit: &UnitConfig, x: &Dataset) -> f64 {
    let m = x.x.iter().fold(0f32, |m, &v| m.max(v.abs())) as f64;
    let (_, a_max) = unit.a_range();
    if m > 0.0 {
        a_max as f64 / m
    } else {
        1.0
    }
}

/// Quantizes normalized samples to `a_bits` integers.
pub fn quantize_inputs(unit: &UnitConfig, in_mult: f64, x: &[f32]) -> Vec<i32> {
    let (lo, hi) = unit.a_range();
    x.iter()
        .map(|&v| round_clamp(v as f64 * in_mult, lo, hi) as i32)
        .collect()
}

/// The `p`-th percentile (0..=100) of the positive values, 0 if none.
fn percentile_positive(v: &[f32], p: f64) -> f64 {
    let mut pos: Vec<f32> = v.iter().copied().filter(|&x| x > 0.0).collect();
    if pos.is_empty() {
        return 0.0;
    }
    let k = (((pos.len() - 1) as f64) * p / 100.0).round() as usize;
    let (_, x, _) = pos.select_nth_unstable_by(k, |a, b| a.partial_cmp(b).unwrap());
    *x as f64
}

/// Chooses every hidden layer's shift from the float activations of
/// `calib` (normalized samples), layer by layer (see the module docs).
pub fn choose_shifts(
    net: &Net,
    unit: &UnitConfig,
    in_mult: f64,
    calib: &Dataset,
    act_percentile: f64,
    scale: WeightScale,
) -> Vec<u32> {
    let acts = net.forward(&calib.x, calib.len());
    let (_, a_max) = unit.a_range();
    let (_, w_max) = unit.w_range();
    let mut s_a = 1.0 / in_mult;
    let mut shifts = Vec::new();
    for (li, l) in net.layers.iter().enumerate() {
        if li + 1 == net.layers.len() {
            shifts.push(0);
            break;
        }
        let max = max_abs(&l.w) as f64;
        let s_w = if max > 0.0 {
            weight_scale(&l.w, max, w_max, scale)
        } else {
            1.0
        };
        let s_y = s_a * s_w;
        let p = percentile_positive(&acts[li + 1], act_percentile);
        // Smallest shift with p / (s_y * 2^shift) <= a_max.
        let need = if p > 0.0 {
            (p / (s_y * a_max as f64)).log2().ceil()
        } else {
            0.0
        };
        let shift = need.clamp(0.0, 62.0) as u32;
        shifts.push(shift);
        s_a = s_y * (1u64 << shift) as f64;
    }
    shifts
}

/// How the per-neuron thresholds are chosen for an acceptance rate `im`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ThresholdMode {
    /// Each neuron keeps the fraction of its own terms closest to `im`.
    Quantile,
    /// `T_j = E_j - m`: `E_j` the median exponent of neuron `j`'s
    /// accumulator on the calibration data (its previous outputs), `m` one
    /// margin per layer, chosen so the layer keeps the fraction of its terms
    /// closest to `im`. Neurons with large outputs sieve more.
    Output,
}

/// Histogram of the size exponents `e(a_i) + k` of every neuron's terms
/// (non-zero input, non-zero digit), weighted by how often input `i` had
/// exponent `e`: `hist[j][e + k]`.
pub fn term_histograms(
    unit: &UnitConfig,
    lut: &WeightLut,
    layer: &IntLayer,
    exp_stats: &[u64],
) -> Vec<Vec<u64>> {
    let (ni, no) = (layer.inputs, layer.outputs);
    let p = unit.planes() as usize;
    let ne = unit.a_bits() as usize;
    (0..no)
        .map(|j| {
            let mut hist = vec![0u64; ne + p];
            for i in 0..ni {
                let w = layer.weights[j * ni + i];
                if w == 0 {
                    continue;
                }
                for e in 0..ne {
                    let n = exp_stats[e * ni + i];
                    if n == 0 {
                        continue;
                    }
                    for k in 0..p {
                        if lut.above(w, k) != lut.above(w, k + 1) {
                            hist[e + k] += n;
                        }
                    }
                }
            }
            hist
        })
        .collect()
}

/// Per-neuron thresholds of one layer for acceptance rate `im` (module
/// docs). `stats` is the layer's part of [`crate::kernel::FastMlp::new_stats`]:
/// `stats[e * inputs + i]` counts how often input `i` had exponent `e`, then
/// the accumulator exponents of every output.
pub fn choose_thresholds(
    unit: &UnitConfig,
    lut: &WeightLut,
    layer: &IntLayer,
    stats: &[u64],
    im: f64,
    mode: ThresholdMode,
) -> Vec<i64> {
    let no = layer.outputs;
    let (t_lo, t_hi) = unit.t_range();
    if im >= 1.0 {
        return vec![0; no];
    }
    let hists = term_histograms(unit, lut, layer, stats);
    let clamp = |t: i64| t.clamp(t_lo.max(0), t_hi);
    match mode {
        ThresholdMode::Quantile => hists
            .iter()
            .map(|hist| {
                let total: u64 = hist.iter().sum();
                if total == 0 {
                    return 0;
                }
                // The threshold whose kept fraction is closest to im.
                let target = im.max(0.0) * total as f64;
                let mut kept = 0u64;
                let mut best = (f64::INFINITY, 0i64);
                for b in (0..hist.len()).rev() {
                    kept += hist[b];
                    let d = (kept as f64 - target).abs();
                    if d < best.0 {
                        best = (d, b as i64);
                    }
                }
                clamp(best.1)
            })
            .collect(),
        ThresholdMode::Output => {
            let base = stats.len() - 64 * no;
            let median: Vec<i64> = (0..no)
                .map(|j| {
                    let h = &stats[base + j * 64..base + (j + 1) * 64];
                    let n: u64 = h.iter().sum();
                    let mut c = 0u64;
                    for (e, &v) in h.iter().enumerate() {
                        c += v;
                        if 2 * c >= n && n > 0 {
                            return e as i64;
                        }
                    }
                    0
                })
                .collect();
            let total: u64 = hists.iter().flatten().sum();
            if total == 0 {
                return vec![0; no];
            }
            let target = im.max(0.0) * total as f64;
            let kept_at = |m: i64| -> u64 {
                hists
                    .iter()
                    .zip(&median)
                    .map(|(h, &e)| {
                        let t = clamp(e - m).max(0) as usize;
                        h.iter().skip(t).sum::<u64>()
                    })
                    .sum()
            };
            let mut best = (f64::INFINITY, 0i64);
            for m in -70..70 {
                let d = (kept_at(m) as f64 - target).abs();
                if d < best.0 {
                    best = (d, m);
                }
            }
            median.iter().map(|&e| clamp(e - best.1)).collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::FastMlp;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn rounding_is_half_away_and_saturates() {
        assert_eq!(round_clamp(2.5, -128, 127), 3);
        assert_eq!(round_clamp(-2.5, -128, 127), -3);
        assert_eq!(round_clamp(1e9, -128, 127), 127);
        assert_eq!(round_clamp(-1e9, -128, 127), -128);
        assert_eq!(round_clamp(f64::NAN, -128, 127), 0);
        assert_eq!(round_clamp(f64::INFINITY, -128, 127), 127);
        assert_eq!(round_clamp(f64::NEG_INFINITY, -128, 127), -128);
        assert_eq!(round_clamp(0.49999999999999994, -128, 127), 0);
        assert_eq!(round_clamp(-0.49999999999999994, -128, 127), 0);
    }

    #[test]
    fn a_training_step_quantizes_as_quantize_does() {
        let seed = sievingnet::seed::from_env(17);
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        for (w_bits, coding, scale) in [
            (8, sievingnet::config::Coding::Ternary, WeightScale::Max),
            (3, sievingnet::config::Coding::Binary, WeightScale::Mse),
            (16, sievingnet::config::Coding::Ternary, WeightScale::Max),
        ] {
            let unit = UnitConfig::builder()
                .w_bits(w_bits)
                .coding(coding)
                .build()
                .unwrap();
            let lut = WeightLut::new(&unit);
            let net = Net::new(&[30, 70, 5], &mut rng);
            let shifts = vec![rng.gen_range(4..9), 0];
            let thresholds: Vec<Vec<i64>> = net
                .layers
                .iter()
                .map(|l| (0..l.outputs).map(|_| rng.gen_range(-2..14)).collect())
                .collect();
            let in_mult = 100.0;
            let q = quantize(&net, &unit, in_mult, &shifts, &thresholds, scale);
            let step = quantize_step(&net, &unit, in_mult, &shifts, &thresholds, scale, &lut);
            if !lut.narrow(&unit, 70) {
                assert!(step.is_none(), "seed {seed}: w{w_bits} cannot sum in i32");
                continue;
            }
            let step = step.expect("narrow");
            assert_eq!(step.scales, q.scales, "seed {seed} w{w_bits}");
            assert_eq!(step.wq, dequantized_weights(&q), "seed {seed} w{w_bits}");
            let (lo, hi) = unit.a_range();
            let batch = 9;
            let x: Vec<i32> = (0..batch * 30)
                .map(|_| match rng.gen_range(0..3) {
                    0 => 0,
                    _ => rng.gen_range(lo..=hi) as i32,
                })
                .collect();
            let want = BatchMlp::new(&q.mlp, &lut).unwrap().forward(&x, batch);
            assert_eq!(
                step.forward.forward(&x, batch),
                want,
                "seed {seed} w{w_bits}"
            );
        }
    }

    #[test]
    fn rounding_equals_the_library_round() {
        let seed = sievingnet::seed::from_env(13);
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let (lo, hi) = (-(1i64 << 40), 1i64 << 40);
        for n in 0..200_000 {
            let x: f64 = match n % 4 {
                0 => rng.gen_range(-300.0..300.0),
                // Exact halves and their neighbours.
                1 => rng.gen_range(-300i64..300) as f64 + 0.5,
                2 => f64::from_bits((rng.gen_range(-300i64..300) as f64 + 0.5).to_bits() ^ 1),
                _ => rng.gen_range(-2e12..2e12),
            };
            let want = (x.round() as i64).clamp(lo, hi);
            assert_eq!(round_clamp(x, lo, hi), want, "seed {seed}: x = {x:e}");
        }
    }

    #[test]
    fn thresholds_track_the_acceptance_rate() {
        let seed = sievingnet::seed::from_env(11);
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let unit = UnitConfig::default();
        let lut = WeightLut::new(&unit);
        let (ni, no) = (64, 16);
        let layer = IntLayer {
            inputs: ni,
            outputs: no,
            weights: (0..ni * no).map(|_| rng.gen_range(-128..=127)).collect(),
            bias: vec![0; no],
            thresholds: vec![0; no],
            shift: 0,
            relu: false,
        };
        let inputs: Vec<i32> = (0..200 * ni).map(|_| rng.gen_range(-128..=127)).collect();
        // Exponent statistics from one pass.
        let mlp = IntMlp {
            unit,
            layers: vec![layer.clone()],
        };
        let fast = FastMlp::new(&mlp);
        let mut stats = fast.new_stats();
        for x in inputs.chunks(ni) {
            fast.infer_with(x, None, Some(&mut stats));
        }
        for mode in [ThresholdMode::Quantile, ThresholdMode::Output] {
            assert_eq!(
                choose_thresholds(&unit, &lut, &layer, &stats[0], 1.0, mode),
                vec![0; no]
            );
            let mut last_share = -1.0;
            for im in [0.9, 0.5, 0.25] {
                let t = choose_thresholds(&unit, &lut, &layer, &stats[0], im, mode);
                let mut sieved = IntMlp {
                    unit,
                    layers: vec![layer.clone()],
                };
                sieved.layers[0].thresholds = t;
                let b = FastMlp::new(&sieved).infer_batch(&inputs, ni);
                let c = b.counts[0];
                let kept_share = c.kept as f64 / (c.kept + c.sieved) as f64;
                // Thresholds are whole exponents, so the kept share is near im, not on it.
                assert!(
                    (kept_share - im).abs() < 0.1,
                    "seed {seed} {mode:?} im {im}: kept {kept_share}"
                );
                let share = 1.0 - kept_share;
                assert!(share > last_share, "seed {seed}: lower im sieves more");
                last_share = share;
            }
        }
    }

    #[test]
    fn mse_scale_clips_low_bit_weights_and_never_rounds_worse() {
        // Bell-shaped weights with a few outliers, as trained layers have.
        let w: Vec<f32> = (0..10_000)
            .map(|i| {
                let u = (i as f32 * 0.618_034).fract() - 0.5;
                if i % 997 == 0 {
                    u.signum()
                } else {
                    u * u.abs()
                }
            })
            .collect();
        let max = w.iter().fold(0f32, |m, &v| m.max(v.abs())) as f64;
        let err = |s: f64, w_max: i64| -> f64 {
            w.iter()
                .map(|&v| (v as f64 - s * round_clamp(v as f64 / s, -w_max, w_max) as f64).powi(2))
                .sum()
        };
        for w_max in [1i64, 3, 127] {
            let by_max = weight_scale(&w, max, w_max, WeightScale::Max);
            let by_mse = weight_scale(&w, max, w_max, WeightScale::Mse);
            assert_eq!(by_max, max / w_max as f64);
            assert!(err(by_mse, w_max) <= err(by_max, w_max), "w_max {w_max}");
            if w_max == 1 {
                // max|W| = 1 rounds every bell weight to zero; the search clips.
                assert!(by_mse < 0.5 * by_max, "w_max 1: {by_mse} against {by_max}");
            }
        }
    }
}
