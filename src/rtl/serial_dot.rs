//! The streaming sieving dot-product unit, `serial` architecture (SPEC
//! section 6): one kept digit per clock, so a pair occupies
//! `max(1, kept digits)` clocks and the sieve's savings become clocks.
//!
//! The edge that consumes a pair (edge 0) loads the *pair registers*
//! straight from the ports: the planes that are kept (`e(a) + k >= T`,
//! digit non-zero, `a != 0`), split into +1 and -1 digits, and `±a` signed
//! by the weight's sign (so a `+1` digit on plane `k` adds `(s_w ? -a : a)
//! << k` and a `-1` digit its negation, which sums to the SPEC's `p`).
//! Each following clock the lowest remaining kept plane is selected (one
//! AND-OR, no shifter: the row is `±a << k` for the one set bit) into the
//! *term register*, and the next clock adds the term to the accumulator.
//! A clock without a digit (a pair with nothing kept) leaves the term
//! register as it is and adds nothing, so it toggles no datapath.
//! `in_ready` is high when no pair is held or the held pair hands over its
//! last digit this clock, so pair `i` is consumed `max(1, kept_i)` clocks
//! after pair `i - 1` when the input never waits.
//!
//! Timing: `out_valid` rises `1 + max(1, kept)` edges after the edge that
//! consumed a vector's last pair, `kept` being that pair's kept digits
//! (`crate::design::Design::result_latency`).
//!
//! Overflow: the accumulator is `acc_bits + 1` wide. Within a pair its
//! digits add exactly (no partial sum can leave that width), and at the
//! next pair's first digit the value is checked against the `acc_bits`
//! range (the sticky flag) and wrapped, so the flag records exactly the
//! pairs whose `acc + p` left the range (SPEC section 5), whatever the
//! order of their digits. The result ports show the wrapped sum and the
//! flag including the vector's last pair.
//!
//! Counters: each pair's plane counts (as the parallel unit computes them)
//! travel with its first digit and are added with it.

use super::recoder::DigitRecoder;
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
    /// Low while the held pair has more than one kept digit left.
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
    /// Planes per pair `P`.
    planes: Constant<Bits<CW>>,
    /// Planes without a datapath row (1 for ternary), `zero_w` when `a != 0`.
    extra_planes: Constant<Bits<CW>>,
    /// Top bit of the threshold: flipping it offsets T by 2^(t_bits-1).
    thr_offset: Constant<Bits<T>>,
    /// Ones above bit XW-1, to sign-extend `±a` to PW bits.
    row_sign_ext: Constant<Bits<PW>>,
    /// Ones above bit PW-1, to sign-extend a term to AX bits.
    acc_sign_ext: Constant<Bits<AX>>,
    /// `shift[k] == k`, the weight of plane k.
    shift: [Constant<Bits<8>>; W],
    /// Bit A of an XW-bit value: the sign of `a` sign-extended by one bit.
    a_sign_bit: Constant<Bits<XW>>,
    /// Bit ACC of the accumulator, the one above the `acc_bits` range.
    acc_top_bit: Constant<Bits<AX>>,

    // Blocks.
    recoder: DigitRecoder<W>,
    /// `index[k] == k`: the exponent when bit `k` of `|a|` is the leading one.
    index: [Constant<Bits<EB>>; A],
    /// `limit[k]`: plane `k` passes when `v <= limit[k]` (see
    /// [`super::comparator`] for the offset threshold `v`).
    limit: [Constant<Bits<VW>>; W],
    /// `onehot[k] = 1 << k`.
    onehot: [Constant<Bits<W>>; W],

    // Pair registers (loaded by the consuming edge).
    pair_valid: DFF<Bit>,
    pair_last: DFF<Bit>,
    /// The next digit is the pair's first.
    pair_first: DFF<Bit>,
    /// Kept planes still to add, with a +1 / -1 digit.
    pair_pos: DFF<Bits<W>>,
    pair_neg: DFF<Bits<W>>,
    /// `(s_w ? -a : a)` and its negation, XW bits.
    pair_x: DFF<Bits<XW>>,
    pair_nx: DFF<Bits<XW>>,
    pair_zero_a: DFF<Bit>,
    pair_kept: DFF<Bits<CW>>,
    pair_sieved: DFF<Bits<CW>>,
    pair_zero_w: DFF<Bits<CW>>,
    // Term register.
    term_valid: DFF<Bit>,
    /// The term register took a digit this clock (else it held an older
    /// one, and the accumulator adds nothing).
    term_digit: DFF<Bit>,
    term_first: DFF<Bit>,
    /// The vector's last digit.
    term_last: DFF<Bit>,
    term: DFF<Bits<PW>>,
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
    /// The accumulator registers hold a finished vector's result.
    restart: DFF<Bit>,
    res_valid: DFF<Bit>,

    // Combinational intermediates, each at its exact width.
    accept: Signal<Local, Bit>,
    a_negative: Signal<Local, Bit>,
    zero_a: Signal<Local, Bit>,
    a_inverted: Signal<Local, Bits<A>>,
    mag_a: Signal<Local, Bits<A>>,
    e: Signal<Local, Bits<EB>>,
    not_e: Signal<Local, Bits<EB>>,
    keep: Signal<Local, Bits<W>>,
    v: Signal<Local, Bits<VW>>,
    a_wide: Signal<Local, Bits<XW>>,
    a_negated: Signal<Local, Bits<XW>>,
    nonzero: Signal<Local, Bits<W>>,
    kept_planes: Signal<Local, Bits<W>>,
    not_keep: Signal<Local, Bits<W>>,
    sieved_planes: Signal<Local, Bits<W>>,
    kept_count: Signal<Local, Bits<CW>>,
    sieved_count: Signal<Local, Bits<CW>>,
    zero_w_count: Signal<Local, Bits<CW>>,
    thr_offset_value: Signal<Local, Bits<T>>,
    w_gated: Signal<Local, Bits<W>>,
    thr_gated: Signal<Local, Bits<T>>,
    remaining: Signal<Local, Bits<W>>,
    neg_remaining: Signal<Local, Bits<W>>,
    lowest: Signal<Local, Bits<W>>,
    has_digit: Signal<Local, Bit>,
    lowest_pos: Signal<Local, Bits<W>>,
    lowest_neg: Signal<Local, Bits<W>>,
    acc_top: Signal<Local, Bit>,
    acc_sign: Signal<Local, Bit>,
    not_lowest: Signal<Local, Bits<W>>,
    left_after: Signal<Local, Bits<W>>,
    pair_done: Signal<Local, Bit>,
    x_ext: Signal<Local, Bits<PW>>,
    nx_ext: Signal<Local, Bits<PW>>,
    next_term: Signal<Local, Bits<PW>>,
    term_ext: Signal<Local, Bits<AX>>,
    wrapped: Signal<Local, Bits<AX>>,
    out_of_range: Signal<Local, Bit>,
    base_acc: Signal<Local, Bits<AX>>,
    base_overflow: Signal<Local, Bit>,
    inc_zero_a: Signal<Local, Bits<CW>>,
    inc_zero_w: Signal<Local, Bits<CW>>,
    inc_sieved: Signal<Local, Bits<CW>>,
    inc_kept: Signal<Local, Bits<CW>>,
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
            planes: Constant::new((cfg.planes() as u64).into()),
            extra_planes: Constant::new(((cfg.planes() as usize - W) as u64).into()),
            thr_offset: Constant::new((1u64 << (T - 1)).into()),
            row_sign_ext: Constant::new(((ones(PW) & !ones(XW)) as u64).into()),
            acc_sign_ext: Constant::new(((ones(AX) & !ones(PW)) as u64).into()),
            shift: std::array::from_fn(|k| Constant::new((k as u64).into())),
            a_sign_bit: Constant::new((1u64 << A).into()),
            acc_top_bit: Constant::new(((1u128 << ACC) as u64).into()),
            recoder: DigitRecoder::new(cfg.coding() == Coding::Ternary),
            index: std::array::from_fn(|k| Constant::new((k as u64).into())),
            limit: std::array::from_fn(|k| Constant::new((k as u64 + limit_offset).into())),
            onehot: std::array::from_fn(|k| Constant::new((1u64 << k).into())),
            pair_valid: Default::default(),
            pair_last: Default::default(),
            pair_first: Default::default(),
            pair_pos: Default::default(),
            pair_neg: Default::default(),
            pair_x: Default::default(),
            pair_nx: Default::default(),
            pair_zero_a: Default::default(),
            pair_kept: Default::default(),
            pair_sieved: Default::default(),
            pair_zero_w: Default::default(),
            term_valid: Default::default(),
            term_digit: Default::default(),
            term_first: Default::default(),
            term_last: Default::default(),
            term: Default::default(),
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
            accept: Default::default(),
            a_negative: Default::default(),
            zero_a: Default::default(),
            a_inverted: Default::default(),
            mag_a: Default::default(),
            e: Default::default(),
            not_e: Default::default(),
            keep: Default::default(),
            v: Default::default(),
            a_wide: Default::default(),
            a_negated: Default::default(),
            nonzero: Default::default(),
            kept_planes: Default::default(),
            not_keep: Default::default(),
            sieved_planes: Default::default(),
            kept_count: Default::default(),
            sieved_count: Default::default(),
            zero_w_count: Default::default(),
            thr_offset_value: Default::default(),
            w_gated: Default::default(),
            thr_gated: Default::default(),
            remaining: Default::default(),
            neg_remaining: Default::default(),
            lowest: Default::default(),
            has_digit: Default::default(),
            lowest_pos: Default::default(),
            lowest_neg: Default::default(),
            acc_top: Default::default(),
            acc_sign: Default::default(),
            not_lowest: Default::default(),
            left_after: Default::default(),
            pair_done: Default::default(),
            x_ext: Default::default(),
            nx_ext: Default::default(),
            next_term: Default::default(),
            term_ext: Default::default(),
            wrapped: Default::default(),
            out_of_range: Default::default(),
            base_acc: Default::default(),
            base_overflow: Default::default(),
            inc_zero_a: Default::default(),
            inc_zero_w: Default::default(),
            inc_sieved: Default::default(),
            inc_kept: Default::default(),
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
            pair_pos,
            pair_neg,
            pair_x,
            pair_nx,
            pair_zero_a,
            pair_kept,
            pair_sieved,
            pair_zero_w,
            term_valid,
            term_digit,
            term_first,
            term_last,
            term,
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
            res_valid
        );

        // The held pair: its lowest remaining kept plane is this clock's digit.
        self.remaining.next = self.pair_pos.q.val() | self.pair_neg.q.val();
        self.neg_remaining.next = !self.remaining.val() + 1;
        self.lowest.next = self.remaining.val() & self.neg_remaining.val();
        self.has_digit.next = self.remaining.val() != 0;
        self.not_lowest.next = !self.lowest.val();
        self.left_after.next = self.remaining.val() & self.not_lowest.val();
        self.pair_done.next = self.left_after.val() == 0;
        self.in_ready.next = !self.pair_valid.q.val() | self.pair_done.val();
        self.accept.next = self.in_valid.val() & self.in_ready.val() & !self.reset.val();

        // The incoming pair, from the ports: kept planes, +-a, plane counts.
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
        self.e.next = 0.into();
        for k in 0..A {
            if self.mag_a.val().get_bit(k) {
                self.e.next = self.index[k].val();
            }
        }
        self.not_e.next = !self.e.val();
        // Operand gating: with a = 0 the weight and the threshold do not
        // reach the recoder and the comparator, which then do not toggle.
        // (The condition reads the port, not `zero_a`: Verilator would see
        // a loop through the recoder otherwise.)
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
        self.recoder.w.next = self.w_gated.val();
        self.nonzero.next = self.recoder.pos.val() | self.recoder.neg.val();
        self.kept_planes.next = self.nonzero.val() & self.keep.val();
        if self.zero_a.val() {
            self.kept_planes.next = 0.into();
        }
        self.a_wide.next = bit_cast::<XW, A>(self.in_a.val());
        if self.a_negative.val() {
            self.a_wide.next = self.a_wide.val() | self.a_sign_bit.val();
        }
        self.a_negated.next = !self.a_wide.val() + 1;
        self.not_keep.next = !self.keep.val();
        // Plane counts, one increment per plane (W is at most 16; a tree
        // block here would make a combinational loop through this block
        // in Verilator's eyes).
        self.sieved_planes.next = self.nonzero.val() & self.not_keep.val();
        self.kept_count.next = 0.into();
        self.sieved_count.next = 0.into();
        self.zero_w_count.next = self.extra_planes.val();
        for k in 0..W {
            if self.kept_planes.val().get_bit(k) {
                self.kept_count.next = self.kept_count.val() + 1;
            }
            if self.sieved_planes.val().get_bit(k) {
                self.sieved_count.next = self.sieved_count.val() + 1;
            }
            if !self.nonzero.val().get_bit(k) {
                self.zero_w_count.next = self.zero_w_count.val() + 1;
            }
        }
        if self.zero_a.val() | !self.counting.val() {
            self.kept_count.next = 0.into();
            self.sieved_count.next = 0.into();
            self.zero_w_count.next = 0.into();
        }

        // This clock's digit into the term register: +-a << k for the one
        // set bit k of `lowest` (an AND-OR, no shifter).
        self.x_ext.next = bit_cast::<PW, XW>(self.pair_x.q.val());
        self.nx_ext.next = bit_cast::<PW, XW>(self.pair_nx.q.val());
        for top in (XW - 1)..XW {
            if self.pair_x.q.val().get_bit(top) {
                self.x_ext.next = self.x_ext.val() | self.row_sign_ext.val();
            }
            if self.pair_nx.q.val().get_bit(top) {
                self.nx_ext.next = self.nx_ext.val() | self.row_sign_ext.val();
            }
        }
        self.lowest_pos.next = self.lowest.val() & self.pair_pos.q.val();
        self.lowest_neg.next = self.lowest.val() & self.pair_neg.q.val();
        self.next_term.next = 0.into();
        for k in 0..W {
            if self.lowest_pos.val().get_bit(k) {
                self.next_term.next =
                    self.next_term.val() | (self.x_ext.val() << self.shift[k].val());
            }
            if self.lowest_neg.val().get_bit(k) {
                self.next_term.next =
                    self.next_term.val() | (self.nx_ext.val() << self.shift[k].val());
            }
        }
        self.term_valid.d.next = self.pair_valid.q.val();
        self.term_first.d.next = self.pair_first.q.val();
        self.term_last.d.next = self.pair_last.q.val() & self.pair_done.val();
        // A pair without a kept digit leaves the term register as it is.
        self.term_digit.d.next = self.has_digit.val();
        if self.has_digit.val() {
            self.term.d.next = self.next_term.val();
        }
        self.term_zero_a.d.next = self.pair_zero_a.q.val();
        self.term_kept.d.next = self.pair_kept.q.val();
        self.term_sieved.d.next = self.pair_sieved.q.val();
        self.term_zero_w.d.next = self.pair_zero_w.q.val();

        // The pair registers: the digit leaves; a new pair comes in.
        self.pair_pos.d.next = self.pair_pos.q.val() & self.not_lowest.val();
        self.pair_neg.d.next = self.pair_neg.q.val() & self.not_lowest.val();
        self.pair_first.d.next = false;
        if self.pair_done.val() {
            self.pair_valid.d.next = false;
        }
        if self.accept.val() {
            self.pair_valid.d.next = true;
            self.pair_first.d.next = true;
            self.pair_last.d.next = self.in_last.val();
            self.pair_pos.d.next = self.recoder.pos.val() & self.kept_planes.val();
            self.pair_neg.d.next = self.recoder.neg.val() & self.kept_planes.val();
            // A pair with a = 0 leaves +-a as it was (no toggles). The
            // condition reads the port: the kept planes come at the end
            // of the longest path and would cost the clock.
            if self.in_a.val() != 0 {
                if self.recoder.negative.val() {
                    self.pair_x.d.next = self.a_negated.val();
                    self.pair_nx.d.next = self.a_wide.val();
                } else {
                    self.pair_x.d.next = self.a_wide.val();
                    self.pair_nx.d.next = self.a_negated.val();
                }
            }
            self.pair_zero_a.d.next = self.zero_a.val() & self.counting.val();
            self.pair_kept.d.next = self.kept_count.val();
            self.pair_sieved.d.next = self.sieved_count.val();
            self.pair_zero_w.d.next = self.zero_w_count.val();
        }

        // Accumulator: exact within a pair, checked and wrapped at the next
        // pair's first digit.
        self.term_ext.next = bit_cast::<AX, PW>(self.term.q.val());
        for top in (PW - 1)..PW {
            if self.term.q.val().get_bit(top) {
                self.term_ext.next = self.term_ext.val() | self.acc_sign_ext.val();
            }
        }
        // The accumulator wrapped to acc_bits, sign-extended to AX bits.
        self.acc_top.next = false;
        for top in (AX - 1)..AX {
            self.acc_top.next = self.acc.q.val().get_bit(top);
        }
        self.acc_sign.next = false;
        for sign in (ACC - 1)..ACC {
            self.acc_sign.next = self.acc.q.val().get_bit(sign);
        }
        self.out_of_range.next = self.acc_top.val() != self.acc_sign.val();
        self.wrapped.next = self.acc.q.val() & !self.acc_top_bit.val();
        if self.acc_sign.val() {
            self.wrapped.next = self.acc.q.val() | self.acc_top_bit.val();
        }
        self.base_acc.next = self.acc.q.val();
        self.base_overflow.next = self.acc_overflow.q.val();
        if self.term_first.q.val() {
            self.base_acc.next = self.wrapped.val();
            self.base_overflow.next = self.acc_overflow.q.val() | self.out_of_range.val();
        }
        if self.restart.q.val() {
            self.base_acc.next = 0.into();
            self.base_overflow.next = false;
        }
        self.inc_zero_a.next = 0.into();
        self.inc_zero_w.next = 0.into();
        self.inc_sieved.next = 0.into();
        self.inc_kept.next = 0.into();
        if self.term_first.q.val() {
            if self.term_zero_a.q.val() {
                self.inc_zero_a.next = self.planes.val();
            }
            self.inc_zero_w.next = self.term_zero_w.q.val();
            self.inc_sieved.next = self.term_sieved.q.val();
            self.inc_kept.next = self.term_kept.q.val();
        }
        self.res_valid.d.next = false;
        if self.term_valid.q.val() {
            self.acc.d.next = self.base_acc.val() + self.term_ext.val();
            if !self.term_digit.q.val() {
                self.acc.d.next = self.base_acc.val();
            }
            self.acc_overflow.d.next = self.base_overflow.val();
            // Counters add to the register itself and take the bare
            // increment on restart (no zeroing mux in front of the adder).
            self.cnt_zero_a.d.next =
                self.cnt_zero_a.q.val() + bit_cast::<CNT, CW>(self.inc_zero_a.val());
            self.cnt_zero_w.d.next =
                self.cnt_zero_w.q.val() + bit_cast::<CNT, CW>(self.inc_zero_w.val());
            self.cnt_sieved.d.next =
                self.cnt_sieved.q.val() + bit_cast::<CNT, CW>(self.inc_sieved.val());
            self.cnt_kept.d.next = self.cnt_kept.q.val() + bit_cast::<CNT, CW>(self.inc_kept.val());
            if self.restart.q.val() {
                self.cnt_zero_a.d.next = bit_cast::<CNT, CW>(self.inc_zero_a.val());
                self.cnt_zero_w.d.next = bit_cast::<CNT, CW>(self.inc_zero_w.val());
                self.cnt_sieved.d.next = bit_cast::<CNT, CW>(self.inc_sieved.val());
                self.cnt_kept.d.next = bit_cast::<CNT, CW>(self.inc_kept.val());
            }
            self.restart.d.next = self.term_last.q.val();
            self.res_valid.d.next = self.term_last.q.val();
        }
        if !self.counting.val() {
            self.cnt_zero_a.d.next = 0.into();
            self.cnt_zero_w.d.next = 0.into();
            self.cnt_sieved.d.next = 0.into();
            self.cnt_kept.d.next = 0.into();
        }
        if self.reset.val() {
            self.pair_valid.d.next = false;
            self.pair_pos.d.next = 0.into();
            self.pair_neg.d.next = 0.into();
            self.term_valid.d.next = false;
            self.term_first.d.next = false;
            self.term_last.d.next = false;
            self.res_valid.d.next = false;
            self.restart.d.next = false;
            self.acc.d.next = 0.into();
            self.acc_overflow.d.next = false;
            self.cnt_zero_a.d.next = 0.into();
            self.cnt_zero_w.d.next = 0.into();
            self.cnt_sieved.d.next = 0.into();
            self.cnt_kept.d.next = 0.into();
        }

        // Result ports: the wrapped accumulator, the flag with the last pair.
        self.out_valid.next = self.res_valid.q.val();
        self.out_sum.next = bit_cast::<ACC, AX>(self.acc.q.val());
        self.out_overflow.next = self.acc_overflow.q.val() | self.out_of_range.val();
        self.out_zero_a.next = self.cnt_zero_a.q.val();
        self.out_zero_w.next = self.cnt_zero_w.q.val();
        self.out_sieved.next = self.cnt_sieved.q.val();
        self.out_kept.next = self.cnt_kept.q.val();
    }
}
