//! The streaming sieving dot-product unit, `serial` architecture (SPEC
//! section 6): one kept digit per clock, so a pair occupies
//! `max(1, kept digits)` clocks and the sieve's savings become clocks.
//!
//! Three stages, by clock edge after the edge that consumes a pair (edge 0):
//!
//! | edge | stage |
//! |---|---|
//! | 0 | *pair registers*, from the ports: the kept planes (`e(a) + k >= T`, digit non-zero), the planes whose digit is -1, `a`, and whether two or more digits are kept |
//! | 1 .. max(1, kept) | *term register*: the lowest remaining kept plane `k`, as `(a << k)` through a log shifter, inverted for a -1 digit (the +1 of the negation is the accumulator's carry-in) |
//! | max(1, kept) + 1 | accumulator; at a vector's last term the result registers |
//!
//! The digits are those of the *signed* weight (SPEC section 2 applied to
//! `w` rather than `|w|`): the NAF of `w` is `s_w` times the NAF of `|w|`,
//! and the closed form `x = 3w`, `+1 where x & !w`, `-1 where w & !x`
//! (bits 1..=W) needs no magnitude of `w`; binary digits are `|w|`'s bits,
//! signed by `s_w`. So a digit's sign is the sign of its term and `a` is
//! never negated.
//!
//! `in_ready` is a register: low while the held pair has two or more
//! digits left, so pair `i` is consumed `max(1, kept_i)` clocks after pair
//! `i - 1` when the input never waits. A clock without a digit (a pair
//! with nothing kept) leaves the term register and the accumulator as they
//! are, so it toggles no datapath.
//!
//! Timing: `out_valid` rises `1 + max(1, kept)` edges after the edge that
//! consumed a vector's last pair, `kept` being that pair's kept digits
//! (`crate::design::Design::result_latency`).
//!
//! Accumulator and result: the accumulator is `acc_bits + 1` wide. Within
//! a pair its digits add exactly, and at the next pair's first term the
//! value is checked against the `acc_bits` range (the sticky flag) and
//! wrapped, so the flag records exactly the pairs whose `acc + p` left the
//! range (SPEC section 5). The vector's last term writes the sum into the
//! result registers and clears the accumulator (the flip-flops'
//! synchronous reset), so no zeroing mux sits in front of the adder.
//!
//! Counters: the pair registers keep the non-zero planes; at the pair's
//! first term two popcounts (of the kept and the non-zero planes, both
//! registered) give its plane counts, added with that term.

use super::popcount::PopCount;
use crate::config::{Coding, UnitConfig};
use rust_hdl::prelude::*;

/// Const parameters as for [`super::sieve_dot::SieveDot`], plus
/// `AX = acc_bits + 1`, the accumulator width.
#[derive(LogicBlock)]
pub struct SerialDot<
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
> {
    // SPEC section 6 ports, in order.
    pub clock: Signal<In, Clock>,
    /// Synchronous, active high: empties the unit.
    pub reset: Signal<In, Bit>,
    pub in_valid: Signal<In, Bit>,
    /// Low while the held pair has two or more kept digits left.
    pub in_ready: Signal<Out, Bit>,
    pub in_a: Signal<In, Bits<A>>,
    pub in_w: Signal<In, Bits<W>>,
    pub in_thr: Signal<In, Bits<T>>,
    pub in_last: Signal<In, Bit>,
    /// High for one cycle per finished vector.
    pub out_valid: Signal<Out, Bit>,
    pub out_sum: Signal<Out, Bits<ACC>>,
    pub out_overflow: Signal<Out, Bit>,
    pub out_zero_a: Signal<Out, Bits<CNT>>,
    pub out_zero_w: Signal<Out, Bits<CNT>>,
    pub out_sieved: Signal<Out, Bits<CNT>>,
    pub out_kept: Signal<Out, Bits<CNT>>,

    // Parameters as constants.
    /// False for `--no-counters`: counters and their outputs stay zero.
    counting: Constant<Bit>,
    /// True for ternary (NAF) digits, false for binary.
    ternary: Constant<Bit>,
    /// Planes per pair `P`.
    planes: Constant<Bits<CW>>,
    /// Top bit of the threshold: flipping it offsets T by 2^(t_bits-1).
    thr_offset: Constant<Bits<T>>,
    /// Ones above bit A-1 of a PW-bit value, to sign-extend `a`.
    a_sign_ext: Constant<Bits<PW>>,
    /// Ones above bit W-1 of a PW-bit value, to sign-extend `w`.
    w_sign_ext: Constant<Bits<PW>>,
    /// Ones above bit PW-1, to sign-extend a term to AX bits.
    acc_sign_ext: Constant<Bits<AX>>,
    /// Bit ACC of the accumulator, the one above the `acc_bits` range.
    acc_top_bit: Constant<Bits<AX>>,
    /// 1, the shift of `2w` and of the digit planes.
    one: Constant<Bits<8>>,
    /// `plane_index[k] == k`, the shift of plane k.
    plane_index: [Constant<Bits<8>>; W],
    /// `stage[b] == 1 << b`, the log shifter's steps.
    stage: [Constant<Bits<8>>; 4],
    /// `index[k] == k`: the exponent when bit `k` of `|a|` is the leading one.
    index: [Constant<Bits<EB>>; A],
    /// `a_steps[k] == k + 1`, shifts of an A-bit value.
    a_steps: [Constant<Bits<8>>; A],
    /// `limit[k]`: plane `k` passes when `v <= limit[k]` (see
    /// [`super::comparator`] for the offset threshold `v`).
    limit: [Constant<Bits<VW>>; W],
    /// `onehot[k] = 1 << k`.
    onehot: [Constant<Bits<W>>; W],

    // Blocks: plane counts of the registered masks.
    pop_kept: PopCount<W, CW, HN>,
    pop_nonzero: PopCount<W, CW, HN>,

    // Pair registers (loaded by the consuming edge).
    pair_valid: DFF<Bit>,
    pair_last: DFF<Bit>,
    /// The next term is the pair's first.
    pair_first: DFF<Bit>,
    /// Two or more kept digits left: the unit is busy (`in_ready` low).
    pair_more: DFF<Bit>,
    /// Kept planes still to add.
    pair_kept: DFF<Bits<W>>,
    /// Planes whose digit is -1 (meaningful where `pair_kept` is set).
    pair_negative: DFF<Bits<W>>,
    /// Planes with a non-zero digit (counters only).
    pair_nonzero: DFF<Bits<W>>,
    pair_zero_a: DFF<Bit>,
    /// The activation, loaded only when non-zero.
    pair_a: DFF<Bits<A>>,
    // Term register.
    term_valid: DFF<Bit>,
    /// The term register took a digit this clock (else it holds an older
    /// one, and the accumulator adds nothing).
    term_digit: DFF<Bit>,
    term_first: DFF<Bit>,
    /// The vector's last term.
    term_last: DFF<Bit>,
    /// `a << k`, inverted for a -1 digit.
    term: DFF<Bits<PW>>,
    /// The term is inverted: add one more (the accumulator's carry-in).
    term_negative: DFF<Bit>,
    term_zero_a: DFF<Bit>,
    term_kept: DFF<Bits<CW>>,
    term_sieved: DFF<Bits<CW>>,
    term_zero_w: DFF<Bits<CW>>,
    // Accumulator stage.
    acc: DFF<Bits<AX>>,
    acc_overflow: DFF<Bit>,
    cnt_zero_a: DFF<Bits<CNT>>,
    cnt_zero_w: DFF<Bits<CNT>>,
    cnt_sieved: DFF<Bits<CNT>>,
    cnt_kept: DFF<Bits<CNT>>,
    /// The counters hold a finished vector's counts.
    restart: DFF<Bit>,
    res_valid: DFF<Bit>,
    res_sum: DFF<Bits<ACC>>,
    res_overflow: DFF<Bit>,

    // Combinational intermediates, each at its exact width.
    accept: Signal<Local, Bit>,
    // Decode of the incoming pair.
    a_negative: Signal<Local, Bit>,
    zero_a: Signal<Local, Bit>,
    a_inverted: Signal<Local, Bits<A>>,
    mag_a: Signal<Local, Bits<A>>,
    smeared: Signal<Local, Bits<A>>,
    above: Signal<Local, Bits<A>>,
    leading: Signal<Local, Bits<A>>,
    e: Signal<Local, Bits<EB>>,
    not_e: Signal<Local, Bits<EB>>,
    w_gated: Signal<Local, Bits<W>>,
    thr_gated: Signal<Local, Bits<T>>,
    thr_offset_value: Signal<Local, Bits<T>>,
    v: Signal<Local, Bits<VW>>,
    keep: Signal<Local, Bits<W>>,
    w_wide: Signal<Local, Bits<PW>>,
    w_twice: Signal<Local, Bits<PW>>,
    w_triple: Signal<Local, Bits<PW>>,
    up_wide: Signal<Local, Bits<PW>>,
    down_wide: Signal<Local, Bits<PW>>,
    up_shifted: Signal<Local, Bits<PW>>,
    down_shifted: Signal<Local, Bits<PW>>,
    w_negative: Signal<Local, Bit>,
    w_inverted: Signal<Local, Bits<W>>,
    mag_w: Signal<Local, Bits<W>>,
    digit_pos: Signal<Local, Bits<W>>,
    digit_neg: Signal<Local, Bits<W>>,
    nonzero: Signal<Local, Bits<W>>,
    kept_planes: Signal<Local, Bits<W>>,
    kept_one: Signal<Local, Bit>,
    kept_two: Signal<Local, Bit>,
    // The held pair's next digit.
    neg_remaining: Signal<Local, Bits<W>>,
    lowest: Signal<Local, Bits<W>>,
    not_lowest: Signal<Local, Bits<W>>,
    has_digit: Signal<Local, Bit>,
    left_one: Signal<Local, Bit>,
    left_two: Signal<Local, Bit>,
    left_three: Signal<Local, Bit>,
    issue_last: Signal<Local, Bit>,
    term_clear: Signal<Local, Bit>,
    lowest_negative: Signal<Local, Bit>,
    shift_amount: Signal<Local, Bits<8>>,
    a_ext: Signal<Local, Bits<PW>>,
    shifted: Signal<Local, Bits<PW>>,
    // Accumulator.
    term_ext: Signal<Local, Bits<AX>>,
    carry_in: Signal<Local, Bits<AX>>,
    acc_top: Signal<Local, Bit>,
    acc_sign: Signal<Local, Bit>,
    out_of_range: Signal<Local, Bit>,
    base_acc: Signal<Local, Bits<AX>>,
    base_overflow: Signal<Local, Bit>,
    sum: Signal<Local, Bits<AX>>,
    acc_clear: Signal<Local, Bit>,
    sum_top: Signal<Local, Bit>,
    sum_sign: Signal<Local, Bit>,
    inc_zero_a: Signal<Local, Bits<CW>>,
}

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
        super::check_widths(cfg, [A, W, T, ACC, CNT], "the serial unit");
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
        let ones = |n: usize| -> u128 {
            if n >= 128 {
                u128::MAX
            } else {
                (1u128 << n) - 1
            }
        };
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
            a_sign_ext: Constant::new(((ones(PW) & !ones(A)) as u64).into()),
            w_sign_ext: Constant::new(((ones(PW) & !ones(W)) as u64).into()),
            acc_sign_ext: Constant::new(((ones(AX) & !ones(PW)) as u64).into()),
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
