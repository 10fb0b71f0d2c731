//! Integer MLP inference of a weight ROM (SPEC section 8).
//!
//! Each layer is a bank of dot-product streams (section 5): output `j`
//! streams `(a_i, w_ji, T_j)` over its inputs, so the accumulator wraps at
//! `acc_bits` exactly as the hardware's does. Then `y_j = acc_j + b_j`
//! exactly (in 128 bits), ReLU if asked, and for every layer but the last
//! the requantization `clamp((y + 2^(shift-1)) >> shift)` into `a_bits`
//! (arithmetic shift, i.e. round half up; just `y` when `shift` is 0).

use super::sieve::PlaneCounts;
use super::stream::{DotStream, Pair};
use crate::config::{signed_range, UnitConfig};

/// One layer of integer weights, biases and per-neuron thresholds.
#[derive(Clone, Debug, PartialEq)]
pub struct IntLayer {
    pub inputs: usize,
    pub outputs: usize,
    /// Neuron-major: output `j`, input `i` at `j * inputs + i`.
    pub weights: Vec<i64>,
    /// One per output, `acc_bits` wide.
    pub bias: Vec<i64>,
    /// One per output, `t_bits` wide.
    pub thresholds: Vec<i64>,
    pub shift: u32,
    pub relu: bool,
}

/// The output of one inference.
#[derive(Clone, Debug, PartialEq)]
pub struct Inference {
    /// `y_j` of the last layer.
    pub logits: Vec<i128>,
    /// Index of the largest logit, lowest index on a tie.
    pub prediction: usize,
    /// Plane counts per layer (exact, not wrapped).
    pub counts: Vec<PlaneCounts>,
    /// Pairs with at least one kept digit, per layer.
    pub kept_pairs: Vec<u64>,
    /// Whether any output stream of each layer overflowed its accumulator.
    pub overflow: Vec<bool>,
}

impl Inference {
    /// Per layer, the work of this inference (see [`super::cost`]).
    pub fn work(&self) -> Vec<super::cost::Work> {
        super::cost::Work::zip(&self.counts, &self.kept_pairs)
    }
}

/// An integer MLP on one unit configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct IntMlp {
    pub unit: UnitConfig,
    pub layers: Vec<IntLayer>,
}

/// What a layer hands on: the next layer's input, or the network's logits.
#[derive(Clone, Debug, PartialEq)]
pub enum LayerOutput {
    /// Requantized to `a_bits`: the next layer's input.
    Next(Vec<i64>),
    /// The last layer's `y_j`.
    Logits(Vec<i128>),
}

/// `clamp((y + 2^(shift-1)) >> shift, a_min, a_max)`, or `clamp(y)` for shift 0.
#[inline]
pub fn requantize(y: i128, shift: u32, a_bits: u32) -> i64 {
    let r = if shift == 0 {
        y
    } else {
        (y + (1i128 << (shift - 1))) >> shift
    };
    let (lo, hi) = signed_range(a_bits);
    r.clamp(lo as i128, hi as i128) as i64
}

/// Index of the largest value, the lowest index on a tie.
pub fn argmax_first<T: PartialOrd + Copy>(v: &[T]) -> usize {
    let mut best = 0;
    for (i, &x) in v.iter().enumerate() {
        if x > v[best] {
            best = i;
        }
    }
    best
}

impl IntMlp {
    /// SPEC section 8 after layer `li`'s dot products, from its accumulators
    /// `sums` (one per output): `y_j = acc_j + b_j` exactly, `max(y_j, 0)` if
    /// the layer has ReLU; the last layer's `y` are the logits, any other
    /// layer's are requantized into the next layer's input. The one place
    /// this step is written: the model, the engines and the trainer's
    /// references call it.
    pub fn finish_layer(&self, li: usize, sums: &[i64]) -> LayerOutput {
        let layer = &self.layers[li];
        assert_eq!(sums.len(), layer.outputs, "layer {li}: one sum per output");
        let ys = sums.iter().zip(&layer.bias).map(|(&acc, &b)| {
            let y = acc as i128 + b as i128;
            if layer.relu {
                y.max(0)
            } else {
                y
            }
        });
        if li + 1 == self.layers.len() {
            LayerOutput::Logits(ys.collect())
        } else {
            LayerOutput::Next(
                ys.map(|y| requantize(y, layer.shift, self.unit.a_bits()))
                    .collect(),
            )
        }
    }

    /// The pairs layer `li` streams for `samples` (its inputs), in the order
    /// the hardware computes them: sample-major, then output-major, `last`
    /// on each neuron's last input. With `sieve` off every threshold is the
    /// lowest `t_bits` value, so nothing is sieved.
    pub fn layer_stream(&self, li: usize, samples: &[Vec<i64>], sieve: bool) -> Vec<Pair> {
        let layer = &self.layers[li];
        let t_min = self.unit.t_range().0;
        let mut pairs = Vec::with_capacity(samples.len() * layer.outputs * layer.inputs);
        for x in samples {
            for j in 0..layer.outputs {
                let row = &layer.weights[j * layer.inputs..(j + 1) * layer.inputs];
                let thr = if sieve { layer.thresholds[j] } else { t_min };
                for (i, (&a, &w)) in x.iter().zip(row).enumerate() {
                    pairs.push(Pair {
                        a,
                        w,
                        thr,
                        last: i + 1 == layer.inputs,
                    });
                }
            }
        }
        pairs
    }

    /// Runs one sample (already quantized to `a_bits`) through every layer.
    pub fn infer(&self, input: &[i64]) -> Inference {
        let mut act: Vec<i64> = input.to_vec();
        let mut counts = Vec::with_capacity(self.layers.len());
        let mut overflow = Vec::with_capacity(self.layers.len());
        let mut kept_pairs = Vec::with_capacity(self.layers.len());
        for li in 0..self.layers.len() {
            let run = self.run_layer(li, &act);
            counts.push(run.counts);
            kept_pairs.push(run.kept_pairs);
            overflow.push(run.overflow);
            match self.finish_layer(li, &run.sums) {
                LayerOutput::Next(next) => act = next,
                LayerOutput::Logits(logits) => {
                    let prediction = argmax_first(&logits);
                    return Inference {
                        logits,
                        prediction,
                        counts,
                        kept_pairs,
                        overflow,
                    };
                }
            }
        }
        unreachable!("the last layer returns its logits")
    }

    /// Each layer's input for one sample, as [`Self::infer`] computes them
    /// (the first is `input`).
    pub fn layer_inputs(&self, input: &[i64]) -> Vec<Vec<i64>> {
        let mut inputs = vec![input.to_vec()];
        // The last layer's output is logits, no layer's input.
        for li in 0..self.layers.len().saturating_sub(1) {
            let run = self.run_layer(li, &inputs[li]);
            match self.finish_layer(li, &run.sums) {
                LayerOutput::Next(next) => inputs.push(next),
                LayerOutput::Logits(_) => unreachable!("only the last layer gives logits"),
            }
        }
        inputs
    }

    /// Layer `li`'s dot products on its input `act`, neuron by neuron
    /// through the SPEC section 5 stream.
    fn run_layer(&self, li: usize, act: &[i64]) -> LayerRun {
        // Counters in the model never wrap within a layer: report exact counts.
        let cfg = self.unit.with_wide_counters();
        let layer = &self.layers[li];
        assert_eq!(act.len(), layer.inputs, "layer {li}: input length");
        let mut run = LayerRun {
            sums: Vec::with_capacity(layer.outputs),
            counts: PlaneCounts::default(),
            kept_pairs: 0,
            overflow: false,
        };
        for j in 0..layer.outputs {
            let row = &layer.weights[j * layer.inputs..(j + 1) * layer.inputs];
            let thr = layer.thresholds[j];
            let mut stream = DotStream::new(cfg);
            let mut result = None;
            for (i, (&a, &w)) in act.iter().zip(row).enumerate() {
                let last = i + 1 == layer.inputs;
                result = stream.push_counting(Pair { a, w, thr, last }, &mut run.kept_pairs);
            }
            let r = result.expect("a layer has at least one input");
            run.counts.accumulate(&r.counts());
            run.overflow |= r.overflow;
            run.sums.push(r.sum);
        }
        run
    }
}

/// One layer's dot products on one sample.
struct LayerRun {
    sums: Vec<i64>,
    counts: PlaneCounts,
    kept_pairs: u64,
    overflow: bool,
}

/// The prediction of `mlp` with every threshold `<= 0` (nothing sieved,
/// every product exact), the network an exact multiply-accumulate computes.
/// The accumulator wraps at `acc_bits` pair by pair, which is the wrap of
/// the exact sum.
pub fn exact_prediction(mlp: &IntMlp, input: &[i64]) -> usize {
    let acc_bits = mlp.unit.acc_bits();
    let mut act = input.to_vec();
    for (li, layer) in mlp.layers.iter().enumerate() {
        let sums: Vec<i64> = (0..layer.outputs)
            .map(|j| {
                let row = &layer.weights[j * layer.inputs..(j + 1) * layer.inputs];
                let s: i128 = act
                    .iter()
                    .zip(row)
                    .map(|(&a, &w)| a as i128 * w as i128)
                    .sum();
                super::stream::wrap_signed(s, acc_bits)
            })
            .collect();
        match mlp.finish_layer(li, &sums) {
            LayerOutput::Next(next) => act = next,
            LayerOutput::Logits(logits) => return argmax_first(&logits),
        }
    }
    unreachable!("the last layer returns its logits")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requantize_rounds_half_up_and_saturates() {
        assert_eq!(requantize(5, 1, 8), 3); // 2.5 -> 3
        assert_eq!(requantize(-5, 1, 8), -2); // -2.5 -> -2 (half up)
        assert_eq!(requantize(1000, 2, 8), 127);
        assert_eq!(requantize(-1000, 0, 8), -128);
        assert_eq!(requantize(7, 0, 8), 7);
    }

    #[test]
    fn argmax_takes_lowest_on_tie() {
        assert_eq!(argmax_first(&[1, 5, 5, 2]), 1);
        assert_eq!(argmax_first(&[-3i128]), 0);
    }
}
