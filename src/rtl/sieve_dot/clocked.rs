//! The clocked logic of [`super::SieveDot`].

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
    > Logic for SieveDot<A, W, T, ACC, CNT, XW, PW, EB, VW, HN, DEPTH, CW>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            s1_valid,
            s1_last,
            s1_zero_a,
            s1_a_negative,
            s1_mag_a,
            s1_thr,
            s1_w,
            s1_skip,
            s2_valid,
            s2_last,
            s2_zero_a,
            s2_v,
            s2_pos,
            s2_neg,
            s2_x,
            s2_nx,
            s2_skip,
            k_valid,
            k_last,
            k_zero_a,
            k_skip,
            k_rows,
            k_neg,
            k_nonzero,
            k_keep,
            k_x,
            k_nx,
            s3_valid,
            s3_last,
            s3_zero_a,
            s3_nonzero,
            s3_keep,
            s3_skip,
            acc,
            acc_overflow,
            cnt_zero_a,
            cnt_zero_w,
            cnt_sieved,
            cnt_kept,
            restart,
            res_valid,
            res_sum,
            res_overflow
        );
        for i in 0..DEPTH {
            self.side_valid[i].clock.next = self.clock.val();
            self.side_last[i].clock.next = self.clock.val();
            self.side_zero_a[i].clock.next = self.clock.val();
            self.side_kept[i].clock.next = self.clock.val();
            self.side_sieved[i].clock.next = self.clock.val();
            self.side_zero_w[i].clock.next = self.clock.val();
            self.side_skip[i].clock.next = self.clock.val();
        }
        self.tree.clock.next = self.clock.val();
        self.in_ready.next = true;

        // Stage 1: magnitude of a, raw w, offset threshold.
        self.accept.next = self.in_valid.val() & !self.reset.val();
        self.a_negative.next = false;
        for top in (A - 1)..A {
            self.a_negative.next = self.in_a.val().get_bit(top);
        }
        self.a_inverted.next = !self.in_a.val();
        self.mag_a.next = self.in_a.val();
        if self.a_negative.val() {
            self.mag_a.next = self.a_inverted.val() + 1;
        }
        self.s1_valid.d.next = self.accept.val();
        self.s1_last.d.next = self.in_last.val();
        self.zero_a_in.next = self.in_a.val() == 0;
        self.zero_w_in.next = self.in_w.val() == 0;
        self.skip_in.next = self.zero_a_in.val() | (self.zero_w_in.val() & !self.counting.val());
        self.s1_zero_a.d.next = self.zero_a_in.val();
        self.s1_skip.d.next = self.skip_in.val();
        // Operand isolation: a pair that adds nothing (or no pair) loads no
        // operand, so the datapath behind these registers does not toggle;
        // `skip` tells the accumulator to add nothing.
        self.load.next = self.accept.val() & !self.skip_in.val();
        if self.load.val() {
            self.s1_a_negative.d.next = self.a_negative.val();
            self.s1_mag_a.d.next = self.mag_a.val();
            self.s1_thr.d.next = self.in_thr.val() ^ self.thr_offset.val();
            self.s1_w.d.next = self.in_w.val();
        }

        // Stage 2: exponent, digits, v = T' + ~e, +|a| and -|a| signed.
        self.exponent.mag.next = self.s1_mag_a.q.val();
        self.recoder.w.next = self.s1_w.q.val();
        self.not_e.next = !self.exponent.e.val();
        self.v.next = bit_cast::<VW, T>(self.s1_thr.q.val()) + bit_cast::<VW, EB>(self.not_e.val());
        self.product_negative.next = self.s1_a_negative.q.val() ^ self.recoder.negative.val();
        self.mag_x.next = bit_cast::<XW, A>(self.s1_mag_a.q.val());
        self.inv_x.next = !self.mag_x.val();
        self.neg_x.next = self.inv_x.val() + 1;
        self.s2_valid.d.next = self.s1_valid.q.val();
        self.s2_last.d.next = self.s1_last.q.val();
        self.s2_zero_a.d.next = self.s1_zero_a.q.val();
        self.s2_skip.d.next = self.s1_skip.q.val();
        self.s2_v.d.next = self.v.val();
        self.s2_pos.d.next = self.recoder.pos.val();
        self.s2_neg.d.next = self.recoder.neg.val();
        if self.product_negative.val() {
            self.s2_x.d.next = self.neg_x.val();
            self.s2_nx.d.next = self.mag_x.val();
        } else {
            self.s2_x.d.next = self.mag_x.val();
            self.s2_nx.d.next = self.neg_x.val();
        }

        // Stage 3: plane comparator; the kept rows are registered.
        self.comparator.v.next = self.s2_v.q.val();
        self.kept_pos.next = self.s2_pos.q.val() & self.comparator.keep.val();
        self.kept_neg.next = self.s2_neg.q.val() & self.comparator.keep.val();
        self.kept_rows.next = self.kept_pos.val() | self.kept_neg.val();
        if !self.s2_valid.q.val() | self.s2_skip.q.val() {
            self.kept_rows.next = 0.into();
        }
        self.k_valid.d.next = self.s2_valid.q.val();
        self.k_last.d.next = self.s2_last.q.val();
        self.k_zero_a.d.next = self.s2_zero_a.q.val();
        self.k_skip.d.next = self.s2_skip.q.val();
        self.k_rows.d.next = self.kept_rows.val();
        self.k_neg.d.next = self.kept_neg.val();
        self.k_nonzero.d.next = self.s2_pos.q.val() | self.s2_neg.q.val();
        self.k_keep.d.next = self.comparator.keep.val();
        // A pair that adds nothing (or no pair) loads no operand here.
        if self.s2_valid.q.val() & !self.s2_skip.q.val() {
            self.k_x.d.next = self.s2_x.q.val();
            self.k_nx.d.next = self.s2_nx.q.val();
        }

        // Stage 4: the masked rows into the tree's leaves.
        self.x_ext.next = bit_cast::<PW, XW>(self.k_x.q.val());
        self.nx_ext.next = bit_cast::<PW, XW>(self.k_nx.q.val());
        for top in (XW - 1)..XW {
            if self.k_x.q.val().get_bit(top) {
                self.x_ext.next = self.x_ext.val() | self.row_sign_ext.val();
            }
            if self.k_nx.q.val().get_bit(top) {
                self.nx_ext.next = self.nx_ext.val() | self.row_sign_ext.val();
            }
        }
        // Leaf k loads its row when its digit is kept; the other leaves
        // clear if any digit is kept, else all hold (the pair adds nothing),
        // except at a vector's last pair, whose product must be its own
        // (zero) for the result.
        self.any_kept.next = self.k_rows.q.val() != 0;
        self.tree.clear.next = self.any_kept.val() | (self.k_valid.q.val() & self.k_last.q.val());
        for k in 0..W {
            self.tree.load[k].next = self.k_rows.q.val().get_bit(k);
            self.tree.rows[k].next = self.x_ext.val() << self.shift[k].val();
            if self.k_neg.q.val().get_bit(k) {
                self.tree.rows[k].next = self.nx_ext.val() << self.shift[k].val();
            }
        }
        self.s3_valid.d.next = self.k_valid.q.val();
        self.s3_last.d.next = self.k_last.q.val();
        self.s3_zero_a.d.next = self.k_zero_a.q.val();
        self.s3_skip.d.next = self.k_skip.q.val() | !self.any_kept.val();
        self.s3_nonzero.d.next = self.k_nonzero.q.val();
        self.s3_keep.d.next = self.k_keep.q.val();

        // Side pipeline: plane counts travel beside the tree.
        self.kept_planes.next = self.s3_nonzero.q.val() & self.s3_keep.q.val();
        self.count_kept.bits.next = self.kept_planes.val();
        self.count_nonzero.bits.next = self.s3_nonzero.q.val();
        self.kept_count.next = self.count_kept.count.val();
        // Two popcounts, not three: the non-zero digits are kept or sieved,
        // the other planes are zero digits.
        self.nonzero_count.next = self.count_nonzero.count.val();
        self.sieved_count.next = self.nonzero_count.val() - self.kept_count.val();
        self.zero_w_count.next = self.planes.val() - self.nonzero_count.val();
        if self.s3_zero_a.q.val() | !self.counting.val() {
            self.kept_count.next = 0.into();
            self.sieved_count.next = 0.into();
            self.zero_w_count.next = 0.into();
        }
        self.side_valid[0].d.next = self.s3_valid.q.val();
        self.side_last[0].d.next = self.s3_last.q.val();
        self.side_zero_a[0].d.next = self.s3_zero_a.q.val() & self.counting.val();
        self.side_kept[0].d.next = self.kept_count.val();
        self.side_sieved[0].d.next = self.sieved_count.val();
        self.side_zero_w[0].d.next = self.zero_w_count.val();
        self.side_skip[0].d.next = self.s3_skip.q.val();
        for i in 1..DEPTH {
            self.side_valid[i].d.next = self.side_valid[i - 1].q.val();
            self.side_last[i].d.next = self.side_last[i - 1].q.val();
            self.side_zero_a[i].d.next = self.side_zero_a[i - 1].q.val();
            self.side_kept[i].d.next = self.side_kept[i - 1].q.val();
            self.side_sieved[i].d.next = self.side_sieved[i - 1].q.val();
            self.side_zero_w[i].d.next = self.side_zero_w[i - 1].q.val();
            self.side_skip[i].d.next = self.side_skip[i - 1].q.val();
        }

        // Accumulator stage: wrap, sticky overflow, counters, results.
        self.final_valid.next = false;
        self.final_last.next = false;
        self.inc_zero_a.next = 0.into();
        self.inc_sieved.next = 0.into();
        self.inc_kept.next = 0.into();
        self.inc_zero_w.next = 0.into();
        for i in (DEPTH - 1)..DEPTH {
            self.final_valid.next = self.side_valid[i].q.val();
            self.final_last.next = self.side_last[i].q.val();
            if self.side_zero_a[i].q.val() {
                self.inc_zero_a.next = self.planes.val();
            }
            self.inc_sieved.next = self.side_sieved[i].q.val();
            self.inc_kept.next = self.side_kept[i].q.val();
            self.inc_zero_w.next = self.side_zero_w[i].q.val();
        }
        self.product.next = bit_cast::<ACC, PW>(self.tree.sum.val());
        self.product_sign.next = false;
        for top in (PW - 1)..PW {
            self.product_sign.next = self.tree.sum.val().get_bit(top);
        }
        if self.product_sign.val() {
            self.product.next = self.product.val() | self.acc_sign_ext.val();
        }
        self.final_skip.next = false;
        for i in (DEPTH - 1)..DEPTH {
            self.final_skip.next = self.side_skip[i].q.val();
        }
        self.sum.next = self.acc.q.val() + self.product.val();
        self.acc_sign.next = false;
        self.sum_sign.next = false;
        for top in (ACC - 1)..ACC {
            self.acc_sign.next = self.acc.q.val().get_bit(top);
            self.sum_sign.next = self.sum.val().get_bit(top);
        }
        self.overflow_now.next = (self.acc_sign.val() == self.product_sign.val())
            & (self.sum_sign.val() != self.acc_sign.val());
        // Counters add to the register itself and take the bare increment
        // on restart: no zeroing mux in front of the adder (a LUT per bit),
        // and above the increment's width the restart is the flip-flops'
        // own synchronous reset.
        self.next_zero_a.next =
            self.cnt_zero_a.q.val() + bit_cast::<CNT, CW>(self.inc_zero_a.val());
        self.next_zero_w.next =
            self.cnt_zero_w.q.val() + bit_cast::<CNT, CW>(self.inc_zero_w.val());
        self.next_sieved.next =
            self.cnt_sieved.q.val() + bit_cast::<CNT, CW>(self.inc_sieved.val());
        self.next_kept.next = self.cnt_kept.q.val() + bit_cast::<CNT, CW>(self.inc_kept.val());

        self.res_valid.d.next = false;
        if self.final_valid.val() {
            // A pair that adds nothing leaves the accumulator as it is (the
            // tree holds an older product, or zero at a vector's end).
            if !self.final_skip.val() {
                self.acc.d.next = self.sum.val();
                self.acc_overflow.d.next = self.acc_overflow.q.val() | self.overflow_now.val();
            }
            // A vector's last pair: the result registers take the sum.
            if self.final_last.val() {
                self.res_sum.d.next = self.sum.val();
                self.res_overflow.d.next = self.acc_overflow.q.val() | self.overflow_now.val();
            }
            self.cnt_zero_a.d.next = self.next_zero_a.val();
            self.cnt_zero_w.d.next = self.next_zero_w.val();
            self.cnt_sieved.d.next = self.next_sieved.val();
            self.cnt_kept.d.next = self.next_kept.val();
            if self.restart.q.val() {
                self.cnt_zero_a.d.next = bit_cast::<CNT, CW>(self.inc_zero_a.val());
                self.cnt_zero_w.d.next = bit_cast::<CNT, CW>(self.inc_zero_w.val());
                self.cnt_sieved.d.next = bit_cast::<CNT, CW>(self.inc_sieved.val());
                self.cnt_kept.d.next = bit_cast::<CNT, CW>(self.inc_kept.val());
            }
            self.restart.d.next = self.final_last.val();
            self.res_valid.d.next = self.final_last.val();
        }
        // ... and the accumulator starts again from zero: a clear with
        // priority over the load, so synthesis makes it the flip-flops'
        // synchronous reset (no zeroing mux in front of the adder).
        self.acc_clear.next = self.reset.val() | (self.final_valid.val() & self.final_last.val());
        if self.acc_clear.val() {
            self.acc.d.next = 0.into();
            self.acc_overflow.d.next = false;
        }
        if !self.counting.val() {
            self.cnt_zero_a.d.next = 0.into();
            self.cnt_zero_w.d.next = 0.into();
            self.cnt_sieved.d.next = 0.into();
            self.cnt_kept.d.next = 0.into();
        }
        if self.reset.val() {
            self.s1_valid.d.next = false;
            self.s2_valid.d.next = false;
            self.k_valid.d.next = false;
            self.s3_valid.d.next = false;
            for i in 0..DEPTH {
                self.side_valid[i].d.next = false;
            }
            self.res_valid.d.next = false;
            self.restart.d.next = false;
            self.cnt_zero_a.d.next = 0.into();
            self.cnt_zero_w.d.next = 0.into();
            self.cnt_sieved.d.next = 0.into();
            self.cnt_kept.d.next = 0.into();
        }

        self.out_valid.next = self.res_valid.q.val();
        self.out_sum.next = self.res_sum.q.val();
        self.out_overflow.next = self.res_overflow.q.val();
        self.out_zero_a.next = self.cnt_zero_a.q.val();
        self.out_zero_w.next = self.cnt_zero_w.q.val();
        self.out_sieved.next = self.cnt_sieved.q.val();
        self.out_kept.next = self.cnt_kept.q.val();
    }
}
