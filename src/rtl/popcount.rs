//! Population count as a balanced tree of small adders (depth log2(W)),
//! for the plane counters. A chain of `count + bit` increments is W adders
//! deep and was the unit's critical path.
//!
//! Ports: `bits` (in, `W` bits); `count` (out, `CW` bits, the number of set
//! bits). Combinational, latency 0. `W` a power of two, `HN = 2W - 1`.

use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct PopCount<const W: usize, const CW: usize, const HN: usize> {
    pub bits: Signal<In, Bits<W>>,
    pub count: Signal<Out, Bits<CW>>,
    /// Heap-ordered partial counts: leaves `W-1 ..` hold the bits, node `n`
    /// sums nodes `2n+1` and `2n+2`, the root is node 0.
    heap: [Signal<Local, Bits<CW>>; HN],
}

impl<const W: usize, const CW: usize, const HN: usize> Default for PopCount<W, CW, HN> {
    fn default() -> Self {
        assert!(
            W.is_power_of_two() && W >= 2,
            "W = {W} must be a power of two"
        );
        assert_eq!(
            HN,
            2 * W - 1,
            "HN = {HN} must be 2W - 1 = {} (W = {W})",
            2 * W - 1
        );
        assert!(1 << CW > W, "CW = {CW} bits cannot hold {W}");
        Self {
            bits: Default::default(),
            count: Default::default(),
            heap: std::array::from_fn(|_| Default::default()),
        }
    }
}

impl<const W: usize, const CW: usize, const HN: usize> Logic for PopCount<W, CW, HN> {
    #[hdl_gen]
    fn update(&mut self) {
        for base in (W - 1)..W {
            for k in 0..W {
                self.heap[base + k].next = 0.into();
                if self.bits.val().get_bit(k) {
                    self.heap[base + k].next = 1.into();
                }
            }
        }
        // Children before parents: `top - m` runs from W - 2 down to 0.
        for top in (W - 2)..(W - 1) {
            for m in 0..(W - 1) {
                self.heap[top - m].next =
                    self.heap[2 * (top - m) + 1].val() + self.heap[2 * (top - m) + 2].val();
            }
        }
        self.count.next = self.heap[0].val();
    }
}
