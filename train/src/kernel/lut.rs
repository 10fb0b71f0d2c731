//! The truncated-weight tables of the fast kernels (see the module docs of
//! [`super`] for why truncation is exact).

use sievingnet::config::UnitConfig;
use sievingnet::model::weight_digits;

/// For every weight value of a unit: its truncations `tw(w, kmin)` and the
/// number of non-zero digits at planes `>= kmin`, for `kmin` in `0..=P`.
#[derive(Clone, Debug)]
pub struct WeightLut {
    pub(super) w_lo: i64,
    pub(super) stride: usize,
    pub(super) trunc: Vec<i32>,
    pub(super) above: Vec<u8>,
    /// The largest `|tw|` of any weight and `kmin`.
    pub(super) max_trunc: u32,
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
            let d = weight_digits(w, unit.w_bits(), unit.coding());
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

    /// Whether a layer of `inputs` inputs can sum in `i32` with no partial
    /// sum leaving the `acc_bits` range: then no stream wraps or overflows
    /// and the fast paths are exact (see the module docs of [`super`]).
    pub fn narrow(&self, unit: &UnitConfig, inputs: usize) -> bool {
        let max_a = 1i128 << (unit.a_bits() - 1);
        let bound = inputs as i128 * max_a * self.max_trunc as i128;
        let (_, acc_hi) = unit.acc_range();
        bound <= i32::MAX as i128 && bound <= acc_hi as i128
    }
}
