//! Pipelined adder tree: sums `W` partial-product rows (W a power of two).
//!
//! The tree is a heap of `2W - 1` registers: leaves `W-1 .. 2W-1` register
//! the rows, node `n` registers `node[2n+1] + node[2n+2]`, the root is node
//! 0. Each level is one adder deep, so the clock is set by one `PW`-bit
//! adder, not a chain. All arithmetic wraps at `PW` bits, which is exact
//! because the full sum fits `PW` bits (two's complement is modular).
//!
//! Ports: `clock`; `rows` (in, `W` x `PW` bits); `load` (in, `W` bits:
//! leaf `k` takes row `k`); `clear` (in: the leaves not loaded become 0,
//! else they hold, so a pair that loads nothing toggles nothing
//! downstream); `sum` (out, `PW` bits).
//! Latency: `1 + log2(W)` clock edges from `rows` to `sum`.

use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct AdderTree<const W: usize, const PW: usize, const HN: usize> {
    pub clock: Signal<In, Clock>,
    /// Partial-product rows, two's complement.
    pub rows: [Signal<In, Bits<PW>>; W],
    /// Leaf `k` loads row `k` this edge.
    pub load: [Signal<In, Bit>; W],
    /// The leaves that do not load become 0 (else they hold).
    pub clear: Signal<In, Bit>,
    /// The registered sum of the rows `1 + log2(W)` edges ago.
    pub sum: Signal<Out, Bits<PW>>,
    /// Heap-ordered registers: leaves hold rows, inner nodes partial sums.
    heap: [DFF<Bits<PW>>; HN],
}

impl<const W: usize, const PW: usize, const HN: usize> Default for AdderTree<W, PW, HN> {
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
        Self {
            clock: Default::default(),
            rows: std::array::from_fn(|_| Default::default()),
            load: std::array::from_fn(|_| Default::default()),
            clear: Default::default(),
            sum: Default::default(),
            heap: std::array::from_fn(|_| Default::default()),
        }
    }
}

/// Edges from rows to sum: `1 + log2(W)` (the formula lives with the
/// design's timing contract).
pub use crate::design::tree_latency;

impl<const W: usize, const PW: usize, const HN: usize> Logic for AdderTree<W, PW, HN> {
    #[hdl_gen]
    fn update(&mut self) {
        for n in 0..HN {
            self.heap[n].clock.next = self.clock.val();
        }
        for n in 0..(W - 1) {
            self.heap[n].d.next = self.heap[2 * n + 1].q.val() + self.heap[2 * n + 2].q.val();
        }
        // `base` takes the single value W - 1, so leaf indices stay loop
        // expressions that the Verilog generator can evaluate.
        for base in (W - 1)..W {
            for k in 0..W {
                self.heap[base + k].d.next = self.heap[base + k].q.val();
                if self.clear.val() {
                    self.heap[base + k].d.next = 0.into();
                }
                if self.load[k].val() {
                    self.heap[base + k].d.next = self.rows[k].val();
                }
            }
        }
        self.sum.next = self.heap[0].q.val();
    }
}
