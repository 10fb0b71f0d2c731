//! The dot-product stream (SPEC section 5): a wrapping accumulator, a sticky
//! overflow flag and four wrapping counters, reset after every vector.

use super::sieve::{sieve_pair, PlaneCounts};
use crate::config::UnitConfig;
use serde::Serialize;

/// One element of a stream: activation, weight, threshold and end of vector.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pair {
    pub a: i64,
    pub w: i64,
    pub thr: i64,
    pub last: bool,
}

/// The result of one finished vector, as `sievingnet dot` prints it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct VectorResult {
    /// The accumulator after the vector's last pair (`acc_bits` two's complement).
    pub sum: i64,
    /// True if any addition of the vector left the signed `acc_bits` range.
    pub overflow: bool,
    pub zero_a: u64,
    pub zero_w: u64,
    pub sieved: u64,
    pub kept: u64,
}

impl VectorResult {
    /// The four counters as plane counts.
    pub fn counts(&self) -> PlaneCounts {
        PlaneCounts {
            zero_a: self.zero_a,
            zero_w: self.zero_w,
            sieved: self.sieved,
            kept: self.kept,
        }
    }

    /// The SPEC section 7 line: `{"sum":..,"overflow":..,"zero_a":..,...}`.
    pub fn json_line(&self) -> String {
        serde_json::to_string(self).expect("plain struct serializes")
    }
}

/// Wraps `x` into `bits`-wide two's complement (bits 1..=64).
pub fn wrap_signed(x: i128, bits: u32) -> i64 {
    let shift = 128 - bits;
    ((x << shift) >> shift) as i64
}

/// Wraps a counter at `2^bits` (bits 1..=64).
pub fn wrap_unsigned(x: u64, bits: u32) -> u64 {
    if bits >= 64 {
        x
    } else {
        x & ((1u64 << bits) - 1)
    }
}

/// The stream's state between pairs: the accumulator, the overflow flag and
/// the counters of the current vector.
#[derive(Clone, Debug)]
pub struct DotStream {
    cfg: UnitConfig,
    acc: i64,
    overflow: bool,
    counts: PlaneCounts,
}

impl DotStream {
    pub fn new(cfg: UnitConfig) -> Self {
        DotStream {
            cfg,
            acc: 0,
            overflow: false,
            counts: PlaneCounts::default(),
        }
    }

    /// Consumes one pair; returns the vector's result when `pair.last`.
    pub fn push(&mut self, pair: Pair) -> Option<VectorResult> {
        self.push_counting(pair, &mut 0)
    }

    /// [`DotStream::push`], also adding 1 to `kept_pairs` when the pair keeps
    /// at least one digit (a model-only figure, see [`super::cost`]).
    pub fn push_counting(&mut self, pair: Pair, kept_pairs: &mut u64) -> Option<VectorResult> {
        let r = sieve_pair(&self.cfg, pair.a, pair.w, pair.thr);
        *kept_pairs += u64::from(r.counts.kept > 0);
        let exact = self.acc as i128 + r.product as i128;
        let (lo, hi) = self.cfg.acc_range();
        if exact < lo as i128 || exact > hi as i128 {
            self.overflow = true;
        }
        self.acc = wrap_signed(exact, self.cfg.acc_bits());
        let bits = self.cfg.cnt_bits();
        let c = &mut self.counts;
        c.zero_a = wrap_unsigned(c.zero_a.wrapping_add(r.counts.zero_a), bits);
        c.zero_w = wrap_unsigned(c.zero_w.wrapping_add(r.counts.zero_w), bits);
        c.sieved = wrap_unsigned(c.sieved.wrapping_add(r.counts.sieved), bits);
        c.kept = wrap_unsigned(c.kept.wrapping_add(r.counts.kept), bits);
        if !pair.last {
            return None;
        }
        let out = VectorResult {
            sum: self.acc,
            overflow: self.overflow,
            zero_a: c.zero_a,
            zero_w: c.zero_w,
            sieved: c.sieved,
            kept: c.kept,
        };
        *self = DotStream::new(self.cfg);
        Some(out)
    }
}

/// Runs a whole stream; a trailing vector without `last` produces nothing.
pub fn run_stream(cfg: &UnitConfig, pairs: &[Pair]) -> Vec<VectorResult> {
    run_stream_counting(cfg, pairs).0
}

/// [`run_stream`], also returning how many pairs kept at least one digit.
pub fn run_stream_counting(cfg: &UnitConfig, pairs: &[Pair]) -> (Vec<VectorResult>, u64) {
    let mut s = DotStream::new(*cfg);
    let mut kept_pairs = 0;
    let results = pairs
        .iter()
        .filter_map(|&p| s.push_counting(p, &mut kept_pairs))
        .collect();
    (results, kept_pairs)
}

/// The results of a run that resets the unit before each pair listed in
/// `resets_before` (the drivers' reset-in-mid-vector mode): each reset
/// drops the partial vector before it, so the stream restarts there.
pub fn expected_results(
    cfg: &UnitConfig,
    pairs: &[Pair],
    resets_before: &[usize],
) -> Vec<VectorResult> {
    let mut cuts: Vec<usize> = resets_before.to_vec();
    cuts.sort_unstable();
    cuts.dedup();
    let mut out = Vec::new();
    let mut start = 0;
    for &cut in cuts.iter().chain(std::iter::once(&pairs.len())) {
        let cut = cut.min(pairs.len());
        if cut < start {
            continue;
        }
        out.extend(run_stream(cfg, &pairs[start..cut]));
        start = cut;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expected_results_drop_partial_vectors() {
        let cfg = UnitConfig::default();
        let p = |a, last| Pair {
            a,
            w: 1,
            thr: 0,
            last,
        };
        let pairs = [
            p(1, false),
            p(2, true),
            p(4, false),
            p(8, false),
            p(16, true),
            p(32, true),
        ];
        let sums = |resets: &[usize]| -> Vec<i64> {
            expected_results(&cfg, &pairs, resets)
                .iter()
                .map(|r| r.sum)
                .collect()
        };
        assert_eq!(sums(&[]), vec![3, 28, 32]);
        // A reset before pair 3 drops pair 2 (the partial vector).
        assert_eq!(sums(&[3]), vec![3, 24, 32]);
        // A reset at a vector boundary drops nothing.
        assert_eq!(sums(&[2, 5]), vec![3, 28, 32]);
    }

    #[test]
    fn wrap_helpers() {
        assert_eq!(wrap_signed(128, 8), -128);
        assert_eq!(wrap_signed(-129, 8), 127);
        assert_eq!(wrap_signed(i64::MAX as i128 + 1, 64), i64::MIN);
        assert_eq!(wrap_unsigned(256, 8), 0);
        assert_eq!(wrap_unsigned(u64::MAX, 64), u64::MAX);
    }

    #[test]
    fn json_line_matches_spec() {
        let r = VectorResult {
            sum: -1234,
            overflow: false,
            zero_a: 0,
            zero_w: 9,
            sieved: 3,
            kept: 6,
        };
        assert_eq!(
            r.json_line(),
            r#"{"sum":-1234,"overflow":false,"zero_a":0,"zero_w":9,"sieved":3,"kept":6}"#
        );
    }
}
