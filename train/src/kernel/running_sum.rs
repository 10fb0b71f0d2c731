//! The running-sum threshold rule as a fast kernel.

use super::lut::WeightLut;
use super::{BatchResult, SampleResult};
use rayon::prelude::*;
use sievingnet::model::mlp::{argmax_first, requantize, IntMlp};
use sievingnet::model::PlaneCounts;

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
        let mut kept_pairs = Vec::with_capacity(nl);
        let mut logits = Vec::new();
        for (li, l) in self.mlp.layers.iter().enumerate() {
            let no = l.outputs;
            let wt = &self.wt[li];
            let mut s = vec![0i64; no];
            let mut c = PlaneCounts::default();
            let mut kp = 0u64;
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
                    kp += (kept > 0) as u64;
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
            kept_pairs.push(kp);
            let next: Vec<i32> = if li + 1 == nl {
                Vec::new()
            } else {
                y.iter()
                    .map(|&v| requantize(v, l.shift, unit.a_bits()) as i32)
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
            kept_pairs,
            overflow: vec![false; nl],
        }
    }

    pub fn infer_batch(&self, inputs: &[i32], features: usize) -> BatchResult {
        let per: Vec<SampleResult> = inputs
            .par_chunks(features)
            .map(|x| self.infer_with(x, None))
            .collect();
        BatchResult::of(self.mlp.layers.len(), per)
    }
}

#[cfg(test)]
mod running_sum_tests {
    use super::*;
    use rand::Rng;
    use sievingnet::config::{Coding, UnitConfig};
    use sievingnet::model::mlp::{IntLayer, LayerOutput};
    use sievingnet::model::running_sum::{dot_element_major, RunningSumRule};
    use sievingnet::model::sieve_pair;

    /// The golden reference: each output is the model's element-major dot,
    /// then the model's own bias, ReLU and requantization.
    /// Also the kept pairs, each pair sieved by the model's own `sieve_pair`.
    fn golden(
        mlp: &IntMlp,
        rule: RunningSumRule,
        x: &[i64],
    ) -> (Vec<i128>, Vec<PlaneCounts>, Vec<u64>) {
        let mut a = x.to_vec();
        let (mut counts, mut kept_pairs) = (Vec::new(), Vec::new());
        for (li, l) in mlp.layers.iter().enumerate() {
            let mut c = PlaneCounts::default();
            let mut kp = 0u64;
            let mut sums = Vec::new();
            for j in 0..l.outputs {
                let row = &l.weights[j * l.inputs..(j + 1) * l.inputs];
                let (s, cj) = dot_element_major(&mlp.unit, &a, row, rule);
                let mut running = 0i64;
                for (&ai, &wi) in a.iter().zip(row) {
                    let r = sieve_pair(&mlp.unit, ai, wi, rule.threshold(running));
                    running += r.product;
                    kp += (r.counts.kept > 0) as u64;
                }
                assert_eq!(running, s);
                c.accumulate(&cj);
                sums.push(s);
            }
            counts.push(c);
            kept_pairs.push(kp);
            match mlp.finish_layer(li, &sums) {
                LayerOutput::Next(next) => a = next,
                LayerOutput::Logits(logits) => return (logits, counts, kept_pairs),
            }
        }
        unreachable!("the last layer returns its logits")
    }

    #[test]
    fn running_sum_kernel_equals_the_model() {
        let seed = sievingnet::seed::from_env(77);
        let mut rng = sievingnet::seed::rng(seed, 0);
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
                    let (logits, counts, kept_pairs) = golden(&mlp, rule, &x);
                    let x32: Vec<i32> = x.iter().map(|&v| v as i32).collect();
                    let r = rs.infer_with(&x32, None);
                    assert_eq!(r.logits, logits, "seed {seed} {coding} {rule:?} sample {s}");
                    assert_eq!(r.counts, counts, "seed {seed} {coding} {rule:?} sample {s}");
                    assert_eq!(
                        r.kept_pairs, kept_pairs,
                        "seed {seed} {coding} {rule:?} sample {s}"
                    );
                }
            }
        }
    }
}
