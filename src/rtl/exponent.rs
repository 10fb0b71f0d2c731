//! Leading-one detectors: the exponent `e(a)` of SPEC section 3.
//!
//! Ports: `mag` (in, `A` bits, |a| as unsigned), `e` (out, `EB` bits, the
//! index of the highest set bit; 0 when `mag == 0`, which the unit handles
//! as `zero_a` before the exponent matters). Combinational, latency 0.

use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct LeadingOne<const A: usize, const EB: usize> {
    /// |a|, unsigned.
    pub mag: Signal<In, Bits<A>>,
    /// Index of the leading one of `mag`.
    pub e: Signal<Out, Bits<EB>>,
    /// `index[k] == k`: the value emitted when bit `k` is the leading one.
    index: [Constant<Bits<EB>>; A],
}

impl<const A: usize, const EB: usize> Default for LeadingOne<A, EB> {
    fn default() -> Self {
        assert!(1usize << EB >= A, "EB = {EB} bits cannot index {A} bits");
        Self {
            mag: Default::default(),
            e: Default::default(),
            index: std::array::from_fn(|k| Constant::new((k as u64).into())),
        }
    }
}

impl<const A: usize, const EB: usize> Logic for LeadingOne<A, EB> {
    #[hdl_gen]
    fn update(&mut self) {
        // Later (higher) bits overwrite earlier ones: a priority encoder.
        self.e.next = 0.into();
        for k in 0..A {
            if self.mag.val().get_bit(k) {
                self.e.next = self.index[k].val();
            }
        }
    }
}

/// The exponent of a signed activation, `e(|a|)`, with no adder: the
/// accelerator's lean lane, where `|a|` (a carry chain) and a
/// [`LeadingOne`] after it were the critical path. `e >= p` exactly when
/// `|a| >= 2^p`; with `x = a` for `a >= 0` and `x = !a = |a| - 1` for
/// `a < 0`, that is a set bit of `x` at `p` or above, or (`a < 0`) the
/// `p` bits of `x` below `p` all set. Ports: `a` (in, `A` bits, two's
/// complement), `e` (out, `EB` bits; 0 when `|a| <= 1`). Combinational.
#[derive(LogicBlock)]
pub struct SignedExponent<const A: usize, const EB: usize> {
    pub a: Signal<In, Bits<A>>,
    pub e: Signal<Out, Bits<EB>>,
    negative: Signal<Local, Bit>,
    x: Signal<Local, Bits<A>>,
    /// `above[p]`: the bits at `p` and above.
    above: [Constant<Bits<A>>; A],
    /// `below[p]`: the bits below `p`.
    below: [Constant<Bits<A>>; A],
    index: [Constant<Bits<EB>>; A],
}

impl<const A: usize, const EB: usize> Default for SignedExponent<A, EB> {
    fn default() -> Self {
        assert!(1usize << EB >= A, "EB = {EB} bits cannot index {A} bits");
        let below = |p: usize| super::low_ones(p);
        Self {
            a: Default::default(),
            e: Default::default(),
            negative: Default::default(),
            x: Default::default(),
            above: std::array::from_fn(|p| Constant::new((super::low_ones(A) & !below(p)).into())),
            below: std::array::from_fn(|p| Constant::new(below(p).into())),
            index: std::array::from_fn(|p| Constant::new((p as u64).into())),
        }
    }
}

impl<const A: usize, const EB: usize> Logic for SignedExponent<A, EB> {
    #[hdl_gen]
    fn update(&mut self) {
        self.negative.next = false;
        for top in (A - 1)..A {
            self.negative.next = self.a.val().get_bit(top);
        }
        self.x.next = self.a.val();
        if self.negative.val() {
            self.x.next = !self.a.val();
        }
        // Each p that |a| reaches overwrites the lower ones (p = 0 gives
        // the 0 that e starts from; it keeps every constant in use).
        self.e.next = 0.into();
        for p in 0..A {
            if (self.x.val() & self.above[p].val()).any()
                | (self.negative.val()
                    & ((self.x.val() & self.below[p].val()) == self.below[p].val()))
            {
                self.e.next = self.index[p].val();
            }
        }
    }
}
