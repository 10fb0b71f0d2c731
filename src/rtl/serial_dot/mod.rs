//! The streaming sieving dot-product unit, `serial` architecture (SPEC
//! section 6): one kept digit per clock, so a pair occupies
//! `max(1, kept digits)` clocks and the sieve's savings become clocks.
//!
//! Three stages, by clock edge after the edge that consumes a pair (edge 0):
//!
//! | edge | stage |
//! |---|---|
//! | 0 | *pair registers*, from the ports: the kept planes (`e(a) + k >= T`, digit non-zero), the planes whose digit is -1, `a`, and whether two or more digits are kept |
//! | 1 .. max(1, kept) | *term register*: the lowest remaining kept plane `k`, as `(a << k)` through a log shifter, inverted for a -1 digit (the +1 of the negation is the accumulator's carry-in) |
//! | max(1, kept) + 1 | accumulator; at a vector's last term the result registers |
//!
//! The digits are those of the *signed* weight (SPEC section 2 applied to
//! `w` rather than `|w|`): the NAF of `w` is `s_w` times the NAF of `|w|`,
//! and the closed form `x = 3w`, `+1 where x & !w`, `-1 where w & !x`
//! (bits 1..=W) needs no magnitude of `w`; binary digits are `|w|`'s bits,
//! signed by `s_w`. So a digit's sign is the sign of its term and `a` is
//! never negated.
//!
//! `in_ready` is a register: low while the held pair has two or more
//! digits left, so pair `i` is consumed `max(1, kept_i)` clocks after pair
//! `i - 1` when the input never waits. A clock without a digit (a pair
//! with nothing kept) leaves the term register and the accumulator as they
//! are, so it toggles no datapath.
//!
//! Timing: `out_valid` rises `1 + max(1, kept)` edges after the edge that
//! consumed a vector's last pair, `kept` being that pair's kept digits
//! (`crate::design::Design::result_latency`).
//!
//! Accumulator and result: the accumulator is `acc_bits + 1` wide. Within
//! a pair its digits add exactly, and at the next pair's first term the
//! value is checked against the `acc_bits` range (the sticky flag) and
//! wrapped, so the flag records exactly the pairs whose `acc + p` left the
//! range (SPEC section 5). The vector's last term writes the sum into the
//! result registers and clears the accumulator (the flip-flops'
//! synchronous reset), so no zeroing mux sits in front of the adder.
//!
//! Counters: the pair registers keep the non-zero planes; at the pair's
//! first term two popcounts (of the kept and the non-zero planes, both
//! registered) give its plane counts, added with that term.

use super::popcount::PopCount;
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
    /// Low while the held pair has two or more kept digits left.
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
    /// True for ternary (NAF) digits, false for binary.
    ternary: Constant<Bit>,
    /// Planes per pair `P`.
    planes: Constant<Bits<CW>>,
    /// Top bit of the threshold: flipping it offsets T by 2^(t_bits-1).
    thr_offset: Constant<Bits<T>>,
    /// Ones above bit A-1 of a PW-bit value, to sign-extend `a`.
    a_sign_ext: Constant<Bits<PW>>,
    /// Ones above bit W-1 of a PW-bit value, to sign-extend `w`.
    w_sign_ext: Constant<Bits<PW>>,
    /// Ones above bit PW-1, to sign-extend a term to AX bits.
    acc_sign_ext: Constant<Bits<AX>>,
    /// Bit ACC of the accumulator, the one above the `acc_bits` range.
    acc_top_bit: Constant<Bits<AX>>,
    /// 1, the shift of `2w` and of the digit planes.
    one: Constant<Bits<8>>,
    /// `plane_index[k] == k`, the shift of plane k.
    plane_index: [Constant<Bits<8>>; W],
    /// `stage[b] == 1 << b`, the log shifter's steps.
    stage: [Constant<Bits<8>>; 4],
    /// `index[k] == k`: the exponent when bit `k` of `|a|` is the leading one.
    index: [Constant<Bits<EB>>; A],
    /// `a_steps[k] == k + 1`, shifts of an A-bit value.
    a_steps: [Constant<Bits<8>>; A],
    /// `limit[k]`: plane `k` passes when `v <= limit[k]` (see
    /// [`super::comparator`] for the offset threshold `v`).
    limit: [Constant<Bits<VW>>; W],
    /// `onehot[k] = 1 << k`.
    onehot: [Constant<Bits<W>>; W],

    // Blocks: plane counts of the registered masks.
    pop_kept: PopCount<W, CW, HN>,
    pop_nonzero: PopCount<W, CW, HN>,

    // Pair registers (loaded by the consuming edge).
    pair_valid: DFF<Bit>,
    pair_last: DFF<Bit>,
    /// The next term is the pair's first.
    pair_first: DFF<Bit>,
    /// Two or more kept digits left: the unit is busy (`in_ready` low).
    pair_more: DFF<Bit>,
    /// Kept planes still to add.
    pair_kept: DFF<Bits<W>>,
    /// Planes whose digit is -1 (meaningful where `pair_kept` is set).
    pair_negative: DFF<Bits<W>>,
    /// Planes with a non-zero digit (counters only).
    pair_nonzero: DFF<Bits<W>>,
    pair_zero_a: DFF<Bit>,
    /// The activation, loaded only when non-zero.
    pair_a: DFF<Bits<A>>,
    // Term register.
    term_valid: DFF<Bit>,
    /// The term register took a digit this clock (else it holds an older
    /// one, and the accumulator adds nothing).
    term_digit: DFF<Bit>,
    term_first: DFF<Bit>,
    /// The vector's last term.
    term_last: DFF<Bit>,
    /// `a << k`, inverted for a -1 digit.
    term: DFF<Bits<PW>>,
    /// The term is inverted: add one more (the accumulator's carry-in).
    term_negative: DFF<Bit>,
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
    /// The counters hold a finished vector's counts.
    restart: DFF<Bit>,
    res_valid: DFF<Bit>,
    res_sum: DFF<Bits<ACC>>,
    res_overflow: DFF<Bit>,

    // Combinational intermediates, each at its exact width.
    accept: Signal<Local, Bit>,
    // Decode of the incoming pair.
    a_negative: Signal<Local, Bit>,
    zero_a: Signal<Local, Bit>,
    a_inverted: Signal<Local, Bits<A>>,
    mag_a: Signal<Local, Bits<A>>,
    smeared: Signal<Local, Bits<A>>,
    above: Signal<Local, Bits<A>>,
    leading: Signal<Local, Bits<A>>,
    e: Signal<Local, Bits<EB>>,
    not_e: Signal<Local, Bits<EB>>,
    w_gated: Signal<Local, Bits<W>>,
    thr_gated: Signal<Local, Bits<T>>,
    thr_offset_value: Signal<Local, Bits<T>>,
    v: Signal<Local, Bits<VW>>,
    keep: Signal<Local, Bits<W>>,
    w_wide: Signal<Local, Bits<PW>>,
    w_twice: Signal<Local, Bits<PW>>,
    w_triple: Signal<Local, Bits<PW>>,
    up_wide: Signal<Local, Bits<PW>>,
    down_wide: Signal<Local, Bits<PW>>,
    up_shifted: Signal<Local, Bits<PW>>,
    down_shifted: Signal<Local, Bits<PW>>,
    w_negative: Signal<Local, Bit>,
    w_inverted: Signal<Local, Bits<W>>,
    mag_w: Signal<Local, Bits<W>>,
    digit_pos: Signal<Local, Bits<W>>,
    digit_neg: Signal<Local, Bits<W>>,
    nonzero: Signal<Local, Bits<W>>,
    kept_planes: Signal<Local, Bits<W>>,
    kept_one: Signal<Local, Bit>,
    kept_two: Signal<Local, Bit>,
    // The held pair's next digit.
    neg_remaining: Signal<Local, Bits<W>>,
    lowest: Signal<Local, Bits<W>>,
    not_lowest: Signal<Local, Bits<W>>,
    has_digit: Signal<Local, Bit>,
    left_one: Signal<Local, Bit>,
    left_two: Signal<Local, Bit>,
    left_three: Signal<Local, Bit>,
    issue_last: Signal<Local, Bit>,
    term_clear: Signal<Local, Bit>,
    lowest_negative: Signal<Local, Bit>,
    shift_amount: Signal<Local, Bits<8>>,
    a_ext: Signal<Local, Bits<PW>>,
    shifted: Signal<Local, Bits<PW>>,
    // Accumulator.
    term_ext: Signal<Local, Bits<AX>>,
    carry_in: Signal<Local, Bits<AX>>,
    acc_top: Signal<Local, Bit>,
    acc_sign: Signal<Local, Bit>,
    out_of_range: Signal<Local, Bit>,
    base_acc: Signal<Local, Bits<AX>>,
    base_overflow: Signal<Local, Bit>,
    sum: Signal<Local, Bits<AX>>,
    acc_clear: Signal<Local, Bit>,
    sum_top: Signal<Local, Bit>,
    sum_sign: Signal<Local, Bit>,
    inc_zero_a: Signal<Local, Bits<CW>>,
}

mod build;
mod clocked;
