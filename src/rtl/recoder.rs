//! Digit recoder: a two's complement weight to its sign and its digit planes
//! (SPEC section 2).
//!
//! Ports: `w` (in, `W` bits two's complement); `negative` (out, the sign of
//! `w`); `pos`, `neg` (out, `W` bits: plane `k` has digit +1 when `pos[k]`,
//! -1 when `neg[k]`, 0 when neither). Combinational, latency 0.
//!
//! `binary`: `pos = |w|`, `neg = 0`. `ternary`: the non-adjacent form of
//! `m = |w|` by the closed form `h = m >> 1`, `x3 = m + h`, `c = h ^ x3`,
//! `pos = x3 & c`, `neg = h & c` (x3 < 2^W because m <= 2^(W-1)).
//! The NAF of any `m <= 2^(W-1)` has no digit on plane `W` (its top digit
//! `2^t` satisfies `2^t < 4m/3 < 2^W`), so the ternary coding's extra plane
//! is always a zero digit: the unit counts it as `zero_w` (or `zero_a`)
//! without a datapath row. The exhaustive tests check this claim.

use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct DigitRecoder<const W: usize> {
    /// The weight, two's complement.
    pub w: Signal<In, Bits<W>>,
    /// True when `w < 0`.
    pub negative: Signal<Out, Bit>,
    /// Planes whose digit is +1.
    pub pos: Signal<Out, Bits<W>>,
    /// Planes whose digit is -1 (always 0 in binary coding).
    pub neg: Signal<Out, Bits<W>>,
    /// True for ternary (NAF) coding, false for binary.
    ternary: Constant<Bit>,
    inverted: Signal<Local, Bits<W>>,
    mag: Signal<Local, Bits<W>>,
    half: Signal<Local, Bits<W>>,
    three_halves: Signal<Local, Bits<W>>,
    changes: Signal<Local, Bits<W>>,
}

impl<const W: usize> DigitRecoder<W> {
    pub fn new(ternary: bool) -> Self {
        Self {
            w: Default::default(),
            negative: Default::default(),
            pos: Default::default(),
            neg: Default::default(),
            ternary: Constant::new(ternary),
            inverted: Default::default(),
            mag: Default::default(),
            half: Default::default(),
            three_halves: Default::default(),
            changes: Default::default(),
        }
    }
}

impl<const W: usize> Logic for DigitRecoder<W> {
    #[hdl_gen]
    fn update(&mut self) {
        self.negative.next = false;
        for top in (W - 1)..W {
            self.negative.next = self.w.val().get_bit(top);
        }
        self.inverted.next = !self.w.val();
        self.mag.next = self.w.val();
        if self.negative.val() {
            self.mag.next = self.inverted.val() + 1;
        }
        self.half.next = self.mag.val() >> 1;
        self.three_halves.next = self.mag.val() + self.half.val();
        self.changes.next = self.half.val() ^ self.three_halves.val();
        if self.ternary.val() {
            self.pos.next = self.three_halves.val() & self.changes.val();
            self.neg.next = self.half.val() & self.changes.val();
        } else {
            self.pos.next = self.mag.val();
            self.neg.next = 0.into();
        }
    }
}
