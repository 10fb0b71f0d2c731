//! Leading-one detector: the exponent `e(a)` of SPEC section 3.
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
