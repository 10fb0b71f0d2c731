//! The constructor of [`super::SieveDot`]: the widths checked, the constants set.

use super::*;

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
        const DEPTH: usize,
        const CW: usize,
    > SieveDot<A, W, T, ACC, CNT, XW, PW, EB, VW, HN, DEPTH, CW>
{
    /// Builds the unit for `cfg`, whose widths must match the const
    /// parameters (checked here), with or without counters.
    pub fn new(cfg: &UnitConfig, counting: bool) -> Self {
        crate::rtl::check_widths(cfg, [A, W, T, ACC, CNT], "the unit");
        assert_eq!(XW, A + 1, "XW = {XW} must be a_bits + 1 = {}", A + 1);
        assert_eq!(PW, A + W, "PW = {PW} must be a_bits + w_bits = {}", A + W);
        assert!(
            1 << EB >= A && 1 << (EB - 1) < A,
            "EB = {EB} must be ceil(log2(a_bits = {A}))"
        );
        assert_eq!(VW, T + 1, "VW = {VW} must be t_bits + 1 = {}", T + 1);
        assert!(
            EB < T,
            "t_bits = {T} must exceed the exponent bits EB = {EB} (the offset threshold)"
        );
        assert_eq!(
            DEPTH + 1,
            tree_latency(W),
            "DEPTH = {DEPTH} must be log2(w_bits = {W})"
        );
        assert!(
            1 << CW > cfg.planes() as usize,
            "CW = {CW} bits cannot count {} planes",
            cfg.planes()
        );
        let ones = |n: usize| -> u128 {
            if n >= 128 {
                u128::MAX
            } else {
                (1u128 << n) - 1
            }
        };
        let row_sign_ext = (ones(PW) & !ones(XW)) as u64;
        let acc_sign_ext = (ones(ACC) & !ones(PW)) as u64;
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
            planes: Constant::new((cfg.planes() as u64).into()),
            thr_offset: Constant::new((1u64 << (T - 1)).into()),
            row_sign_ext: Constant::new(row_sign_ext.into()),
            acc_sign_ext: Constant::new(acc_sign_ext.into()),
            shift: std::array::from_fn(|k| Constant::new((k as u64).into())),
            exponent: Default::default(),
            recoder: DigitRecoder::new(cfg.coding() == Coding::Ternary),
            comparator: PlaneComparator::new(T, EB),
            tree: Default::default(),
            count_kept: Default::default(),
            count_nonzero: Default::default(),
            s1_valid: Default::default(),
            s1_last: Default::default(),
            s1_zero_a: Default::default(),
            s1_a_negative: Default::default(),
            s1_mag_a: Default::default(),
            s1_thr: Default::default(),
            s1_w: Default::default(),
            s1_skip: Default::default(),
            s2_valid: Default::default(),
            s2_last: Default::default(),
            s2_zero_a: Default::default(),
            s2_v: Default::default(),
            s2_pos: Default::default(),
            s2_neg: Default::default(),
            s2_x: Default::default(),
            s2_nx: Default::default(),
            s2_skip: Default::default(),
            k_valid: Default::default(),
            k_last: Default::default(),
            k_zero_a: Default::default(),
            k_skip: Default::default(),
            k_rows: Default::default(),
            k_neg: Default::default(),
            k_nonzero: Default::default(),
            k_keep: Default::default(),
            k_x: Default::default(),
            k_nx: Default::default(),
            s3_valid: Default::default(),
            s3_last: Default::default(),
            s3_zero_a: Default::default(),
            s3_nonzero: Default::default(),
            s3_keep: Default::default(),
            s3_skip: Default::default(),
            side_valid: std::array::from_fn(|_| Default::default()),
            side_last: std::array::from_fn(|_| Default::default()),
            side_zero_a: std::array::from_fn(|_| Default::default()),
            side_kept: std::array::from_fn(|_| Default::default()),
            side_sieved: std::array::from_fn(|_| Default::default()),
            side_zero_w: std::array::from_fn(|_| Default::default()),
            side_skip: std::array::from_fn(|_| Default::default()),
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
            zero_a_in: Default::default(),
            zero_w_in: Default::default(),
            skip_in: Default::default(),
            load: Default::default(),
            a_negative: Default::default(),
            a_inverted: Default::default(),
            mag_a: Default::default(),
            not_e: Default::default(),
            v: Default::default(),
            product_negative: Default::default(),
            mag_x: Default::default(),
            inv_x: Default::default(),
            neg_x: Default::default(),
            x_ext: Default::default(),
            nx_ext: Default::default(),
            kept_pos: Default::default(),
            kept_neg: Default::default(),
            kept_rows: Default::default(),
            any_kept: Default::default(),
            final_skip: Default::default(),
            kept_planes: Default::default(),
            kept_count: Default::default(),
            sieved_count: Default::default(),
            nonzero_count: Default::default(),
            zero_w_count: Default::default(),
            final_valid: Default::default(),
            final_last: Default::default(),
            product: Default::default(),
            acc_clear: Default::default(),
            sum: Default::default(),
            acc_sign: Default::default(),
            product_sign: Default::default(),
            sum_sign: Default::default(),
            overflow_now: Default::default(),
            inc_zero_a: Default::default(),
            inc_zero_w: Default::default(),
            inc_sieved: Default::default(),
            inc_kept: Default::default(),
            next_zero_a: Default::default(),
            next_zero_w: Default::default(),
            next_sieved: Default::default(),
            next_kept: Default::default(),
        }
    }
}
