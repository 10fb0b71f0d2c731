//! Exact multiply-accumulate baseline with the `sieve_dot` ports
//! (`--arch mac`): no sieve, no counters (tied to zero), the exact unit
//! every saving is measured against, so it is pipelined for its best clock.
//!
//! Pipeline, by clock edge after the edge that consumes a pair (edge 0):
//!
//! | edge | stage |
//! |---|---|
//! | 0 | input registers: `a`, `w`, valid, last |
//! | 1 | the unsigned `A x W` product of the bit patterns, and beside it the sign correction `s_a * (w << A) + s_w * (a << W)` |
//! | 2 | the exact product: raw product minus correction (mod `2^(A+W)`) |
//! | 3 | accumulator, sticky overflow, result |
//!
//! so `out_valid` rises 3 edges after the edge that consumed a vector's
//! last pair. The multiplier alone sits between two registers: rust-hdl's
//! `*` is 16 x 16, and synthesis folds the zero upper bits into one
//! `A x W` multiplier (an `SB_MAC16` with `synth_ice40 -dsp`).

use crate::config::UnitConfig;
use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct ExactMac<
    const A: usize,
    const W: usize,
    const T: usize,
    const ACC: usize,
    const CNT: usize,
    const PW: usize,
> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub in_valid: Signal<In, Bit>,
    pub in_ready: Signal<Out, Bit>,
    pub in_a: Signal<In, Bits<A>>,
    pub in_w: Signal<In, Bits<W>>,
    /// Ignored: the baseline does not sieve.
    pub in_thr: Signal<In, Bits<T>>,
    pub in_last: Signal<In, Bit>,
    pub out_valid: Signal<Out, Bit>,
    pub out_sum: Signal<Out, Bits<ACC>>,
    pub out_overflow: Signal<Out, Bit>,
    pub out_zero_a: Signal<Out, Bits<CNT>>,
    pub out_zero_w: Signal<Out, Bits<CNT>>,
    pub out_sieved: Signal<Out, Bits<CNT>>,
    pub out_kept: Signal<Out, Bits<CNT>>,
    a_shift: Constant<Bits<8>>,
    w_shift: Constant<Bits<8>>,
    /// `W / 2`: the multiplier is two `A x W/2` halves.
    half_shift: Constant<Bits<8>>,
    low_mask: Constant<Bits<W>>,
    /// Whether the product is two `A x W/2` halves (see `single_product`).
    split: Constant<Bit>,
    zero16: Constant<Bits<16>>,
    /// Whether the products are shift-adds in logic (see `lut_products`).
    lut: Constant<Bit>,
    one: Constant<Bits<8>>,
    acc_sign_ext: Constant<Bits<ACC>>,
    in_reg_valid: DFF<Bit>,
    in_reg_last: DFF<Bit>,
    in_reg_a: DFF<Bits<A>>,
    in_reg_w: DFF<Bits<W>>,
    /// The pair adds nothing (`a = 0` or `w = 0`): its operands were not
    /// loaded, and this flag masks the held product.
    in_reg_skip: DFF<Bit>,
    p1_skip: DFF<Bit>,
    p2_skip: DFF<Bit>,
    p1_valid: DFF<Bit>,
    p1_last: DFF<Bit>,
    p1_low: DFF<Bits<PW>>,
    p1_high: DFF<Bits<PW>>,
    p1_correction: DFF<Bits<PW>>,
    p2_valid: DFF<Bit>,
    p2_last: DFF<Bit>,
    p2_product: DFF<Bits<PW>>,
    acc: DFF<Bits<ACC>>,
    acc_overflow: DFF<Bit>,
    res_valid: DFF<Bit>,
    /// The finished vector's sum and flag (the accumulator is cleared).
    res_sum: DFF<Bits<ACC>>,
    res_overflow: DFF<Bit>,
    skip_in: Signal<Local, Bit>,
    wide_a: Signal<Local, Bits<16>>,
    wide_w: Signal<Local, Bits<16>>,
    raw_product: Signal<Local, Bits<32>>,
    wide_w_low: Signal<Local, Bits<16>>,
    wide_w_high: Signal<Local, Bits<16>>,
    high_product: Signal<Local, Bits<32>>,
    lut_a: Signal<Local, Bits<32>>,
    lut_low: Signal<Local, Bits<32>>,
    lut_high: Signal<Local, Bits<32>>,
    a_negative: Signal<Local, Bit>,
    w_negative: Signal<Local, Bit>,
    correction: Signal<Local, Bits<PW>>,
    product_ext: Signal<Local, Bits<ACC>>,
    product_clear: Signal<Local, Bit>,
    acc_clear: Signal<Local, Bit>,
    sum: Signal<Local, Bits<ACC>>,
    acc_sign: Signal<Local, Bit>,
    product_sign: Signal<Local, Bit>,
    sum_sign: Signal<Local, Bit>,
    overflow_now: Signal<Local, Bit>,
}

impl<
        const A: usize,
        const W: usize,
        const T: usize,
        const ACC: usize,
        const CNT: usize,
        const PW: usize,
    > ExactMac<A, W, T, ACC, CNT, PW>
{
    pub fn new(cfg: &UnitConfig) -> Self {
        super::check_widths(cfg, [A, W, T, ACC, CNT], "the baseline");
        assert_eq!(PW, A + W, "PW = {PW} must be a_bits + w_bits = {}", A + W);
        assert!(
            A <= 16 && W <= 16,
            "a_bits = {A} and w_bits = {W} must be at most 16 (rust-hdl multiplies 16x16)"
        );
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
            a_shift: Constant::new((A as u64).into()),
            w_shift: Constant::new((W as u64).into()),
            half_shift: Constant::new(((W / 2) as u64).into()),
            low_mask: Constant::new(((1u64 << (W / 2)) - 1).into()),
            split: Constant::new(true),
            zero16: Constant::new(0u64.into()),
            lut: Constant::new(false),
            one: Constant::new(1u64.into()),
            acc_sign_ext: Constant::new(super::sign_ext_mask(ACC, PW).into()),
            in_reg_valid: Default::default(),
            in_reg_last: Default::default(),
            in_reg_a: Default::default(),
            in_reg_w: Default::default(),
            in_reg_skip: Default::default(),
            p1_skip: Default::default(),
            p2_skip: Default::default(),
            skip_in: Default::default(),
            p1_valid: Default::default(),
            p1_last: Default::default(),
            p1_low: Default::default(),
            p1_high: Default::default(),
            p1_correction: Default::default(),
            p2_valid: Default::default(),
            p2_last: Default::default(),
            p2_product: Default::default(),
            acc: Default::default(),
            acc_overflow: Default::default(),
            res_valid: Default::default(),
            res_sum: Default::default(),
            res_overflow: Default::default(),
            wide_a: Default::default(),
            wide_w: Default::default(),
            raw_product: Default::default(),
            wide_w_low: Default::default(),
            wide_w_high: Default::default(),
            high_product: Default::default(),
            lut_a: Default::default(),
            lut_low: Default::default(),
            lut_high: Default::default(),
            a_negative: Default::default(),
            w_negative: Default::default(),
            correction: Default::default(),
            product_ext: Default::default(),
            product_clear: Default::default(),
            acc_clear: Default::default(),
            sum: Default::default(),
            acc_sign: Default::default(),
            product_sign: Default::default(),
            sum_sign: Default::default(),
            overflow_now: Default::default(),
        }
    }

    /// One `A x W` product instead of two `A x W/2` halves: one `SB_MAC16`
    /// per lane where `synth_ice40 -dsp` would give each half its own (the
    /// accelerator's 8-bit lanes on the UP5K). The halves keep a LUT
    /// multiplier's path short, which the unit's LUT-only baseline wants.
    pub fn single_product(mut self) -> Self {
        self.split = Constant::new(false);
        self
    }

    /// Products as shift-adds in logic cells: the accelerator's lanes beyond
    /// the UP5K's 8 DSPs (`synth_ice40 -dsp` maps every `*` to a DSP).
    pub fn lut_products(mut self) -> Self {
        self.lut = Constant::new(true);
        self
    }
}

impl<
        const A: usize,
        const W: usize,
        const T: usize,
        const ACC: usize,
        const CNT: usize,
        const PW: usize,
    > Logic for ExactMac<A, W, T, ACC, CNT, PW>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            in_reg_valid,
            in_reg_last,
            in_reg_a,
            in_reg_w,
            in_reg_skip,
            p1_skip,
            p2_skip,
            p1_valid,
            p1_last,
            p1_low,
            p1_high,
            p1_correction,
            p2_valid,
            p2_last,
            p2_product,
            acc,
            acc_overflow,
            res_valid,
            res_sum,
            res_overflow
        );
        self.in_ready.next = true;
        // Edge 0: the input registers.
        self.in_reg_valid.d.next = self.in_valid.val() & !self.reset.val();
        self.in_reg_last.d.next = self.in_last.val();
        // Operand isolation: a pair with a zero operand (or no pair) loads
        // no operand, so the multiplier does not toggle; the accumulator
        // adds nothing for it (the product it sees is an older pair's).
        self.skip_in.next = (self.in_a.val() == 0) | (self.in_w.val() == 0);
        self.in_reg_skip.d.next = self.skip_in.val();
        if self.in_valid.val() & !self.reset.val() & !self.skip_in.val() {
            self.in_reg_a.d.next = self.in_a.val();
            self.in_reg_w.d.next = self.in_w.val();
        }

        // Edge 1: the product of the bit patterns and the sign correction.
        self.wide_a.next = bit_cast::<16, A>(self.in_reg_a.q.val());
        self.wide_w.next = bit_cast::<16, W>(self.in_reg_w.q.val());
        self.wide_w_low.next = self.wide_w.val();
        self.wide_w_high.next = self.zero16.val();
        if self.split.val() {
            self.wide_w_low.next = bit_cast::<16, W>(self.in_reg_w.q.val() & self.low_mask.val());
            self.wide_w_high.next =
                bit_cast::<16, W>(self.in_reg_w.q.val() >> self.half_shift.val());
        }
        self.raw_product.next = self.wide_a.val() * self.wide_w_low.val();
        self.high_product.next = self.wide_a.val() * self.wide_w_high.val();
        // The same products as shift-adds, which synthesis cannot map to a DSP.
        self.lut_low.next = 0.into();
        self.lut_high.next = 0.into();
        self.lut_a.next = bit_cast::<32, 16>(self.wide_a.val());
        for k in 0..W {
            if self.wide_w_low.val().get_bit(k) {
                self.lut_low.next = self.lut_low.val() + self.lut_a.val();
            }
            if self.wide_w_high.val().get_bit(k) {
                self.lut_high.next = self.lut_high.val() + self.lut_a.val();
            }
            self.lut_a.next = self.lut_a.val() << self.one.val();
        }
        if self.lut.val() {
            self.raw_product.next = self.lut_low.val();
            self.high_product.next = self.lut_high.val();
        }
        self.a_negative.next = false;
        for top in (A - 1)..A {
            self.a_negative.next = self.in_reg_a.q.val().get_bit(top);
        }
        self.w_negative.next = false;
        for top in (W - 1)..W {
            self.w_negative.next = self.in_reg_w.q.val().get_bit(top);
        }
        self.correction.next = 0.into();
        if self.a_negative.val() {
            self.correction.next = bit_cast::<PW, 16>(self.wide_w.val()) << self.a_shift.val();
        }
        if self.w_negative.val() {
            self.correction.next = self.correction.val()
                + (bit_cast::<PW, 16>(self.wide_a.val()) << self.w_shift.val());
        }
        self.p1_valid.d.next = self.in_reg_valid.q.val();
        self.p1_last.d.next = self.in_reg_last.q.val();
        self.p1_skip.d.next = self.in_reg_skip.q.val();
        self.p1_low.d.next = bit_cast::<PW, 32>(self.raw_product.val());
        self.p1_high.d.next = bit_cast::<PW, 32>(self.high_product.val());
        self.p1_correction.d.next = self.correction.val();

        // Edge 2: the exact product, mod 2^(A+W).
        self.p2_valid.d.next = self.p1_valid.q.val();
        self.p2_last.d.next = self.p1_last.q.val();
        self.p2_skip.d.next = self.p1_skip.q.val();
        // A pair that adds nothing holds the product, except a vector's
        // last one, which makes it zero (a clear with priority: the
        // flip-flops' synchronous reset) so that the result adds nothing.
        if !self.p1_skip.q.val() {
            self.p2_product.d.next = (self.p1_low.q.val()
                + (self.p1_high.q.val() << self.half_shift.val()))
                - self.p1_correction.q.val();
        }
        self.product_clear.next =
            self.p1_valid.q.val() & self.p1_skip.q.val() & self.p1_last.q.val();
        if self.product_clear.val() {
            self.p2_product.d.next = 0.into();
        }

        // Edge 3: the accumulator.
        self.product_ext.next = bit_cast::<ACC, PW>(self.p2_product.q.val());
        self.product_sign.next = false;
        for top in (PW - 1)..PW {
            self.product_sign.next = self.p2_product.q.val().get_bit(top);
        }
        if self.product_sign.val() {
            self.product_ext.next = self.product_ext.val() | self.acc_sign_ext.val();
        }
        self.sum.next = self.acc.q.val() + self.product_ext.val();
        self.acc_sign.next = false;
        self.sum_sign.next = false;
        for top in (ACC - 1)..ACC {
            self.acc_sign.next = self.acc.q.val().get_bit(top);
            self.sum_sign.next = self.sum.val().get_bit(top);
        }
        self.overflow_now.next = (self.acc_sign.val() == self.product_sign.val())
            & (self.sum_sign.val() != self.acc_sign.val());
        // A pair that adds nothing leaves the accumulator as it is (its
        // product is an older pair's, or zero at a vector's end).
        if self.p2_valid.q.val() & !self.p2_skip.q.val() {
            self.acc.d.next = self.sum.val();
            self.acc_overflow.d.next = self.acc_overflow.q.val() | self.overflow_now.val();
        }
        // A vector's last pair: the result registers take the sum, and the
        // accumulator starts again from zero (a clear with priority over
        // the load, so synthesis makes it the flip-flops' synchronous
        // reset: no zeroing mux in front of the adder).
        self.res_valid.d.next = false;
        if self.p2_valid.q.val() & self.p2_last.q.val() {
            self.res_sum.d.next = self.sum.val();
            self.res_overflow.d.next = self.acc_overflow.q.val() | self.overflow_now.val();
            self.res_valid.d.next = true;
        }
        self.acc_clear.next = self.reset.val() | (self.p2_valid.q.val() & self.p2_last.q.val());
        if self.acc_clear.val() {
            self.acc.d.next = 0.into();
            self.acc_overflow.d.next = false;
        }
        if self.reset.val() {
            self.in_reg_valid.d.next = false;
            self.p1_valid.d.next = false;
            self.p2_valid.d.next = false;
            self.res_valid.d.next = false;
        }
        self.out_valid.next = self.res_valid.q.val();
        self.out_sum.next = self.res_sum.q.val();
        self.out_overflow.next = self.res_overflow.q.val();
        self.out_zero_a.next = 0.into();
        self.out_zero_w.next = 0.into();
        self.out_sieved.next = 0.into();
        self.out_kept.next = 0.into();
    }
}
