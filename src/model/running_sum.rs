//! Whole-vector sieve variants whose threshold follows the running sum.
//!
//! Not part of the hardware contract: these are the seed's variants, used by
//! the trainer to compare threshold rules. The threshold is
//! `T = floor(alpha * e(S)) + beta`, where `S` is the exact (not wrapped) sum
//! so far and `e(S)` its exponent; while `S == 0` nothing is sieved.
//!
//! Two orders are modelled:
//!
//! * **element-major** ([`dot_element_major`]), the streaming hardware's
//!   order: pair `i` is sieved with the threshold of the sum of pairs
//!   `0..i`, then its product is added to `S`.
//! * **plane-major** ([`dot_plane_major`]), the seed's "O(1) in vector
//!   length" order: for each plane `k`, most significant first, every
//!   element's plane `k` is sieved with one threshold from the current `S`,
//!   then the kept partial products of that plane are added to `S`.
//!
//! Worked example (8-bit, binary coding, `alpha = 1`, `beta = -1`),
//! `a = [100, 3, 1]`, `w = [3, 3, 3]`:
//!
//! * element-major: `S = 0` keeps all of `100 * 3` (S = 300, e = 8, T = 7).
//!   Pair 2: `a = 3` (e = 1) sieves both planes (1 + 0 < 7, 1 + 1 < 7).
//!   Pair 3 likewise: `S = 300`, 2 kept and 4 sieved planes.
//! * plane-major: planes 7..2 hold no digit; plane 1 is visited with `S = 0`,
//!   so all three are kept (`S = 200 + 6 + 2 = 208`, e = 7, T = 6); plane 0
//!   then keeps `100` (6 + 0 >= 6) and sieves `3` and `1`: `S = 308`,
//!   4 kept and 2 sieved planes.
//!
//! ```
//! use sievingnet::config::{Coding, UnitConfig};
//! use sievingnet::model::running_sum::{dot_element_major, dot_plane_major, RunningSumRule};
//! let cfg = UnitConfig::builder().coding(Coding::Binary).build().unwrap();
//! let rule = RunningSumRule { alpha: 1.0, beta: -1 };
//! let (s, c) = dot_element_major(&cfg, &[100, 3, 1], &[3, 3, 3], rule);
//! assert_eq!((s, c.kept, c.sieved), (300, 2, 4));
//! let (s, c) = dot_plane_major(&cfg, &[100, 3, 1], &[3, 3, 3], rule);
//! assert_eq!((s, c.kept, c.sieved), (308, 4, 2));
//! ```

use super::digits::weight_digits;
use super::exponent::exponent;
use super::sieve::{classify, sieve_pair, PlaneClass, PlaneCounts};
use crate::config::UnitConfig;

/// `T = floor(alpha * e(S)) + beta`, nothing sieved while `S == 0`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RunningSumRule {
    pub alpha: f64,
    pub beta: i64,
}

impl RunningSumRule {
    /// The threshold for running sum `s`; `i64::MIN` (keep all) when `s == 0`.
    pub fn threshold(&self, s: i64) -> i64 {
        match exponent(s) {
            None => i64::MIN,
            Some(e) => (self.alpha * e as f64).floor() as i64 + self.beta,
        }
    }
}

/// Element-major order: each pair sieved with the threshold of the sum before it.
/// Returns the exact sum and the plane counts.
pub fn dot_element_major(
    cfg: &UnitConfig,
    a: &[i64],
    w: &[i64],
    rule: RunningSumRule,
) -> (i64, PlaneCounts) {
    assert_eq!(a.len(), w.len(), "a and w must have the same length");
    let mut s = 0i64;
    let mut counts = PlaneCounts::default();
    for (&ai, &wi) in a.iter().zip(w) {
        let r = sieve_pair(cfg, ai, wi, rule.threshold(s));
        s += r.product;
        counts.accumulate(&r.counts);
    }
    (s, counts)
}

/// Plane-major order: most significant plane first, one threshold per plane.
/// Returns the exact sum and the plane counts.
pub fn dot_plane_major(
    cfg: &UnitConfig,
    a: &[i64],
    w: &[i64],
    rule: RunningSumRule,
) -> (i64, PlaneCounts) {
    assert_eq!(a.len(), w.len(), "a and w must have the same length");
    let digits: Vec<_> = w
        .iter()
        .map(|&wi| weight_digits(wi, cfg.w_bits(), cfg.coding()))
        .collect();
    let mut s = 0i64;
    let mut counts = PlaneCounts::default();
    for k in (0..cfg.planes() as usize).rev() {
        let thr = rule.threshold(s);
        let mut plane_sum = 0i64;
        for (&ai, di) in a.iter().zip(&digits) {
            let class = classify(exponent(ai), di.d[k], k as u32, thr);
            counts.add(class);
            if class == PlaneClass::Kept {
                let term = di.d[k] as i64 * ((ai.unsigned_abs() as i64) << k);
                let negative = (ai < 0) != di.negative;
                plane_sum += if negative { -term } else { term };
            }
        }
        s += plane_sum;
    }
    (s, counts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Coding;

    #[test]
    fn huge_negative_beta_is_exact() {
        let cfg = UnitConfig::builder()
            .coding(Coding::Ternary)
            .build()
            .unwrap();
        let a = [5, -7, 0, 127, -128];
        let w = [-3, 9, 4, -128, 127];
        let exact: i64 = a.iter().zip(&w).map(|(x, y)| x * y).sum();
        let rule = RunningSumRule {
            alpha: 1.0,
            beta: -100,
        };
        assert_eq!(dot_element_major(&cfg, &a, &w, rule).0, exact);
        assert_eq!(dot_plane_major(&cfg, &a, &w, rule).0, exact);
        let (_, c) = dot_plane_major(&cfg, &a, &w, rule);
        assert_eq!(c.total(), 5 * 9);
        assert_eq!(c.zero_a, 9);
    }
}
