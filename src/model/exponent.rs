//! Exponent of an activation (SPEC section 3).

/// `e(a) = floor(log2 |a|)`: the index of the leading one of `|a|`.
/// Zero has no exponent. Works for `i64::MIN` too (exponent 63).
pub fn exponent(a: i64) -> Option<u32> {
    if a == 0 {
        None
    } else {
        Some(63 - a.unsigned_abs().leading_zeros())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponent_is_leading_one() {
        assert_eq!(exponent(0), None);
        assert_eq!(exponent(1), Some(0));
        assert_eq!(exponent(-1), Some(0));
        assert_eq!(exponent(2), Some(1));
        assert_eq!(exponent(3), Some(1));
        assert_eq!(exponent(-128), Some(7));
        assert_eq!(exponent(127), Some(6));
        assert_eq!(exponent(i64::MIN), Some(63));
        for a in 1..5000i64 {
            let e = exponent(a).unwrap();
            assert!(1i64 << e <= a && a < 1i64 << (e + 1));
        }
    }
}
