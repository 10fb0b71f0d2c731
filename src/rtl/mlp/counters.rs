//! The accelerator's plane counters (`export-mlp --counters`): per sample,
//! SPEC section 4's four counts summed over every neuron of every layer,
//! exactly as the golden model's inference counts them.
//!
//! The lanes never see a zero activation (the input buffers keep only the
//! non-zero ones), so the block rebuilds the counts around them:
//!
//! * `zero_a`: each neuron of a layer adds `(inputs - nonzero) * P`, with
//!   `P` the ROM's planes.
//! * `zero_w`, `sieved`, `kept`: each real neuron adds its lane's counts;
//!   padded lanes are never posted, so they add nothing. Lanes wider than
//!   the ROM's weights (which are sign-extended into them) have
//!   `P_lane - P` extra top planes whose digits are always zero: `zero_w`
//!   takes back `nonzero * (P_lane - P)` per neuron.
//!
//! The lanes' own `zero_a` (the terminal pair of each group) is not used.
//! A neuron's counts are selected when the post stage issues it and added
//! one clock later, beside the bias read and add. The totals are valid while
//! `out_valid` is high; they restart when the next sample's first layer
//! starts.

use super::INDEX_BITS;
use rust_hdl::prelude::*;

/// Width of the accelerator's counter outputs (SPEC section 9 lanes count in
/// 32 bits; a sample's totals wrap at `2^32` like theirs).
pub const COUNT_BITS: usize = 32;
/// Width of the per-layer products `(inputs - nonzero) * P` (layers of up
/// to 4,095 inputs, at most 9 planes).
const LAYER_COUNT_BITS: usize = 16;

#[derive(LogicBlock)]
pub struct MlpCounters {
    pub clock: Signal<In, Clock>,
    /// High for the one clock a layer starts.
    pub layer_start: Signal<In, Bit>,
    /// With `layer_start`: this is a sample's first layer (the totals restart).
    pub first_layer: Signal<In, Bit>,
    /// The layer's inputs minus one, and how many of them are non-zero.
    pub inputs_m1: Signal<In, Bits<INDEX_BITS>>,
    pub nonzero: Signal<In, Bits<INDEX_BITS>>,
    /// The post stage takes a neuron: its lane's counts (the accelerator
    /// keeps each lane's, since rust-hdl's Verilog cannot index a vector
    /// inside a vector of blocks).
    pub post_issue: Signal<In, Bit>,
    pub post_zero_w: Signal<In, Bits<COUNT_BITS>>,
    pub post_sieved: Signal<In, Bits<COUNT_BITS>>,
    pub post_kept: Signal<In, Bits<COUNT_BITS>>,
    pub zero_a: Signal<Out, Bits<COUNT_BITS>>,
    pub zero_w: Signal<Out, Bits<COUNT_BITS>>,
    pub sieved: Signal<Out, Bits<COUNT_BITS>>,
    pub kept: Signal<Out, Bits<COUNT_BITS>>,

    /// The ROM's planes `P` and the lanes' extra planes `P_lane - P`.
    planes: Constant<Bits<4>>,
    extra_planes: Constant<Bits<4>>,
    /// Shift amounts 0 to 3 (products by a 4-bit constant as shift-adds,
    /// which keeps them out of the DSP blocks).
    shl: Vec<Constant<Bits<2>>>,
    zeros: Signal<Local, Bits<LAYER_COUNT_BITS>>,
    nonzero_wide: Signal<Local, Bits<LAYER_COUNT_BITS>>,
    zeros_planes: Signal<Local, Bits<LAYER_COUNT_BITS>>,
    nonzero_extra: Signal<Local, Bits<LAYER_COUNT_BITS>>,
    /// Per neuron of the current layer: `zero_a` added, `zero_w` taken back.
    neuron_zero_a: DFF<Bits<LAYER_COUNT_BITS>>,
    neuron_zero_w_fix: DFF<Bits<LAYER_COUNT_BITS>>,
    /// The posted neuron's counts, a clock before they are added.
    sel_valid: DFF<Bit>,
    sel_zero_w: DFF<Bits<COUNT_BITS>>,
    sel_sieved: DFF<Bits<COUNT_BITS>>,
    sel_kept: DFF<Bits<COUNT_BITS>>,
    total_zero_a: DFF<Bits<COUNT_BITS>>,
    total_zero_w: DFF<Bits<COUNT_BITS>>,
    total_sieved: DFF<Bits<COUNT_BITS>>,
    total_kept: DFF<Bits<COUNT_BITS>>,
}

impl MlpCounters {
    /// Counters for lanes of `lane_planes` planes running a ROM of `planes`
    /// planes.
    pub fn new(planes: u32, lane_planes: u32) -> Self {
        assert!((1..16).contains(&planes) && (planes..16).contains(&lane_planes));
        Self {
            clock: Default::default(),
            layer_start: Default::default(),
            first_layer: Default::default(),
            inputs_m1: Default::default(),
            nonzero: Default::default(),
            post_issue: Default::default(),
            post_zero_w: Default::default(),
            post_sieved: Default::default(),
            post_kept: Default::default(),
            zero_a: Default::default(),
            zero_w: Default::default(),
            sieved: Default::default(),
            kept: Default::default(),
            planes: Constant::new(u64::from(planes).into()),
            extra_planes: Constant::new(u64::from(lane_planes - planes).into()),
            shl: (0..4u64).map(|b| Constant::new(b.into())).collect(),
            zeros: Default::default(),
            nonzero_wide: Default::default(),
            zeros_planes: Default::default(),
            nonzero_extra: Default::default(),
            neuron_zero_a: Default::default(),
            neuron_zero_w_fix: Default::default(),
            sel_valid: Default::default(),
            sel_zero_w: Default::default(),
            sel_sieved: Default::default(),
            sel_kept: Default::default(),
            total_zero_a: Default::default(),
            total_zero_w: Default::default(),
            total_sieved: Default::default(),
            total_kept: Default::default(),
        }
    }
}

impl Logic for MlpCounters {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            neuron_zero_a,
            neuron_zero_w_fix,
            sel_valid,
            sel_zero_w,
            sel_sieved,
            sel_kept,
            total_zero_a,
            total_zero_w,
            total_sieved,
            total_kept
        );
        // The layer's per-neuron products, by shift-adds of the constants.
        self.nonzero_wide.next = bit_cast::<LAYER_COUNT_BITS, INDEX_BITS>(self.nonzero.val());
        self.zeros.next = bit_cast::<LAYER_COUNT_BITS, INDEX_BITS>(self.inputs_m1.val()) + 1
            - self.nonzero_wide.val();
        self.zeros_planes.next = 0.into();
        self.nonzero_extra.next = 0.into();
        for b in 0..4 {
            if self.planes.val().get_bit(b) {
                self.zeros_planes.next =
                    self.zeros_planes.val() + (self.zeros.val() << self.shl[b].val());
            }
            if self.extra_planes.val().get_bit(b) {
                self.nonzero_extra.next =
                    self.nonzero_extra.val() + (self.nonzero_wide.val() << self.shl[b].val());
            }
        }
        if self.layer_start.val() {
            self.neuron_zero_a.d.next = self.zeros_planes.val();
            self.neuron_zero_w_fix.d.next = self.nonzero_extra.val();
        }

        // The posted neuron's counts, added a clock later.
        self.sel_valid.d.next = self.post_issue.val();
        self.sel_zero_w.d.next = self.post_zero_w.val();
        self.sel_sieved.d.next = self.post_sieved.val();
        self.sel_kept.d.next = self.post_kept.val();
        if self.sel_valid.q.val() {
            self.total_zero_a.d.next = self.total_zero_a.q.val()
                + bit_cast::<COUNT_BITS, LAYER_COUNT_BITS>(self.neuron_zero_a.q.val());
            self.total_zero_w.d.next = self.total_zero_w.q.val() + self.sel_zero_w.q.val()
                - bit_cast::<COUNT_BITS, LAYER_COUNT_BITS>(self.neuron_zero_w_fix.q.val());
            self.total_sieved.d.next = self.total_sieved.q.val() + self.sel_sieved.q.val();
            self.total_kept.d.next = self.total_kept.q.val() + self.sel_kept.q.val();
        }
        if self.layer_start.val() & self.first_layer.val() {
            self.total_zero_a.d.next = 0.into();
            self.total_zero_w.d.next = 0.into();
            self.total_sieved.d.next = 0.into();
            self.total_kept.d.next = 0.into();
        }
        self.zero_a.next = self.total_zero_a.q.val();
        self.zero_w.next = self.total_zero_w.q.val();
        self.sieved.next = self.total_sieved.q.val();
        self.kept.next = self.total_kept.q.val();
    }
}
