//! The accelerator's lean lane: a multiply-accumulate whose weight has its
//! sieved digits masked off (`--arch masked`), or, built [`LeanMac::exact`],
//! the exact MAC with the same trimming (`--arch mac`).
//!
//! SPEC section 4's product is `p = sign(a) sign(w) |a| m_kept`, where
//! `m_kept` sums the kept digits of `|w|`. A plane is kept when
//! `e(a) + k >= T`, and for a pair the kept planes are the top ones, so
//! `p = a * w_kept` with `w_kept = sign(w) m_kept`: the parallel unit's sum
//! in one product. The lane masks the digits and multiplies, where the
//! parallel unit shifts and adds every plane. It has what the accelerator
//! reads and nothing else: no overflow flag, no counters (their ports are
//! tied to zero; the accelerator builds counters for `parallel` and
//! `serial` lanes), and an accumulator of `AW` bits, which no sum of the
//! accelerator's layers (at most `2^INDEX_BITS - 1` inputs) can overflow,
//! so it equals section 5's 32-bit one.
//!
//! Pipeline, by clock edge after the edge that consumes a pair (edge 0):
//!
//! | edge | stage |
//! |---|---|
//! | 0 | input registers: `a`, `w`, valid, last, and `v`, the threshold offset by the exponent of `a` ([`SignedExponent`], [`PlaneComparator`]) |
//! | 1 | `w_kept`: the weight's digits, the kept planes, their signed sum |
//! | 2 | the product `a * w_kept`: a DSP, or shift-adds in logic cells |
//! | 3 | the accumulator |
//!
//! The exact lane feeds edge 1's registers from its inputs (no mask, no
//! stage: latency 1), so both arches are the leanest lane of their kind:
//! the sieve is measured against an exact MAC with the same trimming.
//!
//! The result has no register of its own: `out_valid` is high, and
//! `out_sum` is the accumulator's next value, before the accumulator's
//! edge for a vector's last pair, and the accelerator registers it at that
//! edge (latency 2; 1 for the exact lane).

use crate::rtl::comparator::PlaneComparator;
use crate::rtl::exponent::SignedExponent;
use crate::rtl::recoder::DigitRecoder;
use crate::rtl::{low_ones, sign_ext_mask};
use rust_hdl::prelude::*;

/// The lanes' threshold width (SPEC section 9's `t_bits` 8).
pub const T_BITS: usize = 8;

/// Bits of the lane's accumulator for `a_bits` and lane `w_bits`: a sum of
/// at most `2^12 - 1` products, each of magnitude at most
/// `2^(a_bits + w_bits - 2)`, fits `a_bits + w_bits + 11` bits.
pub const fn lean_acc_bits(a_bits: usize, w_bits: usize) -> usize {
    a_bits + w_bits + super::INDEX_BITS - 1
}

/// The lean MAC lane, masked or [`exact`](Self::exact): `A`-bit activations, `W`-bit weights, `EB`
/// exponent bits, `VW` bits of `v`, `WK = W + 1` bits of `w_kept`, `PW =
/// A + W` product bits, `AW` accumulator bits.
#[derive(LogicBlock)]
pub struct LeanMac<
    const A: usize,
    const W: usize,
    const EB: usize,
    const VW: usize,
    const WK: usize,
    const PW: usize,
    const AW: usize,
> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub in_valid: Signal<In, Bit>,
    /// Always high: a pair every clock.
    pub in_ready: Signal<Out, Bit>,
    pub in_a: Signal<In, Bits<A>>,
    pub in_w: Signal<In, Bits<W>>,
    pub in_thr: Signal<In, Bits<T_BITS>>,
    pub in_last: Signal<In, Bit>,
    pub out_valid: Signal<Out, Bit>,
    /// The vector's sum, sign-extended to section 9's 32-bit lanes.
    pub out_sum: Signal<Out, Bits<32>>,
    /// Tied to zero: the accelerator's counters need `parallel` or `serial`.
    pub out_zero_w: Signal<Out, Bits<32>>,
    pub out_sieved: Signal<Out, Bits<32>>,
    pub out_kept: Signal<Out, Bits<32>>,
    exponent: SignedExponent<A, EB>,
    recoder: DigitRecoder<W>,
    comparator: PlaneComparator<W, VW>,
    /// Whether the products are shift-adds in logic cells (see
    /// [`Self::lut_products`]).
    lut: Constant<Bit>,
    /// Whether the weight goes unmasked (see [`Self::exact`]).
    exact: Constant<Bit>,
    /// The shift-adds' planes (see [`Self::weight_bits`]): those added,
    /// the one subtracted (the operand's sign), and its index.
    lut_pos: Constant<Bits<WK>>,
    lut_sign_bit: Constant<Bits<WK>>,
    lut_sign_shift: Constant<Bits<8>>,
    one: Constant<Bits<8>>,
    /// `2^EB - 1`: `v` holds the exponent's complement.
    e_ones: Constant<Bits<VW>>,
    /// Flips the threshold's sign bit: `T + 2^(t_bits-1)`, unsigned.
    t_flip: Constant<Bits<T_BITS>>,
    sext_wk: Constant<Bits<WK>>,
    sext_a16: Constant<Bits<16>>,
    sext_w16: Constant<Bits<16>>,
    sext_ap: Constant<Bits<PW>>,
    sext_acc: Constant<Bits<AW>>,
    sext_out: Constant<Bits<32>>,
    r_valid: DFF<Bit>,
    r_last: DFF<Bit>,
    r_a: DFF<Bits<A>>,
    r_w: DFF<Bits<W>>,
    r_v: DFF<Bits<VW>>,
    k_valid: DFF<Bit>,
    k_last: DFF<Bit>,
    k_a: DFF<Bits<A>>,
    k_w: DFF<Bits<WK>>,
    p_valid: DFF<Bit>,
    p_last: DFF<Bit>,
    p_product: DFF<Bits<PW>>,
    acc: DFF<Bits<AW>>,
    kept_pos: Signal<Local, Bits<W>>,
    kept_neg: Signal<Local, Bits<W>>,
    w_kept: Signal<Local, Bits<WK>>,
    in_w_negative: Signal<Local, Bit>,
    w_exact: Signal<Local, Bits<WK>>,
    wide_a: Signal<Local, Bits<16>>,
    wide_w: Signal<Local, Bits<16>>,
    dsp_product: Signal<Local, Bits<32>>,
    lut_a: Signal<Local, Bits<PW>>,
    lut_a0: Signal<Local, Bits<PW>>,
    lut_w: Signal<Local, Bits<WK>>,
    lut_w_negative: Signal<Local, Bit>,
    lut_top: Signal<Local, Bits<PW>>,
    lut_product: Signal<Local, Bits<PW>>,
    w_negative: Signal<Local, Bit>,
    ka_negative: Signal<Local, Bit>,
    product_negative: Signal<Local, Bit>,
    product_ext: Signal<Local, Bits<AW>>,
    sum: Signal<Local, Bits<AW>>,
    res_negative: Signal<Local, Bit>,
    sum_out: Signal<Local, Bits<32>>,
    /// The stored weights' width (see [`Self::weight_bits`]).
    _weight_bits: usize,
}

impl<
        const A: usize,
        const W: usize,
        const EB: usize,
        const VW: usize,
        const WK: usize,
        const PW: usize,
        const AW: usize,
    > LeanMac<A, W, EB, VW, WK, PW, AW>
{
    pub fn new(ternary: bool) -> Self {
        assert!(A <= 16 && WK <= 16, "rust-hdl multiplies 16x16");
        assert_eq!(WK, W + 1, "WK = w_bits + 1");
        assert_eq!(PW, A + W, "PW = a_bits + w_bits");
        assert_eq!(VW, T_BITS + 1, "VW = t_bits + 1");
        assert!(AW >= lean_acc_bits(A, W) && AW <= 32, "AW = {AW}");
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
            out_zero_w: Default::default(),
            out_sieved: Default::default(),
            out_kept: Default::default(),
            exponent: Default::default(),
            recoder: DigitRecoder::new(ternary),
            comparator: PlaneComparator::new(T_BITS, EB),
            lut: Constant::new(false),
            exact: Constant::new(false),
            lut_pos: Constant::new(0.into()),
            lut_sign_bit: Constant::new(0.into()),
            lut_sign_shift: Constant::new(0.into()),
            one: Constant::new(1u64.into()),
            e_ones: Constant::new(low_ones(EB).into()),
            t_flip: Constant::new((1u64 << (T_BITS - 1)).into()),
            sext_wk: Constant::new(sign_ext_mask(WK, W).into()),
            sext_a16: Constant::new(sign_ext_mask(16, A).into()),
            sext_w16: Constant::new(sign_ext_mask(16, WK).into()),
            sext_ap: Constant::new(sign_ext_mask(PW, A).into()),
            sext_acc: Constant::new(sign_ext_mask(AW, PW).into()),
            sext_out: Constant::new(sign_ext_mask(32, AW).into()),
            r_valid: Default::default(),
            r_last: Default::default(),
            r_a: Default::default(),
            r_w: Default::default(),
            r_v: Default::default(),
            k_valid: Default::default(),
            k_last: Default::default(),
            k_a: Default::default(),
            k_w: Default::default(),
            p_valid: Default::default(),
            p_last: Default::default(),
            p_product: Default::default(),
            acc: Default::default(),
            kept_pos: Default::default(),
            kept_neg: Default::default(),
            w_kept: Default::default(),
            in_w_negative: Default::default(),
            w_exact: Default::default(),
            wide_a: Default::default(),
            wide_w: Default::default(),
            dsp_product: Default::default(),
            lut_a: Default::default(),
            lut_a0: Default::default(),
            lut_w: Default::default(),
            lut_w_negative: Default::default(),
            lut_top: Default::default(),
            lut_product: Default::default(),
            w_negative: Default::default(),
            ka_negative: Default::default(),
            product_negative: Default::default(),
            product_ext: Default::default(),
            sum: Default::default(),
            res_negative: Default::default(),
            sum_out: Default::default(),
            _weight_bits: W,
        }
        .with_lut_planes()
    }

    /// Products as shift-adds in logic cells: the lanes beyond the UP5K's 8
    /// DSPs (`synth_ice40 -dsp` maps every `*` to a DSP).
    pub fn lut_products(mut self) -> Self {
        self.lut = Constant::new(true);
        self
    }

    /// The weights are the sign extensions of `w_bits`-bit values (`2 ..=
    /// W`, the weight store's width): the shift-adds skip the planes that
    /// copy the operand's sign, so 5-bit weights on 8-bit lanes take 4
    /// adds, not 8.
    pub fn weight_bits(mut self, w_bits: usize) -> Self {
        assert!(
            (2..=W).contains(&w_bits),
            "{w_bits}-bit weights in a {W}-bit lane"
        );
        self._weight_bits = w_bits;
        self.with_lut_planes()
    }

    /// The shift-adds' planes for the product's weight operand: the weight
    /// itself in the exact lane, `w_kept` (`|w_kept| <= 2^(w_bits-1)`, one
    /// bit more) in the masked one.
    fn with_lut_planes(mut self) -> Self {
        let bits = self._weight_bits + usize::from(!self.exact.val());
        self.lut_pos = Constant::new(low_ones(bits - 1).into());
        self.lut_sign_bit = Constant::new((1u64 << (bits - 1)).into());
        self.lut_sign_shift = Constant::new(((bits - 1) as u64).into());
        self
    }

    /// The exact lane: the weight unmasked, `in_thr` ignored, and the
    /// inputs straight into edge 1's registers (synthesis removes the
    /// exponent, the digits and the comparator, which nothing reads).
    pub fn exact(mut self) -> Self {
        self.exact = Constant::new(true);
        self.with_lut_planes()
    }
}

impl<
        const A: usize,
        const W: usize,
        const EB: usize,
        const VW: usize,
        const WK: usize,
        const PW: usize,
        const AW: usize,
    > Logic for LeanMac<A, W, EB, VW, WK, PW, AW>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, r_valid, r_last, r_a, r_w, r_v, k_valid, k_last, k_a, k_w, p_valid,
            p_last, p_product, acc
        );
        self.in_ready.next = true;

        // Edge 0: the inputs, and v = (T + 2^(t_bits-1)) + (2^EB - 1 - e(a)).
        // Every lane sees the same `in_a`: synthesis shares its exponent,
        // which needs no adder (a carry chain for |a| before a leading-one
        // detector was the accelerator's critical path).
        self.exponent.a.next = self.in_a.val();
        self.r_valid.d.next = self.in_valid.val() & !self.reset.val();
        self.r_last.d.next = self.in_last.val();
        self.r_a.d.next = self.in_a.val();
        self.r_w.d.next = self.in_w.val();
        self.r_v.d.next = bit_cast::<VW, T_BITS>(self.in_thr.val() ^ self.t_flip.val())
            + (self.e_ones.val() ^ bit_cast::<VW, EB>(self.exponent.e.val()));

        // Edge 1: w_kept = sign(w) * (kept +1 digits - kept -1 digits).
        self.recoder.w.next = self.r_w.q.val();
        self.comparator.v.next = self.r_v.q.val();
        self.kept_pos.next = self.recoder.pos.val() & self.comparator.keep.val();
        self.kept_neg.next = self.recoder.neg.val() & self.comparator.keep.val();
        if self.recoder.negative.val() {
            self.w_kept.next =
                bit_cast::<WK, W>(self.kept_neg.val()) - bit_cast::<WK, W>(self.kept_pos.val());
        } else {
            self.w_kept.next =
                bit_cast::<WK, W>(self.kept_pos.val()) - bit_cast::<WK, W>(self.kept_neg.val());
        }
        self.k_valid.d.next = self.r_valid.q.val();
        self.k_last.d.next = self.r_last.q.val();
        self.k_a.d.next = self.r_a.q.val();
        self.k_w.d.next = self.w_kept.val();
        // The exact lane: the weight as it comes, one stage fewer.
        self.in_w_negative.next = false;
        for top in (W - 1)..W {
            self.in_w_negative.next = self.in_w.val().get_bit(top);
        }
        self.w_exact.next = bit_cast::<WK, W>(self.in_w.val());
        if self.in_w_negative.val() {
            self.w_exact.next = self.w_exact.val() | self.sext_wk.val();
        }
        if self.exact.val() {
            self.k_valid.d.next = self.in_valid.val() & !self.reset.val();
            self.k_last.d.next = self.in_last.val();
            self.k_a.d.next = self.in_a.val();
            self.k_w.d.next = self.w_exact.val();
        }

        // Edge 2: the product, exact in PW bits. In a DSP: the 16-bit sign
        // extensions multiplied (the low bits of a product do not depend on
        // the operands' signedness).
        self.ka_negative.next = false;
        for top in (A - 1)..A {
            self.ka_negative.next = self.k_a.q.val().get_bit(top);
        }
        self.w_negative.next = false;
        for top in (WK - 1)..WK {
            self.w_negative.next = self.k_w.q.val().get_bit(top);
        }
        self.wide_a.next = bit_cast::<16, A>(self.k_a.q.val());
        if self.ka_negative.val() {
            self.wide_a.next = self.wide_a.val() | self.sext_a16.val();
        }
        self.wide_w.next = bit_cast::<16, WK>(self.k_w.q.val());
        if self.w_negative.val() {
            self.wide_w.next = self.wide_w.val() | self.sext_w16.val();
        }
        self.dsp_product.next = self.wide_a.val() * self.wide_w.val();
        // In logic cells: a shift-add per value bit of the weight
        // operand, its sign bit (at `lut_sign_shift`) weighing minus its
        // place; the planes above copy the sign and are skipped.
        self.lut_a0.next = bit_cast::<PW, A>(self.k_a.q.val());
        if self.ka_negative.val() {
            self.lut_a0.next = self.lut_a0.val() | self.sext_ap.val();
        }
        self.lut_a.next = self.lut_a0.val();
        self.lut_w.next = self.k_w.q.val() & self.lut_pos.val();
        self.lut_product.next = 0.into();
        // Every bit of lut_w is read (the lint); the top one is never in lut_pos.
        for k in 0..WK {
            if self.lut_w.val().get_bit(k) {
                self.lut_product.next = self.lut_product.val() + self.lut_a.val();
            }
            self.lut_a.next = self.lut_a.val() << self.one.val();
        }
        self.lut_w_negative.next = (self.k_w.q.val() & self.lut_sign_bit.val()).any();
        self.lut_top.next = self.lut_a0.val() << self.lut_sign_shift.val();
        if self.lut_w_negative.val() {
            self.lut_product.next = self.lut_product.val() - self.lut_top.val();
        }
        self.p_valid.d.next = self.k_valid.q.val();
        self.p_last.d.next = self.k_last.q.val();
        self.p_product.d.next = bit_cast::<PW, 32>(self.dsp_product.val());
        if self.lut.val() {
            self.p_product.d.next = self.lut_product.val();
        }

        // Edge 3: the accumulator; a vector's last pair ends it, and its
        // sum is the result.
        self.product_negative.next = false;
        for top in (PW - 1)..PW {
            self.product_negative.next = self.p_product.q.val().get_bit(top);
        }
        self.product_ext.next = bit_cast::<AW, PW>(self.p_product.q.val());
        if self.product_negative.val() {
            self.product_ext.next = self.product_ext.val() | self.sext_acc.val();
        }
        self.sum.next = self.acc.q.val() + self.product_ext.val();
        if self.p_valid.q.val() {
            self.acc.d.next = self.sum.val();
        }
        // A clear with priority: the flip-flops' synchronous reset.
        if self.reset.val() | (self.p_valid.q.val() & self.p_last.q.val()) {
            self.acc.d.next = 0.into();
        }
        if self.reset.val() {
            self.k_valid.d.next = false;
            self.p_valid.d.next = false;
        }
        self.res_negative.next = false;
        for top in (AW - 1)..AW {
            self.res_negative.next = self.sum.val().get_bit(top);
        }
        self.sum_out.next = bit_cast::<32, AW>(self.sum.val());
        if self.res_negative.val() {
            self.sum_out.next = self.sum_out.val() | self.sext_out.val();
        }
        // Each output is written once: the accelerator's block writes the
        // lane's inputs more than once, and an output that changed twice
        // in one pass would wake it again, forever, in Icarus.
        self.out_valid.next = self.p_valid.q.val() & self.p_last.q.val();
        self.out_sum.next = self.sum_out.val();
        self.out_zero_w.next = 0.into();
        self.out_sieved.next = 0.into();
        self.out_kept.next = 0.into();
    }
}
