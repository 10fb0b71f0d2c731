//! Bit-plane comparator: which planes `k` have `e(a) + k >= T` (SPEC
//! section 4, rule 3).
//!
//! To avoid signed arithmetic the unit feeds `v = (T + 2^(t_bits-1)) +
//! (2^EB - 1 - e)` (an offset threshold plus the complement of the
//! exponent: one small adder, no subtractor). Then
//! `e + k >= T  <=>  v <= k + 2^(t_bits-1) + 2^EB - 1`, a comparison with a
//! constant per plane.
//!
//! Ports: `v` (in, `VW` bits, unsigned); `keep` (out, `W` bits: bit `k` set
//! when plane `k` passes the sieve). Combinational, latency 0.

use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct PlaneComparator<const W: usize, const VW: usize> {
    /// Offset threshold minus exponent, see the module docs.
    pub v: Signal<In, Bits<VW>>,
    /// Planes that are kept (not sieved).
    pub keep: Signal<Out, Bits<W>>,
    /// `limit[k] = k + 2^(t_bits-1) + 2^EB - 1`.
    limit: [Constant<Bits<VW>>; W],
    /// `onehot[k] = 1 << k`.
    onehot: [Constant<Bits<W>>; W],
}

impl<const W: usize, const VW: usize> PlaneComparator<W, VW> {
    pub fn new(t_bits: usize, exp_bits: usize) -> Self {
        let offset = (1u64 << (t_bits - 1)) + (1u64 << exp_bits) - 1;
        assert!(
            offset + W as u64 - 1 < 1u64 << VW,
            "VW = {VW} bits cannot hold the largest plane limit {} (t_bits = {t_bits}, exp_bits = {exp_bits})",
            offset + W as u64 - 1
        );
        Self {
            v: Default::default(),
            keep: Default::default(),
            limit: std::array::from_fn(|k| Constant::new((k as u64 + offset).into())),
            onehot: std::array::from_fn(|k| Constant::new((1u64 << k).into())),
        }
    }
}

impl<const W: usize, const VW: usize> Logic for PlaneComparator<W, VW> {
    #[hdl_gen]
    fn update(&mut self) {
        self.keep.next = 0.into();
        for k in 0..W {
            if self.v.val() <= self.limit[k].val() {
                self.keep.next = self.keep.val() | self.onehot[k].val();
            }
        }
    }
}
