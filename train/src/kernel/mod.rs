//! The fast batched integer inference, bit-exact with the golden model's
//! [`IntMlp::infer`](sievingnet::model::mlp::IntMlp::infer) (SPEC section 8): same sums, same wrapping, same
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

//!
//! Files: `lut` (the truncated-weight tables), `fast` (the per-sample
//! kernels of evaluation, with counters), `batch` (the batched forward
//! pass of training, no counters), `slopes` (how a batch's loss and
//! work change with each threshold), `running_sum` (the
//! running-sum threshold rule); the tests against the golden model are in
//! `tests.rs` and beside the running-sum kernel.

mod batch;
mod fast;
mod lut;
mod running_sum;
mod slopes;
#[cfg(test)]
mod tests;

pub use batch::{BatchMlp, StepLayer};
pub use fast::{FastMlp, LayerTables};
pub use lut::WeightLut;
pub use running_sum::RunningSumMlp;
pub use slopes::ThresholdSlopes;

use sievingnet::config::signed_range;
use sievingnet::model::{exponent, PlaneCounts, Work};

/// The result of one sample, as
/// [`IntMlp::infer`](sievingnet::model::mlp::IntMlp::infer) reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct SampleResult {
    pub logits: Vec<i128>,
    pub prediction: usize,
    pub counts: Vec<PlaneCounts>,
    /// Pairs with at least one kept digit, per layer.
    pub kept_pairs: Vec<u64>,
    pub overflow: Vec<bool>,
}

/// Totals over a batch of samples.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BatchResult {
    pub predictions: Vec<usize>,
    /// Plane counts per layer, summed over the samples.
    pub counts: Vec<PlaneCounts>,
    /// Pairs with at least one kept digit per layer, summed over the samples.
    pub kept_pairs: Vec<u64>,
    /// Samples where some stream of some layer overflowed.
    pub overflow_samples: usize,
}

impl BatchResult {
    /// The totals of per-sample results of a `layers`-layer network.
    pub fn of(layers: usize, samples: Vec<SampleResult>) -> BatchResult {
        let mut out = BatchResult {
            counts: vec![PlaneCounts::default(); layers],
            kept_pairs: vec![0; layers],
            ..Default::default()
        };
        for r in samples {
            out.predictions.push(r.prediction);
            for (t, c) in out.counts.iter_mut().zip(&r.counts) {
                t.accumulate(c);
            }
            for (t, k) in out.kept_pairs.iter_mut().zip(&r.kept_pairs) {
                *t += k;
            }
            out.overflow_samples += r.overflow.iter().any(|&o| o) as usize;
        }
        out
    }

    /// Per layer, the work of the batch (see [`sievingnet::model::cost`]).
    pub fn work(&self) -> Vec<Work> {
        Work::zip(&self.counts, &self.kept_pairs)
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
