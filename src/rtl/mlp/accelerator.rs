//! The `sieve_mlp` block: load port, memories, zero-skipping input buffers,
//! `N` lanes of a dot-product unit, the requantizer and the argmax.
//!
//! The lane unit is a type parameter; rust-hdl's HDL kernel needs concrete
//! field access, so `mlp_logic!` writes the one kernel for each unit type
//! and the `Block` impl is written out by hand (the derive would demand the
//! kernel for every `U`).

use super::counters::{MlpCounters, COUNT_BITS};
use super::memory::{LaneStore, SyncMemory};
use super::{
    MlpShape, ADDR_BITS, BIAS_ADDR_BITS, INDEX_BITS, LANE_BITS, LAYER_BITS, THR_ADDR_BITS,
};
use crate::rtl::{low_ones, sign_ext_mask};
use rust_hdl::prelude::*;
use rust_hdl::widgets::prelude::ROM;

/// Width of `y = acc + bias` (both 32 bits) and of its rounded form.
pub const Y_BITS: usize = 34;
pub const Z_BITS: usize = 35;

#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum MlpState {
    /// Taking the ROM's values on the load port.
    Load,
    /// Waiting for a complete sample.
    Idle,
    /// First cycle of a layer: its table entry is on the ROM outputs.
    LayerStart,
    /// Streaming one group of `N` neurons through the lanes.
    Stream,
    /// Waiting for every lane's result.
    Drain,
    /// Bias, ReLU, requantization or argmax, one neuron per clock.
    Post,
}

pub struct SieveMlp<U: Block, const A: usize, const W: usize> {
    // SPEC section 9 ports, in order.
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub load_valid: Signal<In, Bit>,
    pub load_ready: Signal<Out, Bit>,
    pub load_data: Signal<In, Bits<32>>,
    pub in_valid: Signal<In, Bit>,
    pub in_ready: Signal<Out, Bit>,
    pub in_x: Signal<In, Bits<A>>,
    pub in_last: Signal<In, Bit>,
    pub out_valid: Signal<Out, Bit>,
    pub out_class: Signal<Out, Bits<8>>,
    // With counters only (one element each, else none): the sample's plane
    // counts, valid while `out_valid` is high.
    pub out_zero_a: Vec<Signal<Out, Bits<COUNT_BITS>>>,
    pub out_zero_w: Vec<Signal<Out, Bits<COUNT_BITS>>>,
    pub out_sieved: Vec<Signal<Out, Bits<COUNT_BITS>>>,
    pub out_kept: Vec<Signal<Out, Bits<COUNT_BITS>>>,

    pub lanes: Vec<U>,
    /// The plane counters (one with counters, else none) and each lane's
    /// counts of its last vector (one per lane with counters, else none).
    pub counters: Vec<MlpCounters>,
    pub lane_zero_w: Vec<DFF<Bits<COUNT_BITS>>>,
    pub lane_sieved: Vec<DFF<Bits<COUNT_BITS>>>,
    pub lane_kept: Vec<DFF<Bits<COUNT_BITS>>>,
    /// Weights, lane `b` holding the neurons `j` with `j mod N == b`,
    /// group-major; one word holds a group's weights of one input.
    pub wstore: LaneStore<W, ADDR_BITS>,
    /// Thresholds, one word per group, a field per lane like the weights.
    pub tstore: LaneStore<8, THR_ADDR_BITS>,
    /// Biases by global neuron index.
    pub bmem: SyncMemory<32, BIAS_ADDR_BITS>,
    /// Non-zero activations as (index, value) lists: input buffers 0 and
    /// 1 (filled by the input port), hidden buffers 2 and 3 (ping-pong).
    pub nz_idx: Vec<SyncMemory<INDEX_BITS, INDEX_BITS>>,
    pub nz_val: Vec<SyncMemory<A, INDEX_BITS>>,

    // The layer table, addressed by `layer`.
    pub tab_inputs_m1: ROM<Bits<INDEX_BITS>, LAYER_BITS>,
    pub tab_outputs_m1: ROM<Bits<INDEX_BITS>, LAYER_BITS>,
    pub tab_shift: ROM<Bits<6>, LAYER_BITS>,
    pub tab_round: ROM<Bits<Z_BITS>, LAYER_BITS>,
    pub tab_relu: ROM<Bit, LAYER_BITS>,

    pub(super) lanes_m1: Constant<Bits<LANE_BITS>>,
    pub(super) lanes_n: Constant<Bits<INDEX_BITS>>,
    pub(super) last_layer: Constant<Bits<LAYER_BITS>>,
    pub(super) kind_bias: Constant<Bits<2>>,
    pub(super) kind_thr: Constant<Bits<2>>,
    /// Weights are written by read-modify-write (`LaneStore::merges_writes`).
    pub(super) merge_w: Constant<Bit>,
    pub(super) a_max: Constant<Bits<Z_BITS>>,
    pub(super) a_min: Constant<Bits<Z_BITS>>,
    pub(super) z_sign: Constant<Bits<Z_BITS>>,
    pub(super) y_flip: Constant<Bits<Y_BITS>>,
    pub(super) sext_y: Constant<Bits<Y_BITS>>,
    pub(super) sext_z: Constant<Bits<Z_BITS>>,

    pub(super) state: DFF<MlpState>,
    pub(super) layer: DFF<Bits<LAYER_BITS>>,
    // Load.
    pub(super) ld_kind: DFF<Bits<2>>,
    pub(super) ld_i: DFF<Bits<INDEX_BITS>>,
    pub(super) ld_j: DFF<Bits<INDEX_BITS>>,
    pub(super) ld_lane: DFF<Bits<LANE_BITS>>,
    pub(super) ld_waddr: DFF<Bits<ADDR_BITS>>,
    pub(super) ld_gbase: DFF<Bits<ADDR_BITS>>,
    pub(super) ld_taddr: DFF<Bits<THR_ADDR_BITS>>,
    pub(super) ld_baddr: DFF<Bits<BIAS_ADDR_BITS>>,
    // A weight's read-modify-write: its word is read the clock after its
    // beat (`ld_rd`) and written the clock after that (`ld_wr`).
    pub(super) ld_rd: DFF<Bit>,
    pub(super) ld_wr: DFF<Bit>,
    pub(super) ld_wl_addr: DFF<Bits<ADDR_BITS>>,
    pub(super) ld_wl_lane: DFF<Bits<LANE_BITS>>,
    pub(super) ld_wl_data: DFF<Bits<W>>,
    // Input side.
    pub(super) in_sel: DFF<Bit>,
    pub(super) in_count: DFF<Bits<INDEX_BITS>>,
    pub(super) in_i: DFF<Bits<INDEX_BITS>>,
    pub(super) in_full0: DFF<Bit>,
    pub(super) in_full1: DFF<Bit>,
    pub(super) in_count0: DFF<Bits<INDEX_BITS>>,
    pub(super) in_count1: DFF<Bits<INDEX_BITS>>,
    // Compute side.
    pub(super) cmp_sel: DFF<Bit>,
    pub(super) src_count: DFF<Bits<INDEX_BITS>>,
    pub(super) dst_count: DFF<Bits<INDEX_BITS>>,
    pub(super) grp_row: DFF<Bits<ADDR_BITS>>,
    pub(super) grp_t: DFF<Bits<THR_ADDR_BITS>>,
    pub(super) bias_ptr: DFF<Bits<BIAS_ADDR_BITS>>,
    pub(super) remaining: DFF<Bits<INDEX_BITS>>,
    pub(super) out_j: DFF<Bits<INDEX_BITS>>,
    // Stream pipeline: issue (p), nz read (s1), weight read (s2).
    pub(super) p: DFF<Bits<INDEX_BITS>>,
    pub(super) issued_term: DFF<Bit>,
    pub(super) s1_valid: DFF<Bit>,
    pub(super) s1_term: DFF<Bit>,
    pub(super) s2_valid: DFF<Bit>,
    pub(super) s2_term: DFF<Bit>,
    pub(super) s2_a: DFF<Bits<A>>,
    // Lane results.
    pub(super) res: Vec<DFF<Bits<32>>>,
    pub(super) done: Vec<DFF<Bit>>,
    /// Lane `b` has a neuron in this group (`remaining > b`), registered:
    /// `remaining` changes at least two clocks before a group's first pair
    /// reaches the lanes, and the compare stays off the lanes' input path.
    pub(super) lane_on: Vec<DFF<Bit>>,
    // Post pipeline.
    pub(super) k: DFF<Bits<LANE_BITS>>,
    pub(super) issued_all: DFF<Bit>,
    pub(super) pp_valid: DFF<Bit>,
    pub(super) pp_res: DFF<Bits<32>>,
    pub(super) pp_last: DFF<Bit>,
    pub(super) py_valid: DFF<Bit>,
    pub(super) py_last: DFF<Bit>,
    pub(super) py_y: DFF<Bits<Y_BITS>>,
    pub(super) pz_valid: DFF<Bit>,
    pub(super) pz_last: DFF<Bit>,
    pub(super) pz_y: DFF<Bits<Y_BITS>>,
    pub(super) pz_z: DFF<Bits<Z_BITS>>,
    pub(super) pw_valid: DFF<Bit>,
    pub(super) pw_last: DFF<Bit>,
    pub(super) pw_y: DFF<Bits<Y_BITS>>,
    pub(super) pw_act: DFF<Bits<A>>,
    pub(super) best: DFF<Bits<Y_BITS>>,
    pub(super) best_j: DFF<Bits<8>>,
    pub(super) result_valid: DFF<Bit>,
    pub(super) result_class: DFF<Bits<8>>,

    // Combinational intermediates.
    pub(super) loading: Signal<Local, Bit>,
    pub(super) load_fire: Signal<Local, Bit>,
    /// A load beat that carries a weight.
    pub(super) load_weight: Signal<Local, Bit>,
    pub(super) in_fire: Signal<Local, Bit>,
    pub(super) in_nonzero: Signal<Local, Bit>,
    pub(super) src_idx: Signal<Local, Bits<INDEX_BITS>>,
    pub(super) src_val: Signal<Local, Bits<A>>,
    /// One bit per activation buffer: the layer's source, the only one read.
    pub(super) src_read: Signal<Local, Bits<4>>,
    pub(super) all_ready: Signal<Local, Bit>,
    pub(super) all_done: Signal<Local, Bit>,
    pub(super) stall: Signal<Local, Bit>,
    /// The post stage takes the next lane's result this clock.
    pub(super) post_issue: Signal<Local, Bit>,
    /// ... and it is the group's last.
    pub(super) post_last: Signal<Local, Bit>,
    pub(super) streaming: Signal<Local, Bit>,
    pub(super) read_row: Signal<Local, Bits<ADDR_BITS>>,
    pub(super) y: Signal<Local, Bits<Y_BITS>>,
    pub(super) bias_ext: Signal<Local, Bits<Y_BITS>>,
    pub(super) y_negative: Signal<Local, Bit>,
    pub(super) py_negative: Signal<Local, Bit>,
    pub(super) take: Signal<Local, Bit>,
    pub(super) class_now: Signal<Local, Bits<8>>,
    pub(super) dst_next: Signal<Local, Bits<INDEX_BITS>>,
    pub(super) z: Signal<Local, Bits<Z_BITS>>,
    pub(super) q: Signal<Local, Bits<Z_BITS>>,
    pub(super) act: Signal<Local, Bits<A>>,
    pub(super) is_last_layer: Signal<Local, Bit>,
    pub(super) hidden_write: Signal<Local, Bit>,
    pub(super) last_group: Signal<Local, Bit>,
}

/// One `make()` if `shape` has counters, else none: what exists only with
/// counters is a vector, so that without them the Verilog has no trace of it.
fn per_counter_block<T>(shape: &MlpShape, make: impl Fn() -> T) -> Vec<T> {
    (0..usize::from(shape.counters)).map(|_| make()).collect()
}

/// A register per lane if `shape` has counters, else none.
fn per_lane_counter(shape: &MlpShape) -> Vec<DFF<Bits<COUNT_BITS>>> {
    (0..shape.lanes * usize::from(shape.counters))
        .map(|_| Default::default())
        .collect()
}

fn table<const D: usize>(values: impl Iterator<Item = u64>) -> ROM<Bits<D>, LAYER_BITS> {
    values.map(Bits::<D>::from).into()
}

impl<U: Block, const A: usize, const W: usize> SieveMlp<U, A, W> {
    /// The accelerator of `shape` with `make_lane(b)` as lane `b`.
    pub fn new(shape: &MlpShape, make_lane: impl Fn(usize) -> U) -> Self {
        assert_eq!(A, shape.a_bits as usize, "a_bits");
        assert_eq!(W, shape.lane_w_bits() as usize, "lane w_bits");
        let n = shape.lanes;
        let layers = &shape.layers;
        let depths = shape.memory_depths();
        let z_mask = low_ones(Z_BITS);
        // Weights take the ROM's width in the word, not the lane's.
        let wstore = LaneStore::new(n, depths.weights, shape.w_bits as usize);
        Self {
            merge_w: Constant::new(wstore.merges_writes()),
            clock: Default::default(),
            reset: Default::default(),
            load_valid: Default::default(),
            load_ready: Default::default(),
            load_data: Default::default(),
            in_valid: Default::default(),
            in_ready: Default::default(),
            in_x: Default::default(),
            in_last: Default::default(),
            out_valid: Default::default(),
            out_class: Default::default(),
            out_zero_a: per_counter_block(shape, Default::default),
            out_zero_w: per_counter_block(shape, Default::default),
            out_sieved: per_counter_block(shape, Default::default),
            out_kept: per_counter_block(shape, Default::default),
            lanes: (0..n).map(make_lane).collect(),
            counters: per_counter_block(shape, || {
                // The counters count the ROM's planes, not the lanes'.
                MlpCounters::new(
                    shape.coding.planes(shape.w_bits),
                    shape.lane_config().planes(),
                )
            }),
            lane_zero_w: per_lane_counter(shape),
            lane_sieved: per_lane_counter(shape),
            lane_kept: per_lane_counter(shape),
            wstore,
            tstore: LaneStore::new(n, depths.thresholds, 8),
            bmem: SyncMemory::new(depths.biases),
            nz_idx: [depths.input, depths.input, depths.hidden, depths.hidden]
                .into_iter()
                .map(SyncMemory::new)
                .collect(),
            nz_val: [depths.input, depths.input, depths.hidden, depths.hidden]
                .into_iter()
                .map(SyncMemory::new)
                .collect(),
            tab_inputs_m1: table(layers.iter().map(|l| l.inputs as u64 - 1)),
            tab_outputs_m1: table(layers.iter().map(|l| l.outputs as u64 - 1)),
            tab_shift: table(layers.iter().map(|l| u64::from(l.hw_shift()))),
            tab_round: table(layers.iter().map(|l| l.hw_round())),
            tab_relu: layers.iter().map(|l| l.relu).into(),
            lanes_m1: Constant::new(((n - 1) as u64).into()),
            lanes_n: Constant::new((n as u64).into()),
            last_layer: Constant::new(((layers.len() - 1) as u64).into()),
            kind_bias: Constant::new(1u64.into()),
            kind_thr: Constant::new(2u64.into()),
            a_max: Constant::new(low_ones(A - 1).into()),
            a_min: Constant::new((z_mask & !low_ones(A - 1)).into()),
            z_sign: Constant::new((1u64 << (Z_BITS - 1)).into()),
            y_flip: Constant::new((1u64 << (Y_BITS - 1)).into()),
            sext_y: Constant::new(sign_ext_mask(Y_BITS, 32).into()),
            sext_z: Constant::new(sign_ext_mask(Z_BITS, Y_BITS).into()),
            state: Default::default(),
            layer: Default::default(),
            ld_kind: Default::default(),
            ld_i: Default::default(),
            ld_j: Default::default(),
            ld_lane: Default::default(),
            ld_waddr: Default::default(),
            ld_gbase: Default::default(),
            ld_taddr: Default::default(),
            ld_baddr: Default::default(),
            ld_rd: Default::default(),
            ld_wr: Default::default(),
            ld_wl_addr: Default::default(),
            ld_wl_lane: Default::default(),
            ld_wl_data: Default::default(),
            in_sel: Default::default(),
            in_count: Default::default(),
            in_i: Default::default(),
            in_full0: Default::default(),
            in_full1: Default::default(),
            in_count0: Default::default(),
            in_count1: Default::default(),
            cmp_sel: Default::default(),
            src_count: Default::default(),
            dst_count: Default::default(),
            grp_row: Default::default(),
            grp_t: Default::default(),
            bias_ptr: Default::default(),
            remaining: Default::default(),
            out_j: Default::default(),
            p: Default::default(),
            issued_term: Default::default(),
            s1_valid: Default::default(),
            s1_term: Default::default(),
            s2_valid: Default::default(),
            s2_term: Default::default(),
            s2_a: Default::default(),
            res: (0..n).map(|_| Default::default()).collect(),
            done: (0..n).map(|_| Default::default()).collect(),
            lane_on: (0..n).map(|_| Default::default()).collect(),
            k: Default::default(),
            issued_all: Default::default(),
            pp_valid: Default::default(),
            pp_res: Default::default(),
            pp_last: Default::default(),
            py_valid: Default::default(),
            py_last: Default::default(),
            py_y: Default::default(),
            pz_valid: Default::default(),
            pz_last: Default::default(),
            pz_y: Default::default(),
            pz_z: Default::default(),
            pw_valid: Default::default(),
            pw_last: Default::default(),
            pw_y: Default::default(),
            pw_act: Default::default(),
            best: Default::default(),
            best_j: Default::default(),
            result_valid: Default::default(),
            result_class: Default::default(),
            loading: Default::default(),
            load_fire: Default::default(),
            load_weight: Default::default(),
            in_fire: Default::default(),
            in_nonzero: Default::default(),
            src_idx: Default::default(),
            src_val: Default::default(),
            src_read: Default::default(),
            all_ready: Default::default(),
            all_done: Default::default(),
            stall: Default::default(),
            post_issue: Default::default(),
            post_last: Default::default(),
            streaming: Default::default(),
            read_row: Default::default(),
            y: Default::default(),
            bias_ext: Default::default(),
            y_negative: Default::default(),
            py_negative: Default::default(),
            take: Default::default(),
            class_now: Default::default(),
            dst_next: Default::default(),
            z: Default::default(),
            q: Default::default(),
            act: Default::default(),
            is_last_layer: Default::default(),
            hidden_write: Default::default(),
            last_group: Default::default(),
        }
    }
}

/// `Block` by hand: every field but the `_`-prefixed ones, as the derive
/// would write it, for any lane type whose kernel exists.
macro_rules! impl_block {
    ($($f:ident),* $(,)?) => {
        impl<U: Block, const A: usize, const W: usize> Block for SieveMlp<U, A, W>
        where
            SieveMlp<U, A, W>: Logic,
        {
            fn connect_all(&mut self) {
                self.connect();
                $(self.$f.connect_all();)*
            }
            fn update_all(&mut self) {
                self.update();
                $(self.$f.update_all();)*
            }
            fn has_changed(&self) -> bool {
                false $(|| self.$f.has_changed())*
            }
            fn accept(&self, name: &str, probe: &mut dyn Probe) {
                probe.visit_start_scope(name, self);
                $(self.$f.accept(stringify!($f), probe);)*
                probe.visit_end_scope(name, self);
            }
        }
    };
}

impl_block!(
    clock,
    reset,
    load_valid,
    load_ready,
    load_data,
    in_valid,
    in_ready,
    in_x,
    in_last,
    out_valid,
    out_class,
    out_zero_a,
    out_zero_w,
    out_sieved,
    out_kept,
    lanes,
    counters,
    lane_zero_w,
    lane_sieved,
    lane_kept,
    wstore,
    tstore,
    bmem,
    nz_idx,
    nz_val,
    tab_inputs_m1,
    tab_outputs_m1,
    tab_shift,
    tab_round,
    tab_relu,
    lanes_m1,
    lanes_n,
    last_layer,
    kind_bias,
    kind_thr,
    merge_w,
    a_max,
    a_min,
    z_sign,
    y_flip,
    sext_y,
    sext_z,
    state,
    layer,
    ld_kind,
    ld_i,
    ld_j,
    ld_lane,
    ld_waddr,
    ld_gbase,
    ld_taddr,
    ld_baddr,
    ld_rd,
    ld_wr,
    ld_wl_addr,
    ld_wl_lane,
    ld_wl_data,
    in_sel,
    in_count,
    in_i,
    in_full0,
    in_full1,
    in_count0,
    in_count1,
    cmp_sel,
    src_count,
    dst_count,
    grp_row,
    grp_t,
    bias_ptr,
    remaining,
    out_j,
    p,
    issued_term,
    s1_valid,
    s1_term,
    s2_valid,
    s2_term,
    s2_a,
    res,
    done,
    lane_on,
    k,
    issued_all,
    pp_valid,
    pp_res,
    pp_last,
    py_valid,
    py_last,
    py_y,
    pz_valid,
    pz_last,
    pz_y,
    pz_z,
    pw_valid,
    pw_last,
    pw_y,
    pw_act,
    best,
    best_j,
    result_valid,
    result_class,
    loading,
    load_fire,
    load_weight,
    in_fire,
    in_nonzero,
    src_idx,
    src_val,
    src_read,
    all_ready,
    all_done,
    stall,
    post_issue,
    post_last,
    streaming,
    read_row,
    y,
    bias_ext,
    y_negative,
    py_negative,
    take,
    class_now,
    dst_next,
    z,
    q,
    act,
    is_last_layer,
    hidden_write,
    last_group,
);
