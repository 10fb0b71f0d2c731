//! The project's one cost model: how much work a layer or a network does,
//! per inference. Training logs, `eval-rom`, `infer` and the frontier all
//! report these figures and no others.
//!
//! A layer streams `pairs = inputs * outputs` pairs `(a, w)` per inference;
//! each pair has `P` digit planes (`UnitConfig::planes`), so `P * pairs`
//! partial products `a * d_k * 2^k`. Each partial product falls in one of
//! the four classes of [`PlaneCounts`]. From them:
//!
//! - **kept digit-terms**: the shift-adds the sieving unit does (`kept`);
//!   the frontier's cost axis, and what the serial unit spends clocks on;
//! - **kept pairs**: pairs with at least one kept digit, i.e. the
//!   multiply-accumulates a skipping scheme cannot skip (the measure the
//!   literature reports as "MACs skipped");
//! - **active pairs**: pairs with `a != 0`, what zero skipping alone leaves
//!   (the accelerator skips zero activations);
//! - **saved partial products of each kind** (the seed's measure): the
//!   shares of all `P * pairs` partial products that were `zero_a`,
//!   `zero_w` or `sieved`;
//! - **sieved share**: `sieved / (sieved + kept)`, the sieve's own saving
//!   among the terms that would otherwise be computed.
//!
//! An exact network (every threshold `<= 0`) has the same figures with
//! `sieved = 0`; its kept digit-terms depend on the coding (binary digits or
//! ternary NAF digits of the same weights), so a comparison names its coding.

use super::sieve::PlaneCounts;
use serde::{Deserialize, Serialize};

/// Raw work counts of a layer (or a network) over some samples.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Work {
    pub planes: PlaneCounts,
    /// Pairs with at least one kept digit.
    pub kept_pairs: u64,
}

impl Work {
    pub fn accumulate(&mut self, other: &Work) {
        self.planes.accumulate(&other.planes);
        self.kept_pairs += other.kept_pairs;
    }

    /// Per layer, the plane counts and kept pairs that a run reports side
    /// by side.
    pub fn zip(counts: &[PlaneCounts], kept_pairs: &[u64]) -> Vec<Work> {
        counts
            .iter()
            .zip(kept_pairs)
            .map(|(&planes, &kept_pairs)| Work { planes, kept_pairs })
            .collect()
    }

    /// The sum over layers.
    pub fn total(layers: &[Work]) -> Work {
        let mut t = Work::default();
        layers.iter().for_each(|w| t.accumulate(w));
        t
    }
}

/// The cost figures of [`Work`] over `samples` inferences (see the module
/// docs for each figure).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Cost {
    /// Pairs per inference.
    pub pairs: f64,
    /// Pairs with `a != 0`, per inference.
    pub active_pairs: f64,
    /// Pairs with at least one kept digit (MACs not skipped), per inference.
    pub kept_pairs: f64,
    /// Kept digit-terms (shift-adds), per inference.
    pub kept_terms: f64,
    /// Kept digit-terms per pair.
    pub kept_terms_per_pair: f64,
    /// Shares of all partial products saved because `a == 0`, because the
    /// weight digit is zero, and by the sieve.
    pub saved_zero_a: f64,
    pub saved_zero_w: f64,
    pub saved_sieved: f64,
    /// `sieved / (sieved + kept)`.
    pub sieved_share: f64,
}

impl Cost {
    /// The figures of `work` done by `samples` inferences on a unit with
    /// `planes` digit planes.
    pub fn of(work: &Work, planes: u32, samples: u64) -> Cost {
        let c = &work.planes;
        let n = samples.max(1) as f64;
        let p = u64::from(planes.max(1));
        let pp = c.total().max(1) as f64;
        let pairs = c.total() / p;
        Cost {
            pairs: pairs as f64 / n,
            active_pairs: (c.total() - c.zero_a) as f64 / p as f64 / n,
            kept_pairs: work.kept_pairs as f64 / n,
            kept_terms: c.kept as f64 / n,
            kept_terms_per_pair: c.kept as f64 / pairs.max(1) as f64,
            saved_zero_a: c.zero_a as f64 / pp,
            saved_zero_w: c.zero_w as f64 / pp,
            saved_sieved: c.sieved as f64 / pp,
            sieved_share: c.sieved as f64 / (c.sieved + c.kept).max(1) as f64,
        }
    }

    /// One line for logs: kept digit-terms and kept pairs per inference.
    pub fn line(&self) -> String {
        format!(
            "{:.0} kept digit-terms ({:.3} per pair), {:.0} of {:.0} pairs kept ({:.1}%), {:.0} active; \
             saved: zero a {:.1}%, zero digit {:.1}%, sieved {:.1}%",
            self.kept_terms,
            self.kept_terms_per_pair,
            self.kept_pairs,
            self.pairs,
            100.0 * self.kept_pairs / self.pairs.max(1e-300),
            self.active_pairs,
            100.0 * self.saved_zero_a,
            100.0 * self.saved_zero_w,
            100.0 * self.saved_sieved
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_of_a_hand_count() {
        // 2 samples, 3 pairs each, 4 planes: 24 partial products.
        let w = Work {
            planes: PlaneCounts {
                zero_a: 8,
                zero_w: 9,
                sieved: 3,
                kept: 4,
            },
            kept_pairs: 3,
        };
        let c = Cost::of(&w, 4, 2);
        assert_eq!(c.pairs, 3.0);
        assert_eq!(c.active_pairs, 2.0);
        assert_eq!(c.kept_pairs, 1.5);
        assert_eq!(c.kept_terms, 2.0);
        assert!((c.kept_terms_per_pair - 4.0 / 6.0).abs() < 1e-12);
        assert!((c.saved_zero_a - 8.0 / 24.0).abs() < 1e-12);
        assert!((c.saved_zero_w - 9.0 / 24.0).abs() < 1e-12);
        assert!((c.saved_sieved - 3.0 / 24.0).abs() < 1e-12);
        assert!((c.sieved_share - 3.0 / 7.0).abs() < 1e-12);
    }
}
