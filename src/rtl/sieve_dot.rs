//! The streaming sieving dot-product unit, `parallel` architecture
//! (SPEC sections 4 to 6).
//!
//! One pair per clock, never stalls (`in_ready` is always 1). Pipeline, by
//! clock edge after the edge that consumes a pair (edge 0):
//!
//! | edge | stage |
//! |---|---|
//! | 0 | \|a\|, sign of a, `a == 0`, offset threshold, raw `w` registered |
//! | 1 | exponent (leading one), digit recoder, `v = T' + ~e`, `±|a|` |
//! | 2 | plane comparator, masked partial-product rows (tree leaves) |
//! | 3 .. 2+log2(W) | adder tree levels; counts of kept / sieved planes |
//! | 3+log2(W) | accumulator, overflow, counters; result registers |
//!
//! So `out_valid` rises `LATENCY = 3 + log2(W)` edges after the edge that
//! consumed a vector's last pair (edge 0), for exactly one cycle. The
//! result ports are the accumulator and counter registers themselves: they
//! hold the vector's result in the `out_valid` cycle and follow the next
//! vector afterwards (no separate result registers). `reset`
//! (synchronous) drops everything in flight and clears the accumulator,
//! the overflow flag and the counters.
//!
//! Operand isolation: a pair that adds nothing holds what it can. `a = 0`
//! (or `w = 0` without counters) loads no stage-1 operand; a pair whose
//! digits are all sieved (or zero) loads no tree leaf; and such a pair
//! leaves the accumulator as it is instead of adding a masked product, so
//! neither the datapath nor the accumulator's adder toggles for it. This
//! is where the sieve saves energy in a unit whose clock it cannot save.
//!
//! Sign handling: with `X = ±|a|` signed by `s_a xor s_w`, a `+1` digit on
//! plane `k` adds `X << k` and a `-1` digit adds `-X << k`, so the rows sum
//! to exactly the SPEC's `p`. Rows are `PW = a_bits + w_bits` bits wide,
//! enough for any `p` (|p| <= 2^(a_bits+w_bits-2)).

use super::adder_tree::{tree_latency, AdderTree};
use super::comparator::PlaneComparator;
use super::exponent::LeadingOne;
use super::popcount::PopCount;
use super::recoder::DigitRecoder;
use crate::config::{Coding, UnitConfig};
use rust_hdl::prelude::*;

/// Width parameters of one unit, derived from a [`UnitConfig`]; rust-hdl
/// needs each as a const generic, see [`crate::rtl::dispatch`].
#[derive(LogicBlock)]
pub struct SieveDot<
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
> {
    // SPEC section 6 ports, in order.
    pub clock: Signal<In, Clock>,
    /// Synchronous, active high: empties the unit.
    pub reset: Signal<In, Bit>,
    pub in_valid: Signal<In, Bit>,
    /// Always 1: the parallel unit takes a pair every clock.
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

    // Parameters as constants (Verilog localparams, folded by synthesis).
    /// False for `--no-counters`: counters and their outputs stay zero.
    counting: Constant<Bit>,
    /// Planes per pair `P` (w_bits, or w_bits + 1 for ternary).
    planes: Constant<Bits<CW>>,
    /// Top bit of the threshold: flipping it offsets T by 2^(t_bits-1).
    thr_offset: Constant<Bits<T>>,
    /// Ones above bit XW-1, to sign-extend `±|a|` to PW bits.
    row_sign_ext: Constant<Bits<PW>>,
    /// Ones above bit PW-1, to sign-extend the product to ACC bits.
    acc_sign_ext: Constant<Bits<ACC>>,
    /// `shift[k] == k`, the weight of plane k.
    shift: [Constant<Bits<8>>; W],

    // Blocks.
    exponent: LeadingOne<A, EB>,
    recoder: DigitRecoder<W>,
    comparator: PlaneComparator<W, VW>,
    tree: AdderTree<W, PW, HN>,
    count_kept: PopCount<W, CW, HN>,
    count_nonzero: PopCount<W, CW, HN>,

    // Stage 1 registers.
    s1_valid: DFF<Bit>,
    s1_last: DFF<Bit>,
    s1_zero_a: DFF<Bit>,
    s1_a_negative: DFF<Bit>,
    s1_mag_a: DFF<Bits<A>>,
    s1_thr: DFF<Bits<T>>,
    s1_w: DFF<Bits<W>>,
    /// The pair adds nothing (`a = 0`, or `w = 0` without counters): its
    /// operands were not loaded, and the accumulator skips it.
    s1_skip: DFF<Bit>,
    // Stage 2 registers.
    s2_valid: DFF<Bit>,
    s2_last: DFF<Bit>,
    s2_zero_a: DFF<Bit>,
    s2_v: DFF<Bits<VW>>,
    s2_pos: DFF<Bits<W>>,
    s2_neg: DFF<Bits<W>>,
    s2_x: DFF<Bits<XW>>,
    s2_nx: DFF<Bits<XW>>,
    s2_skip: DFF<Bit>,
    // Stage 3 registers (the rows are registered in the tree's leaves).
    s3_valid: DFF<Bit>,
    s3_last: DFF<Bit>,
    s3_zero_a: DFF<Bit>,
    s3_nonzero: DFF<Bits<W>>,
    s3_keep: DFF<Bits<W>>,
    /// The pair adds nothing: `s2_skip`, or no digit kept (leaves held).
    s3_skip: DFF<Bit>,
    // Side pipeline alongside the tree levels.
    side_valid: [DFF<Bit>; DEPTH],
    side_last: [DFF<Bit>; DEPTH],
    side_zero_a: [DFF<Bit>; DEPTH],
    side_kept: [DFF<Bits<CW>>; DEPTH],
    side_sieved: [DFF<Bits<CW>>; DEPTH],
    side_zero_w: [DFF<Bits<CW>>; DEPTH],
    side_skip: [DFF<Bit>; DEPTH],
    // Accumulator stage.
    acc: DFF<Bits<ACC>>,
    acc_overflow: DFF<Bit>,
    cnt_zero_a: DFF<Bits<CNT>>,
    cnt_zero_w: DFF<Bits<CNT>>,
    cnt_sieved: DFF<Bits<CNT>>,
    cnt_kept: DFF<Bits<CNT>>,
    /// The accumulator registers hold a finished vector's result: the
    /// next pair starts from zero instead of from them.
    restart: DFF<Bit>,
    res_valid: DFF<Bit>,

    // Combinational intermediates, each at its exact width.
    accept: Signal<Local, Bit>,
    zero_a_in: Signal<Local, Bit>,
    zero_w_in: Signal<Local, Bit>,
    skip_in: Signal<Local, Bit>,
    load: Signal<Local, Bit>,
    a_negative: Signal<Local, Bit>,
    a_inverted: Signal<Local, Bits<A>>,
    mag_a: Signal<Local, Bits<A>>,
    not_e: Signal<Local, Bits<EB>>,
    v: Signal<Local, Bits<VW>>,
    product_negative: Signal<Local, Bit>,
    mag_x: Signal<Local, Bits<XW>>,
    inv_x: Signal<Local, Bits<XW>>,
    neg_x: Signal<Local, Bits<XW>>,
    x_ext: Signal<Local, Bits<PW>>,
    nx_ext: Signal<Local, Bits<PW>>,
    kept_pos: Signal<Local, Bits<W>>,
    kept_neg: Signal<Local, Bits<W>>,
    kept_rows: Signal<Local, Bits<W>>,
    any_kept: Signal<Local, Bit>,
    final_skip: Signal<Local, Bit>,
    kept_planes: Signal<Local, Bits<W>>,
    kept_count: Signal<Local, Bits<CW>>,
    sieved_count: Signal<Local, Bits<CW>>,
    nonzero_count: Signal<Local, Bits<CW>>,
    zero_w_count: Signal<Local, Bits<CW>>,
    final_valid: Signal<Local, Bit>,
    final_last: Signal<Local, Bit>,
    product: Signal<Local, Bits<ACC>>,
    base_acc: Signal<Local, Bits<ACC>>,
    base_overflow: Signal<Local, Bit>,
    sum: Signal<Local, Bits<ACC>>,
    acc_sign: Signal<Local, Bit>,
    product_sign: Signal<Local, Bit>,
    sum_sign: Signal<Local, Bit>,
    overflow_now: Signal<Local, Bit>,
    inc_zero_a: Signal<Local, Bits<CW>>,
    inc_zero_w: Signal<Local, Bits<CW>>,
    inc_sieved: Signal<Local, Bits<CW>>,
    inc_kept: Signal<Local, Bits<CW>>,
    next_zero_a: Signal<Local, Bits<CNT>>,
    next_zero_w: Signal<Local, Bits<CNT>>,
    next_sieved: Signal<Local, Bits<CNT>>,
    next_kept: Signal<Local, Bits<CNT>>,
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
        const DEPTH: usize,
        const CW: usize,
    > SieveDot<A, W, T, ACC, CNT, XW, PW, EB, VW, HN, DEPTH, CW>
{
    /// Builds the unit for `cfg`, whose widths must match the const
    /// parameters (checked here), with or without counters.
    pub fn new(cfg: &UnitConfig, counting: bool) -> Self {
        super::check_widths(cfg, [A, W, T, ACC, CNT], "the unit");
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
            base_acc: Default::default(),
            base_overflow: Default::default(),
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
            res_valid
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

        // Stage 3: plane comparator, masked rows into the tree's leaves.
        self.comparator.v.next = self.s2_v.q.val();
        self.kept_pos.next = self.s2_pos.q.val() & self.comparator.keep.val();
        self.kept_neg.next = self.s2_neg.q.val() & self.comparator.keep.val();
        self.x_ext.next = bit_cast::<PW, XW>(self.s2_x.q.val());
        self.nx_ext.next = bit_cast::<PW, XW>(self.s2_nx.q.val());
        for top in (XW - 1)..XW {
            if self.s2_x.q.val().get_bit(top) {
                self.x_ext.next = self.x_ext.val() | self.row_sign_ext.val();
            }
            if self.s2_nx.q.val().get_bit(top) {
                self.nx_ext.next = self.nx_ext.val() | self.row_sign_ext.val();
            }
        }
        // Leaf k loads its row when its digit is kept; the other leaves
        // clear if any digit is kept, else all hold (the pair adds nothing).
        self.kept_rows.next = self.kept_pos.val() | self.kept_neg.val();
        if !self.s2_valid.q.val() | self.s2_skip.q.val() {
            self.kept_rows.next = 0.into();
        }
        self.any_kept.next = self.kept_rows.val() != 0;
        self.tree.clear.next = self.any_kept.val();
        for k in 0..W {
            self.tree.load[k].next = self.kept_rows.val().get_bit(k);
            self.tree.rows[k].next = self.x_ext.val() << self.shift[k].val();
            if self.kept_neg.val().get_bit(k) {
                self.tree.rows[k].next = self.nx_ext.val() << self.shift[k].val();
            }
        }
        self.s3_valid.d.next = self.s2_valid.q.val();
        self.s3_last.d.next = self.s2_last.q.val();
        self.s3_zero_a.d.next = self.s2_zero_a.q.val();
        self.s3_skip.d.next = self.s2_skip.q.val() | !self.any_kept.val();
        self.s3_nonzero.d.next = self.s2_pos.q.val() | self.s2_neg.q.val();
        self.s3_keep.d.next = self.comparator.keep.val();

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
        // After a vector's last pair the registers hold its result; the
        // next pair starts from zero.
        self.base_acc.next = self.acc.q.val();
        self.base_overflow.next = self.acc_overflow.q.val();
        if self.restart.q.val() {
            self.base_acc.next = 0.into();
            self.base_overflow.next = false;
        }
        self.sum.next = self.base_acc.val() + self.product.val();
        self.acc_sign.next = false;
        self.sum_sign.next = false;
        for top in (ACC - 1)..ACC {
            self.acc_sign.next = self.base_acc.val().get_bit(top);
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
            self.acc.d.next = self.sum.val();
            self.acc_overflow.d.next = self.base_overflow.val() | self.overflow_now.val();
            // A pair that adds nothing: the tree holds an older product.
            if self.final_skip.val() {
                self.acc.d.next = self.base_acc.val();
                self.acc_overflow.d.next = self.base_overflow.val();
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
        if !self.counting.val() {
            self.cnt_zero_a.d.next = 0.into();
            self.cnt_zero_w.d.next = 0.into();
            self.cnt_sieved.d.next = 0.into();
            self.cnt_kept.d.next = 0.into();
        }
        if self.reset.val() {
            self.s1_valid.d.next = false;
            self.s2_valid.d.next = false;
            self.s3_valid.d.next = false;
            for i in 0..DEPTH {
                self.side_valid[i].d.next = false;
            }
            self.res_valid.d.next = false;
            self.restart.d.next = false;
            self.acc.d.next = 0.into();
            self.acc_overflow.d.next = false;
            self.cnt_zero_a.d.next = 0.into();
            self.cnt_zero_w.d.next = 0.into();
            self.cnt_sieved.d.next = 0.into();
            self.cnt_kept.d.next = 0.into();
        }

        self.out_valid.next = self.res_valid.q.val();
        self.out_sum.next = self.acc.q.val();
        self.out_overflow.next = self.acc_overflow.q.val();
        self.out_zero_a.next = self.cnt_zero_a.q.val();
        self.out_zero_w.next = self.cnt_zero_w.q.val();
        self.out_sieved.next = self.cnt_sieved.q.val();
        self.out_kept.next = self.cnt_kept.q.val();
    }
}
