//! The constructor of [`super::SerialDot`]: the widths checked, the constants set.

use super::*;
use crate::rtl::sign_ext_mask;

impl<
        const A: usize,
        const W: usize,
        const T: usize,
        const ACC: usize,
        const CNT: usize,
        const XW: usize,
        const PW: usize,
        const EB: usize,
        const VW: usize,
        const HN: usize,
        const CW: usize,
        const AX: usize,
    > SerialDot<A, W, T, ACC, CNT, XW, PW, EB, VW, HN, CW, AX>
{
    /// Builds the unit for `cfg`, whose widths must match the const
    /// parameters (checked here), with or without counters.
    pub fn new(cfg: &UnitConfig, counting: bool) -> Self {
        crate::rtl::check_widths(cfg, [A, W, T, ACC, CNT], "the serial unit");
        assert_eq!(XW, A + 1, "XW = {XW} must be a_bits + 1 = {}", A + 1);
        assert_eq!(PW, A + W, "PW = {PW} must be a_bits + w_bits = {}", A + W);
        assert_eq!(AX, ACC + 1, "AX = {AX} must be acc_bits + 1 = {}", ACC + 1);
        assert!(
            1 << EB >= A && 1 << (EB - 1) < A,
            "EB = {EB} must be ceil(log2(a_bits = {A}))"
        );
        assert_eq!(VW, T + 1, "VW = {VW} must be t_bits + 1 = {}", T + 1);
        assert!(
            EB < T,
            "t_bits = {T} must exceed the exponent bits EB = {EB} (the offset threshold)"
        );
        assert!(
            1 << CW > cfg.planes() as usize,
            "CW = {CW} bits cannot count {} planes",
            cfg.planes()
        );
        // The log shifter has four steps (shifts up to 15) and `3w` needs
        // bit W + 1 of a PW-bit value.
        assert!(W <= 16, "w_bits = {W} exceeds the shifter's 16 planes");
        assert!(PW >= W + 2, "PW = {PW} cannot hold 3w (w_bits = {W})");
        // As in the comparator block: e + k >= T  <=>  v <= k + offset.
        let limit_offset = (1u64 << (T - 1)) + (1u64 << EB) - 1;
        Self {
            clock: Default::default(),
            reset: Default::default(),
            in_valid: Default::default(),
            in_ready: Default::default(),
            in_a: Default::default(),
            in_w: Default::default(),
            in_thr: Default::default(),
            in_last: Default::default(),
            out_valid: Default::default(),
            out_sum: Default::default(),
            out_overflow: Default::default(),
            out_zero_a: Default::default(),
            out_zero_w: Default::default(),
            out_sieved: Default::default(),
            out_kept: Default::default(),
            counting: Constant::new(counting),
            ternary: Constant::new(cfg.coding() == Coding::Ternary),
            planes: Constant::new((cfg.planes() as u64).into()),
            thr_offset: Constant::new((1u64 << (T - 1)).into()),
            a_sign_ext: Constant::new(sign_ext_mask(PW, A).into()),
            w_sign_ext: Constant::new(sign_ext_mask(PW, W).into()),
            acc_sign_ext: Constant::new(sign_ext_mask(AX, PW).into()),
            acc_top_bit: Constant::new(((1u128 << ACC) as u64).into()),
            one: Constant::new(1u64.into()),
            plane_index: std::array::from_fn(|k| Constant::new((k as u64).into())),
            stage: std::array::from_fn(|b| Constant::new((1u64 << b).into())),
            index: std::array::from_fn(|k| Constant::new((k as u64).into())),
            a_steps: std::array::from_fn(|k| Constant::new((k as u64 + 1).into())),
            limit: std::array::from_fn(|k| Constant::new((k as u64 + limit_offset).into())),
            onehot: std::array::from_fn(|k| Constant::new((1u64 << k).into())),
            pop_kept: Default::default(),
            pop_nonzero: Default::default(),
            pair_valid: Default::default(),
            pair_last: Default::default(),
            pair_first: Default::default(),
            pair_more: Default::default(),
            pair_kept: Default::default(),
            pair_negative: Default::default(),
            pair_nonzero: Default::default(),
            pair_zero_a: Default::default(),
            pair_a: Default::default(),
            term_valid: Default::default(),
            term_digit: Default::default(),
            term_first: Default::default(),
            term_last: Default::default(),
            term: Default::default(),
            term_negative: Default::default(),
            term_zero_a: Default::default(),
            term_kept: Default::default(),
            term_sieved: Default::default(),
            term_zero_w: Default::default(),
            acc: Default::default(),
            acc_overflow: Default::default(),
            cnt_zero_a: Default::default(),
            cnt_zero_w: Default::default(),
            cnt_sieved: Default::default(),
            cnt_kept: Default::default(),
            restart: Default::default(),
            res_valid: Default::default(),
            res_sum: Default::default(),
            res_overflow: Default::default(),
            accept: Default::default(),
            a_negative: Default::default(),
            zero_a: Default::default(),
            a_inverted: Default::default(),
            mag_a: Default::default(),
            smeared: Default::default(),
            above: Default::default(),
            leading: Default::default(),
            e: Default::default(),
            not_e: Default::default(),
            w_gated: Default::default(),
            thr_gated: Default::default(),
            thr_offset_value: Default::default(),
            v: Default::default(),
            keep: Default::default(),
            w_wide: Default::default(),
            w_twice: Default::default(),
            w_triple: Default::default(),
            up_wide: Default::default(),
            down_wide: Default::default(),
            up_shifted: Default::default(),
            down_shifted: Default::default(),
            w_negative: Default::default(),
            w_inverted: Default::default(),
            mag_w: Default::default(),
            digit_pos: Default::default(),
            digit_neg: Default::default(),
            nonzero: Default::default(),
            kept_planes: Default::default(),
            kept_one: Default::default(),
            kept_two: Default::default(),
            neg_remaining: Default::default(),
            lowest: Default::default(),
            not_lowest: Default::default(),
            has_digit: Default::default(),
            left_one: Default::default(),
            left_two: Default::default(),
            left_three: Default::default(),
            issue_last: Default::default(),
            term_clear: Default::default(),
            lowest_negative: Default::default(),
            shift_amount: Default::default(),
            a_ext: Default::default(),
            shifted: Default::default(),
            term_ext: Default::default(),
            carry_in: Default::default(),
            acc_top: Default::default(),
            acc_sign: Default::default(),
            out_of_range: Default::default(),
            base_acc: Default::default(),
            base_overflow: Default::default(),
            sum: Default::default(),
            acc_clear: Default::default(),
            sum_top: Default::default(),
            sum_sign: Default::default(),
            inc_zero_a: Default::default(),
        }
    }
}
