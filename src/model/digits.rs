//! Weight digits, one per bit-plane (SPEC section 2).

use crate::config::{Coding, MAX_PLANES};

/// The digits of one weight: `d[k]` for plane `k` (0 = least significant),
/// each in {-1, 0, +1}, and `negative`, the sign of the weight.
/// The magnitude is `sum d[k] * 2^k`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Digits {
    pub d: [i8; MAX_PLANES],
    pub planes: usize,
    pub negative: bool,
}

impl Digits {
    pub fn digits(&self) -> &[i8] {
        &self.d[..self.planes]
    }

    /// `sum d[k] * 2^k`, the magnitude the digits encode.
    pub fn magnitude(&self) -> i64 {
        self.digits()
            .iter()
            .enumerate()
            .map(|(k, &d)| d as i64 * (1i64 << k))
            .sum()
    }
}

/// Splits a two's complement weight into its sign and its digits.
///
/// `binary`: `w_bits` planes, digit `k` is bit `k` of `|w|`.
/// `ternary`: `w_bits + 1` planes, the non-adjacent form of `|w|`, computed
/// the textbook way: while `m > 0`, an odd `m` gives digit `2 - (m mod 4)`
/// (so the next digit is 0), which is subtracted before halving.
pub fn weight_digits(w: i64, w_bits: u32, coding: Coding) -> Digits {
    let mut m = w.unsigned_abs();
    let planes = coding.planes(w_bits) as usize;
    let mut d = [0i8; MAX_PLANES];
    match coding {
        Coding::Binary => {
            for (k, digit) in d.iter_mut().enumerate().take(planes) {
                *digit = ((m >> k) & 1) as i8;
            }
        }
        Coding::Ternary => {
            let mut k = 0;
            while m > 0 {
                if m & 1 == 1 {
                    let digit = 2 - (m & 3) as i8;
                    d[k] = digit;
                    m = (m as i128 - digit as i128) as u64;
                }
                m >>= 1;
                k += 1;
            }
            debug_assert!(k <= planes);
        }
    }
    Digits {
        d,
        planes,
        negative: w < 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_digits_are_magnitude_bits() {
        let d = weight_digits(-6, 4, Coding::Binary);
        assert_eq!(d.digits(), &[0, 1, 1, 0]);
        assert!(d.negative);
        let d = weight_digits(-8, 4, Coding::Binary);
        assert_eq!(d.digits(), &[0, 0, 0, 1]);
    }

    #[test]
    fn naf_examples() {
        // 7 = 8 - 1
        assert_eq!(
            weight_digits(7, 4, Coding::Ternary).digits(),
            &[-1, 0, 0, 1, 0]
        );
        // 3 = 4 - 1
        assert_eq!(
            weight_digits(3, 4, Coding::Ternary).digits(),
            &[-1, 0, 1, 0, 0]
        );
        // 5 = 4 + 1
        assert_eq!(
            weight_digits(-5, 4, Coding::Ternary).digits(),
            &[1, 0, 1, 0, 0]
        );
        // most negative 16-bit weight: a single digit on plane 15
        let d = weight_digits(-32768, 16, Coding::Ternary);
        assert_eq!(d.magnitude(), 32768);
        assert_eq!(d.digits().iter().filter(|&&x| x != 0).count(), 1);
    }

    #[test]
    fn naf_is_non_adjacent_and_exact_for_every_16_bit_weight() {
        for w in -32768i64..=32767 {
            let d = weight_digits(w, 16, Coding::Ternary);
            assert_eq!(d.magnitude(), w.abs());
            for k in 1..d.planes {
                assert!(
                    d.d[k] == 0 || d.d[k - 1] == 0,
                    "w = {w}: adjacent digits at {k}"
                );
            }
        }
    }
}
