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
//! | 2 | plane comparator: the kept rows registered |
//! | 3 | masked partial-product rows (tree leaves): load, clear or hold |
//! | 4 .. 3+log2(W) | adder tree levels; counts of kept / sieved planes |
//! | 4+log2(W) | accumulator, overflow, counters; result registers |
//!
//! So `out_valid` rises `LATENCY = 4 + log2(W)` edges after the edge that
//! consumed a vector's last pair (edge 0), for exactly one cycle. (The
//! comparator has a stage of its own so that the leaves' load, clear or
//! hold decision, an OR over the kept planes, is not behind it.) The sum
//! and overflow ports are result registers, written by the vector's last
//! pair while the accumulator clears (its flip-flops' synchronous reset,
//! no zeroing mux); the counter ports are the counter registers, which
//! hold the vector's counts in the `out_valid` cycle and take the next
//! vector's first increment after it. `reset` (synchronous) drops
//! everything in flight and clears the accumulator, the overflow flag and
//! the counters.
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
/// needs each as a const generic, see [`with_design!`](crate::with_design).
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
    // Kept-row registers: the comparator's verdict, registered before it
    // decides which tree leaves load, clear or hold.
    k_valid: DFF<Bit>,
    k_last: DFF<Bit>,
    k_zero_a: DFF<Bit>,
    k_skip: DFF<Bit>,
    /// Planes whose digit is kept (zero for a pair that adds nothing).
    k_rows: DFF<Bits<W>>,
    /// Kept planes whose digit is -1.
    k_neg: DFF<Bits<W>>,
    k_nonzero: DFF<Bits<W>>,
    k_keep: DFF<Bits<W>>,
    k_x: DFF<Bits<XW>>,
    k_nx: DFF<Bits<XW>>,
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
    /// The counters hold a finished vector's counts: the next pair's
    /// increment replaces them instead of adding to them.
    restart: DFF<Bit>,
    res_valid: DFF<Bit>,
    /// The finished vector's sum and flag (the accumulator is cleared).
    res_sum: DFF<Bits<ACC>>,
    res_overflow: DFF<Bit>,

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
    acc_clear: Signal<Local, Bit>,
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

mod build;
mod clocked;
