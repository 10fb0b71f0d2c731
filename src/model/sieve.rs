//! The sieve of one pair (SPEC section 4): the plane comparator and the
//! shift-add of the kept partial products.

use super::digits::weight_digits;
use super::exponent::exponent;
use crate::config::UnitConfig;
use serde::Serialize;

/// What happened to one plane of one pair. The classes are tested in this
/// order; the first that applies wins.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlaneClass {
    /// The activation is zero: nothing to compute on any plane.
    ZeroA,
    /// The weight digit of this plane is zero.
    ZeroW,
    /// `e(a) + k < T`: the partial product `|a| * 2^k` is below `2^T`.
    Sieved,
    /// The partial product `d_k * |a| * 2^k` is added.
    Kept,
}

/// How many planes fell in each class. Plain `u64` sums here; the stream
/// wraps them at `cnt_bits`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PlaneCounts {
    pub zero_a: u64,
    pub zero_w: u64,
    pub sieved: u64,
    pub kept: u64,
}

impl PlaneCounts {
    pub fn total(&self) -> u64 {
        self.zero_a + self.zero_w + self.sieved + self.kept
    }

    pub fn add(&mut self, class: PlaneClass) {
        match class {
            PlaneClass::ZeroA => self.zero_a += 1,
            PlaneClass::ZeroW => self.zero_w += 1,
            PlaneClass::Sieved => self.sieved += 1,
            PlaneClass::Kept => self.kept += 1,
        }
    }

    pub fn accumulate(&mut self, other: &PlaneCounts) {
        self.zero_a += other.zero_a;
        self.zero_w += other.zero_w;
        self.sieved += other.sieved;
        self.kept += other.kept;
    }
}

/// The classification of plane `k` for activation exponent `e` (None when
/// `a == 0`), digit `d` and threshold `thr`.
pub fn classify(e: Option<u32>, d: i8, k: u32, thr: i64) -> PlaneClass {
    match e {
        None => PlaneClass::ZeroA,
        Some(_) if d == 0 => PlaneClass::ZeroW,
        Some(e) if (e as i64 + k as i64) < thr => PlaneClass::Sieved,
        Some(_) => PlaneClass::Kept,
    }
}

/// The sieved product of one pair and its plane counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PairResult {
    pub product: i64,
    pub counts: PlaneCounts,
}

/// The sieve of one pair: `(-1)^(s_a xor s_w) * sum over kept planes of
/// d_k * |a| * 2^k`. `a` and `w` must fit `a_bits` and `w_bits`; the
/// threshold may be any integer (the trainer's variants go beyond `t_bits`).
pub fn sieve_pair(cfg: &UnitConfig, a: i64, w: i64, thr: i64) -> PairResult {
    let digits = weight_digits(w, cfg.w_bits(), cfg.coding());
    let e = exponent(a);
    let mag_a = a.unsigned_abs() as i64;
    let mut counts = PlaneCounts::default();
    let mut sum = 0i64;
    for (k, &d) in digits.digits().iter().enumerate() {
        let class = classify(e, d, k as u32, thr);
        counts.add(class);
        if class == PlaneClass::Kept {
            sum += d as i64 * (mag_a << k);
        }
    }
    let negative = (a < 0) != digits.negative;
    PairResult {
        product: if negative { -sum } else { sum },
        counts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Coding, UnitConfig};

    fn cfg4(coding: Coding) -> UnitConfig {
        UnitConfig::builder()
            .a_bits(4)
            .w_bits(4)
            .coding(coding)
            .build()
            .unwrap()
    }

    #[test]
    fn worked_example() {
        // a = 5 (e = 2), w = 3, binary planes 0 and 1 set; T = 3 sieves plane 0
        // (2 + 0 < 3) and keeps plane 1 (2 + 1 >= 3): product 5 * 2 = 10.
        let r = sieve_pair(&cfg4(Coding::Binary), 5, 3, 3);
        assert_eq!(r.product, 10);
        assert_eq!(
            r.counts,
            PlaneCounts {
                zero_a: 0,
                zero_w: 2,
                sieved: 1,
                kept: 1
            }
        );
        // ternary: 3 = 4 - 1, plane 0 (-1) sieved, plane 2 kept: 5 * 4 = 20.
        let r = sieve_pair(&cfg4(Coding::Ternary), -5, 3, 3);
        assert_eq!(r.product, -20);
        assert_eq!(
            r.counts,
            PlaneCounts {
                zero_a: 0,
                zero_w: 3,
                sieved: 1,
                kept: 1
            }
        );
    }
}
