//! The clocked logic of [`super::SerialDot`].

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
        const CW: usize,
        const AX: usize,
    > Logic for SerialDot<A, W, T, ACC, CNT, XW, PW, EB, VW, HN, CW, AX>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            pair_valid,
            pair_last,
            pair_first,
            pair_more,
            pair_kept,
            pair_negative,
            pair_nonzero,
            pair_zero_a,
            pair_a,
            term_valid,
            term_digit,
            term_first,
            term_last,
            term,
            term_negative,
            term_zero_a,
            term_kept,
            term_sieved,
            term_zero_w,
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

        self.in_ready.next = !self.pair_more.q.val();
        self.accept.next = self.in_valid.val() & !self.pair_more.q.val() & !self.reset.val();

        // The incoming pair, from the ports: the exponent of |a| and the
        // planes that pass the sieve.
        self.a_negative.next = false;
        for top in (A - 1)..A {
            self.a_negative.next = self.in_a.val().get_bit(top);
        }
        self.zero_a.next = self.in_a.val() == 0;
        self.a_inverted.next = !self.in_a.val();
        self.mag_a.next = self.in_a.val();
        if self.a_negative.val() {
            self.mag_a.next = self.a_inverted.val() + 1;
        }
        // Leading one of |a| and the plane comparator, written out here (as
        // blocks, the chain from the ports through them back into this
        // block reads as a combinational loop to Verilator).
        // As a one-hot leading bit (the magnitude smeared down, then its
        // edge) encoded by ORs: shallower than a priority chain.
        self.smeared.next = self.mag_a.val();
        // (The last step, by A, adds nothing; it keeps every constant used.)
        for k in 0..A {
            self.smeared.next = self.smeared.val() | (self.mag_a.val() >> self.a_steps[k].val());
        }
        self.above.next = self.smeared.val() >> self.a_steps[0].val();
        self.leading.next = self.smeared.val() & !self.above.val();
        self.e.next = 0.into();
        for k in 0..A {
            if self.leading.val().get_bit(k) {
                self.e.next = self.e.val() | self.index[k].val();
            }
        }
        self.not_e.next = !self.e.val();
        // Operand gating: with a = 0 the weight and the threshold do not
        // reach the digits and the comparator, which then do not toggle,
        // and no digit is kept (the digits of 0 are all zero).
        self.w_gated.next = self.in_w.val();
        self.thr_gated.next = self.in_thr.val();
        if self.in_a.val() == 0 {
            self.w_gated.next = 0.into();
            self.thr_gated.next = 0.into();
        }
        self.thr_offset_value.next = self.thr_gated.val() ^ self.thr_offset.val();
        self.v.next =
            bit_cast::<VW, T>(self.thr_offset_value.val()) + bit_cast::<VW, EB>(self.not_e.val());
        self.keep.next = 0.into();
        for k in 0..W {
            if self.v.val() <= self.limit[k].val() {
                self.keep.next = self.keep.val() | self.onehot[k].val();
            }
        }

        // The signed weight's digits. Ternary: x = 3w; plane k is +1 where
        // bit k+1 of x is set and of w clear, -1 the other way round.
        self.w_wide.next = bit_cast::<PW, W>(self.w_gated.val());
        self.w_negative.next = false;
        for top in (W - 1)..W {
            self.w_negative.next = self.w_gated.val().get_bit(top);
        }
        if self.w_negative.val() {
            self.w_wide.next = self.w_wide.val() | self.w_sign_ext.val();
        }
        self.w_twice.next = self.w_wide.val() << self.one.val();
        self.w_triple.next = self.w_wide.val() + self.w_twice.val();
        self.up_wide.next = self.w_triple.val() & !self.w_wide.val();
        self.down_wide.next = self.w_wide.val() & !self.w_triple.val();
        self.up_shifted.next = self.up_wide.val() >> self.one.val();
        self.down_shifted.next = self.down_wide.val() >> self.one.val();
        // Binary: the bits of |w|, signed by s_w.
        self.w_inverted.next = !self.w_gated.val();
        self.mag_w.next = self.w_gated.val();
        if self.w_negative.val() {
            self.mag_w.next = self.w_inverted.val() + 1;
        }
        if self.ternary.val() {
            self.digit_pos.next = bit_cast::<W, PW>(self.up_shifted.val());
            self.digit_neg.next = bit_cast::<W, PW>(self.down_shifted.val());
        } else {
            self.digit_pos.next = self.mag_w.val();
            self.digit_neg.next = 0.into();
            if self.w_negative.val() {
                self.digit_pos.next = 0.into();
                self.digit_neg.next = self.mag_w.val();
            }
        }
        self.nonzero.next = self.digit_pos.val() | self.digit_neg.val();
        self.kept_planes.next = self.nonzero.val() & self.keep.val();
        // Two or more kept digits: the unit will be busy next clock.
        self.kept_one.next = false;
        self.kept_two.next = false;
        for k in 0..W {
            self.kept_two.next =
                self.kept_two.val() | (self.kept_one.val() & self.kept_planes.val().get_bit(k));
            self.kept_one.next = self.kept_one.val() | self.kept_planes.val().get_bit(k);
        }

        // The held pair: its lowest remaining kept plane is this clock's
        // digit; two or more left after it keep the unit busy.
        self.neg_remaining.next = !self.pair_kept.q.val() + 1;
        self.lowest.next = self.pair_kept.q.val() & self.neg_remaining.val();
        self.not_lowest.next = !self.lowest.val();
        self.has_digit.next = self.pair_kept.q.val() != 0;
        self.left_one.next = false;
        self.left_two.next = false;
        self.left_three.next = false;
        for k in 0..W {
            self.left_three.next =
                self.left_three.val() | (self.left_two.val() & self.pair_kept.q.val().get_bit(k));
            self.left_two.next =
                self.left_two.val() | (self.left_one.val() & self.pair_kept.q.val().get_bit(k));
            self.left_one.next = self.left_one.val() | self.pair_kept.q.val().get_bit(k);
        }
        self.issue_last.next =
            self.pair_valid.q.val() & self.pair_last.q.val() & !self.pair_more.q.val();
        // The term: a << k through a log shifter, inverted for a -1 digit.
        self.lowest_negative.next = (self.lowest.val() & self.pair_negative.q.val()) != 0;
        self.shift_amount.next = 0.into();
        for k in 0..W {
            if self.lowest.val().get_bit(k) {
                self.shift_amount.next = self.shift_amount.val() | self.plane_index[k].val();
            }
        }
        self.a_ext.next = bit_cast::<PW, A>(self.pair_a.q.val());
        for top in (A - 1)..A {
            if self.pair_a.q.val().get_bit(top) {
                self.a_ext.next = self.a_ext.val() | self.a_sign_ext.val();
            }
        }
        self.shifted.next = self.a_ext.val();
        for b in 0..4 {
            if self.shift_amount.val().get_bit(b) {
                self.shifted.next = self.shifted.val() << self.stage[b].val();
            }
        }
        self.term_valid.d.next = self.pair_valid.q.val();
        self.term_first.d.next = self.pair_first.q.val();
        self.term_last.d.next = self.issue_last.val();
        self.term_digit.d.next = self.has_digit.val();
        // A clock without a digit leaves the term as it is, except at the
        // vector's end, where the result adds a zero term (a clear with
        // priority over the load: the flip-flops' synchronous reset).
        if self.has_digit.val() {
            self.term.d.next = self.shifted.val();
            if self.lowest_negative.val() {
                self.term.d.next = !self.shifted.val();
            }
            self.term_negative.d.next = self.lowest_negative.val();
        }
        self.term_clear.next = !self.has_digit.val() & self.issue_last.val();
        if self.term_clear.val() {
            self.term.d.next = 0.into();
            self.term_negative.d.next = false;
        }
        // Plane counts at the pair's first term, from the registered masks:
        // sieved = non-zero - kept, zero_w = P - non-zero.
        self.pop_kept.bits.next = self.pair_kept.q.val();
        self.pop_nonzero.bits.next = self.pair_nonzero.q.val();
        if self.pair_first.q.val() {
            self.term_zero_a.d.next = self.pair_zero_a.q.val();
            self.term_kept.d.next = self.pop_kept.count.val();
            self.term_sieved.d.next = self.pop_nonzero.count.val() - self.pop_kept.count.val();
            self.term_zero_w.d.next = self.planes.val() - self.pop_nonzero.count.val();
            if self.pair_zero_a.q.val() {
                self.term_zero_w.d.next = 0.into();
            }
        }

        // The pair registers: the digit leaves; a new pair comes in.
        self.pair_kept.d.next = self.pair_kept.q.val() & self.not_lowest.val();
        self.pair_more.d.next = self.left_three.val();
        self.pair_first.d.next = false;
        if !self.pair_more.q.val() {
            self.pair_valid.d.next = false;
        }
        if self.accept.val() {
            self.pair_valid.d.next = true;
            self.pair_first.d.next = true;
            self.pair_last.d.next = self.in_last.val();
            self.pair_more.d.next = self.kept_two.val();
            self.pair_kept.d.next = self.kept_planes.val();
            self.pair_negative.d.next = self.digit_neg.val();
            // A pair with a = 0 leaves `a` as it was (no toggles).
            if self.in_a.val() != 0 {
                self.pair_a.d.next = self.in_a.val();
            }
            if self.counting.val() {
                self.pair_nonzero.d.next = self.nonzero.val();
                self.pair_zero_a.d.next = self.zero_a.val();
            }
        }

        // Accumulator: exact within a pair, checked and wrapped at the next
        // pair's first term.
        self.term_ext.next = bit_cast::<AX, PW>(self.term.q.val());
        for top in (PW - 1)..PW {
            if self.term.q.val().get_bit(top) {
                self.term_ext.next = self.term_ext.val() | self.acc_sign_ext.val();
            }
        }
        self.carry_in.next = 0.into();
        if self.term_negative.q.val() {
            self.carry_in.next = 1.into();
        }
        self.acc_top.next = false;
        for top in (AX - 1)..AX {
            self.acc_top.next = self.acc.q.val().get_bit(top);
        }
        self.acc_sign.next = false;
        for sign in (ACC - 1)..ACC {
            self.acc_sign.next = self.acc.q.val().get_bit(sign);
        }
        self.out_of_range.next = self.acc_top.val() != self.acc_sign.val();
        self.base_acc.next = self.acc.q.val();
        self.base_overflow.next = self.acc_overflow.q.val();
        if self.term_first.q.val() {
            // Wrapped to acc_bits: bit ACC becomes a copy of the sign.
            self.base_acc.next = self.acc.q.val() & !self.acc_top_bit.val();
            if self.acc_sign.val() {
                self.base_acc.next = self.acc.q.val() | self.acc_top_bit.val();
            }
            self.base_overflow.next = self.acc_overflow.q.val() | self.out_of_range.val();
        }
        self.sum.next = self.base_acc.val() + self.term_ext.val() + self.carry_in.val();
        self.sum_top.next = false;
        for top in (AX - 1)..AX {
            self.sum_top.next = self.sum.val().get_bit(top);
        }
        self.sum_sign.next = false;
        for sign in (ACC - 1)..ACC {
            self.sum_sign.next = self.sum.val().get_bit(sign);
        }
        self.inc_zero_a.next = 0.into();
        if self.term_zero_a.q.val() {
            self.inc_zero_a.next = self.planes.val();
        }
        self.res_valid.d.next = false;
        if self.term_valid.q.val() {
            if self.term_digit.q.val() {
                self.acc.d.next = self.sum.val();
            }
            if self.term_first.q.val() {
                self.acc_overflow.d.next = self.base_overflow.val();
                // Counters add to their own register and take the bare
                // increment on restart (no zeroing mux in front of the adder).
                self.cnt_zero_a.d.next =
                    self.cnt_zero_a.q.val() + bit_cast::<CNT, CW>(self.inc_zero_a.val());
                self.cnt_zero_w.d.next =
                    self.cnt_zero_w.q.val() + bit_cast::<CNT, CW>(self.term_zero_w.q.val());
                self.cnt_sieved.d.next =
                    self.cnt_sieved.q.val() + bit_cast::<CNT, CW>(self.term_sieved.q.val());
                self.cnt_kept.d.next =
                    self.cnt_kept.q.val() + bit_cast::<CNT, CW>(self.term_kept.q.val());
                if self.restart.q.val() {
                    self.cnt_zero_a.d.next = bit_cast::<CNT, CW>(self.inc_zero_a.val());
                    self.cnt_zero_w.d.next = bit_cast::<CNT, CW>(self.term_zero_w.q.val());
                    self.cnt_sieved.d.next = bit_cast::<CNT, CW>(self.term_sieved.q.val());
                    self.cnt_kept.d.next = bit_cast::<CNT, CW>(self.term_kept.q.val());
                }
            }
            self.restart.d.next = self.term_last.q.val();
            // The vector's last term: the result registers take the sum.
            if self.term_last.q.val() {
                self.res_sum.d.next = bit_cast::<ACC, AX>(self.sum.val());
                self.res_overflow.d.next =
                    self.base_overflow.val() | (self.sum_top.val() != self.sum_sign.val());
                self.res_valid.d.next = true;
            }
        }
        // ... and the accumulator and the flag start again from zero: a
        // clear with priority over the load, so synthesis makes it the
        // flip-flops' synchronous reset (no mask in front of them).
        self.acc_clear.next = self.reset.val() | (self.term_valid.q.val() & self.term_last.q.val());
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
            self.pair_valid.d.next = false;
            self.pair_more.d.next = false;
            self.pair_first.d.next = false;
            self.pair_kept.d.next = 0.into();
            self.term_valid.d.next = false;
            self.term_first.d.next = false;
            self.term_last.d.next = false;
            self.res_valid.d.next = false;
            self.restart.d.next = false;
            self.cnt_zero_a.d.next = 0.into();
            self.cnt_zero_w.d.next = 0.into();
            self.cnt_sieved.d.next = 0.into();
            self.cnt_kept.d.next = 0.into();
        }

        // Result ports.
        self.out_valid.next = self.res_valid.q.val();
        self.out_sum.next = self.res_sum.q.val();
        self.out_overflow.next = self.res_overflow.q.val();
        self.out_zero_a.next = self.cnt_zero_a.q.val();
        self.out_zero_w.next = self.cnt_zero_w.q.val();
        self.out_sieved.next = self.cnt_sieved.q.val();
        self.out_kept.next = self.cnt_kept.q.val();
    }
}
