//! Lane schedules of the accelerator on a ROM's real samples: how many
//! lane steps each dataflow takes, how many weight bits it reads per sample
//! and how many it must store. A model for choosing the next accelerator,
//! not a simulation of the built one (its measured clocks are the record).
//!
//! As in the built accelerator, neuron `j` belongs to lane `j mod N` and to
//! group `j / N`, and zero inputs cost nothing. A pair is *active* when the
//! golden sieve keeps at least one of its digits. Per layer and sample, with
//! `nz` non-zero inputs and `G = ceil(outputs / N)` groups:
//!
//! - `dense` (the built one): every group streams every non-zero input,
//!   `nz * G` steps, whatever the sieve keeps.
//! - `group_skip`: a group skips an input none of its lanes keeps a digit
//!   of. It needs, per (input, group), the lowest input exponent that
//!   activates a lane, a table built after the thresholds are loaded.
//! - `lane_prefix`: per input, each lane's neurons sorted by the exponent at
//!   which they start keeping digits, so the active ones are a prefix; the
//!   lanes walk their lists in lockstep, `max over lanes` of each lane's
//!   active pairs. It stores only pairs that some input can activate, each
//!   with its neuron's index; the SPEC's load order (thresholds after the
//!   weights) means the lists are built after the load, from a dense copy.
//! - `filtered`: the dense weights read a whole SPRAM word per clock (the
//!   weights of one input for `R = 64 / w` neurons, a super-group), each
//!   read's active pairs queued to the lane of their neuron
//!   (`(j mod R) mod N`); with queues deep enough, a super-group takes
//!   `max(nz, the busiest lane's active pairs)` steps. A bound: finite
//!   queues only add steps.
//! - `plane_major`: the seed's layout. Per input and plane super-group of
//!   `R` neurons, one SPRAM word per digit plane, most significant first
//!   (binary: one bit per neuron and a sign word, `R = 64`; ternary: a
//!   non-zero and a sign bit per neuron, `R = 32`), storing only the planes
//!   a weight of the ROM's width can use. The neurons take their slots in
//!   order of the ROM's thresholds (chosen at export; a slot table maps
//!   them back, and any loaded thresholds stay correct, only slower), so
//!   that a super-group's thresholds are close. A plane below every
//!   threshold of its super-group (`k < min T_j - e(a)`, from a table of
//!   each super-group's lowest threshold, built at load) is never read.
//!   Each kept digit is one shift-add on the lane of its slot
//!   (`(slot mod R) mod N`, a serial lane); with queues deep enough, a
//!   super-group takes `max(words read, the busiest lane's kept digits)`
//!   steps. A bound, like `filtered`.
//! - `ideal`: `ceil(active / N)`: every lane busy on every step.

use crate::config::Coding;
use crate::config::UnitConfig;
use crate::model::mlp::{argmax_first, IntMlp, LayerOutput};
use crate::model::stream::wrap_signed;
use crate::model::{exponent, sieve_pair};
use anyhow::{bail, Result};
use serde::Serialize;

/// Bits the UP5K's four SPRAM blocks hold, and read per clock side by side.
pub const UP5K_SPRAM_BITS: u64 = 4 * 256 * 1024;
pub const UP5K_SPRAM_PORT_BITS: u64 = 64;

/// Steps, weight bits read and bits stored of one dataflow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Schedule {
    /// Lane steps summed over the samples (fixed overheads excluded).
    pub steps: u64,
    /// Weight-memory bits read, summed over the samples.
    pub read_bits: u64,
    /// Weight-memory bits the layout stores.
    pub stored_bits: u64,
}

/// One layer's schedules, summed over the samples.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LayerFlow {
    pub inputs: usize,
    pub outputs: usize,
    pub nonzero_inputs: u64,
    pub active_pairs: u64,
    /// Pairs some input can activate (stored by `lane_prefix`).
    pub activatable_pairs: u64,
    pub dense: Schedule,
    pub group_skip: Schedule,
    pub lane_prefix: Schedule,
    pub filtered: Schedule,
    pub plane_major: Schedule,
    pub ideal: Schedule,
    /// Kept digits (the golden model's kept planes), the `plane_major`
    /// lanes' work.
    pub kept_digits: u64,
}

/// Every layer's schedules over `samples` samples.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Dataflows {
    pub lanes: usize,
    pub samples: usize,
    /// Whether every threshold was taken as `<= 0` (the exact network).
    pub exact: bool,
    pub layers: Vec<LayerFlow>,
}

fn bits_for(values: u64) -> u64 {
    u64::from(values.max(2).next_power_of_two().trailing_zeros())
}

/// One layer's shape in each dataflow, fixed before any sample runs.
struct Geometry {
    /// Stored bits of one weight (the ROM's width, packed in the SPRAM word).
    w_bits: u64,
    /// Groups of `N` neurons (dense, group_skip).
    groups: usize,
    /// Neurons whose weights one SPRAM word holds, and those super-groups
    /// (filtered).
    per_read: usize,
    supers: usize,
    /// A group_skip table entry: the lowest activating exponent, or none.
    table_bits: u64,
    /// A lane_prefix entry: the neuron's index within its lane, its weight.
    entry_bits: u64,
    /// An ideal entry: the neuron's index in the layer, its weight.
    ideal_bits: u64,
    /// plane_major: the digit planes stored, the words of one (input,
    /// super-group) with its sign word, the neurons of a word and the
    /// super-groups.
    planes: u32,
    plane_words: u64,
    plane_group: usize,
    plane_supers: usize,
    /// plane_major: each neuron's slot (in order of threshold, ties by
    /// index) and each super-group's lowest threshold.
    slot: Vec<usize>,
    lowest_thresholds: Vec<i64>,
}

impl Geometry {
    fn new(
        unit: &UnitConfig,
        outputs: usize,
        lanes: usize,
        threshold: impl Fn(usize) -> i64,
    ) -> Self {
        // The weight store packs each weight at the ROM's width.
        let w_bits = u64::from(unit.w_bits());
        let groups = outputs.div_ceil(lanes);
        let per_read = (UP5K_SPRAM_PORT_BITS / w_bits) as usize;
        // |w| <= 2^(w_bits-1) puts the top digit of either coding on plane
        // w_bits-1: the ternary form's extra plane is never used.
        let planes = unit.w_bits();
        let (plane_bits, sign_words) = match unit.coding() {
            Coding::Binary => (1, 1),
            Coding::Ternary => (2, 0),
        };
        let plane_group = (UP5K_SPRAM_PORT_BITS / plane_bits) as usize;
        let mut order: Vec<usize> = (0..outputs).collect();
        order.sort_by_key(|&j| threshold(j));
        let mut slot = vec![0; outputs];
        for (r, &j) in order.iter().enumerate() {
            slot[j] = r;
        }
        let lowest_thresholds = order
            .chunks(plane_group)
            .map(|c| {
                c.iter()
                    .map(|&j| threshold(j))
                    .min()
                    .expect("a non-empty chunk")
            })
            .collect();
        Self {
            w_bits,
            groups,
            per_read,
            supers: outputs.div_ceil(per_read),
            table_bits: bits_for(u64::from(unit.a_bits()) + 1),
            entry_bits: bits_for(groups as u64) + w_bits,
            ideal_bits: bits_for(outputs as u64) + w_bits,
            planes,
            plane_words: u64::from(planes) + sign_words,
            plane_group,
            plane_supers: outputs.div_ceil(plane_group),
            slot,
            lowest_thresholds,
        }
    }
}

impl Dataflows {
    /// Runs `samples` through `mlp` by the golden sieve (with every
    /// threshold `<= 0` when `exact`), counting each dataflow's steps.
    /// `expected` are the predictions the ROM records; a disagreement is an
    /// error, since the layer inputs would then be wrong.
    pub fn measure(
        mlp: &IntMlp,
        samples: &[Vec<i64>],
        expected: Option<&[usize]>,
        lanes: usize,
        exact: bool,
        mut progress: impl FnMut(usize),
    ) -> Result<Self> {
        if lanes == 0 {
            bail!("--lanes must be at least 1");
        }
        let unit = mlp.unit.with_wide_counters();
        let t_min = unit.t_range().0;
        let a_top = -(1i64 << (unit.a_bits() - 1)); // the largest exponent
        let threshold = |layer: &crate::model::mlp::IntLayer, j: usize| {
            if exact {
                t_min
            } else {
                layer.thresholds[j]
            }
        };
        let geometry: Vec<Geometry> = mlp
            .layers
            .iter()
            .map(|l| Geometry::new(&unit, l.outputs, lanes, |j| threshold(l, j)))
            .collect();
        let mut layers: Vec<LayerFlow> = Vec::new();
        for (layer, g) in mlp.layers.iter().zip(&geometry) {
            let (inputs, outputs) = (layer.inputs, layer.outputs);
            let groups = g.groups as u64;
            // Per input, the longest lane list of activatable pairs.
            let mut rows = vec![0u64; inputs];
            let mut activatable = 0u64;
            for (i, row) in rows.iter_mut().enumerate() {
                let mut per_lane = vec![0u64; lanes];
                for j in 0..outputs {
                    let w = layer.weights[j * inputs + i];
                    if sieve_pair(&unit, a_top, w, threshold(layer, j)).counts.kept > 0 {
                        per_lane[j % lanes] += 1;
                        activatable += 1;
                    }
                }
                *row = per_lane.into_iter().max().unwrap_or(0);
            }
            let dense_bits = groups * inputs as u64 * lanes as u64 * g.w_bits;
            let count_table = inputs as u64 * u64::from(unit.a_bits()) * bits_for(groups + 1);
            layers.push(LayerFlow {
                inputs,
                outputs,
                activatable_pairs: activatable,
                dense: Schedule {
                    stored_bits: dense_bits,
                    ..Default::default()
                },
                group_skip: Schedule {
                    stored_bits: dense_bits + inputs as u64 * groups * g.table_bits,
                    ..Default::default()
                },
                lane_prefix: Schedule {
                    stored_bits: rows.iter().sum::<u64>() * lanes as u64 * g.entry_bits
                        + count_table,
                    ..Default::default()
                },
                filtered: Schedule {
                    stored_bits: g.supers as u64 * inputs as u64 * UP5K_SPRAM_PORT_BITS,
                    ..Default::default()
                },
                plane_major: Schedule {
                    stored_bits: (g.plane_supers * inputs) as u64
                        * g.plane_words
                        * UP5K_SPRAM_PORT_BITS,
                    ..Default::default()
                },
                ideal: Schedule {
                    stored_bits: activatable * g.ideal_bits,
                    ..Default::default()
                },
                ..Default::default()
            });
        }

        for (s, input) in samples.iter().enumerate() {
            let mut act = input.clone();
            let mut prediction = None;
            for (li, layer) in mlp.layers.iter().enumerate() {
                let flow = &mut layers[li];
                let g = &geometry[li];
                let (groups, per_read) = (g.groups as u64, g.per_read);
                let mut sums = vec![0i128; layer.outputs];
                let mut lane_active = vec![0u64; lanes];
                let mut group_active = vec![false; g.groups];
                // Active pairs queued to each (super-group, lane).
                let mut queued = vec![0u64; g.supers * lanes];
                // plane_major: words read per super-group, kept digits
                // queued to each (super-group, lane).
                let mut plane_reads = vec![0u64; g.plane_supers];
                let mut digits_queued = vec![0u64; g.plane_supers * lanes];
                let mut nz = 0u64;
                for (i, &a) in act.iter().enumerate() {
                    if a == 0 {
                        continue;
                    }
                    lane_active.fill(0);
                    group_active.fill(false);
                    let mut active = 0u64;
                    let e = i64::from(exponent(a).expect("a non-zero input"));
                    for (reads, &lowest) in plane_reads.iter_mut().zip(&g.lowest_thresholds) {
                        // Planes k >= lowest - e, most significant first.
                        let skipped = (lowest - e).clamp(0, i64::from(g.planes)) as u64;
                        if skipped < u64::from(g.planes) {
                            *reads += g.plane_words - skipped;
                        }
                    }
                    for (j, sum) in sums.iter_mut().enumerate() {
                        let w = layer.weights[j * layer.inputs + i];
                        let r = sieve_pair(&unit, a, w, threshold(layer, j));
                        *sum += i128::from(r.product);
                        flow.kept_digits += r.counts.kept;
                        let slot = g.slot[j];
                        digits_queued
                            [(slot / g.plane_group) * lanes + (slot % g.plane_group) % lanes] +=
                            r.counts.kept;
                        if r.counts.kept > 0 {
                            queued[(j / per_read) * lanes + (j % per_read) % lanes] += 1;
                            active += 1;
                            lane_active[j % lanes] += 1;
                            group_active[j / lanes] = true;
                        }
                    }
                    let busy_groups = group_active.iter().filter(|&&g| g).count() as u64;
                    let prefix_steps = lane_active.iter().copied().max().unwrap_or(0);
                    let lanes64 = lanes as u64;
                    nz += 1;
                    flow.nonzero_inputs += 1;
                    flow.active_pairs += active;
                    flow.dense.steps += groups;
                    flow.dense.read_bits += groups * lanes64 * g.w_bits;
                    flow.group_skip.steps += busy_groups;
                    flow.group_skip.read_bits +=
                        busy_groups * lanes64 * g.w_bits + groups * g.table_bits;
                    flow.lane_prefix.steps += prefix_steps;
                    flow.lane_prefix.read_bits += prefix_steps * lanes64 * g.entry_bits;
                    flow.ideal.steps += active.div_ceil(lanes64);
                    flow.ideal.read_bits += active * g.ideal_bits;
                }
                for q in queued.chunks(lanes) {
                    flow.filtered.steps += nz.max(q.iter().copied().max().unwrap_or(0));
                }
                flow.filtered.read_bits += nz * g.supers as u64 * UP5K_SPRAM_PORT_BITS;
                for (&reads, q) in plane_reads.iter().zip(digits_queued.chunks(lanes)) {
                    flow.plane_major.steps += reads.max(q.iter().copied().max().unwrap_or(0));
                    flow.plane_major.read_bits += reads * UP5K_SPRAM_PORT_BITS;
                }
                let sums: Vec<i64> = sums
                    .into_iter()
                    .map(|x| wrap_signed(x, unit.acc_bits()))
                    .collect();
                match mlp.finish_layer(li, &sums) {
                    LayerOutput::Next(next) => act = next,
                    LayerOutput::Logits(logits) => prediction = Some(argmax_first(&logits)),
                }
            }
            let prediction = prediction.expect("the last layer gives logits");
            if let Some(exp) = expected.and_then(|e| e.get(s)) {
                if !exact && prediction != *exp {
                    bail!(
                        "sample {s}: the golden inference predicts {prediction}, the ROM records {exp}: the ROM's predictions file does not belong to its network"
                    );
                }
            }
            progress(s + 1);
        }
        Ok(Self {
            lanes,
            samples: samples.len(),
            exact,
            layers,
        })
    }

    /// The six schedules summed over the layers, in the order
    /// dense, group_skip, lane_prefix, filtered, plane_major, ideal.
    pub fn totals(&self) -> [(&'static str, Schedule); 6] {
        let mut out = [
            ("dense", Schedule::default()),
            ("group_skip", Schedule::default()),
            ("lane_prefix", Schedule::default()),
            ("filtered", Schedule::default()),
            ("plane_major", Schedule::default()),
            ("ideal", Schedule::default()),
        ];
        for l in &self.layers {
            for (slot, s) in out.iter_mut().zip([
                &l.dense,
                &l.group_skip,
                &l.lane_prefix,
                &l.filtered,
                &l.plane_major,
                &l.ideal,
            ]) {
                slot.1.steps += s.steps;
                slot.1.read_bits += s.read_bits;
                slot.1.stored_bits += s.stored_bits;
            }
        }
        out
    }

    /// A markdown table: per sample, lane steps, the clocks the UP5K's
    /// SPRAM port needs for the reads, and the bits stored.
    pub fn markdown(&self) -> String {
        let n = self.samples.max(1) as f64;
        let mut s = String::from(
            "| dataflow | lane steps / sample | weight bits read / sample | SPRAM-port clocks / sample | bits stored | fits UP5K SPRAM |\n|---|---|---|---|---|---|\n",
        );
        for (name, t) in self.totals() {
            s += &format!(
                "| {name} | {:.0} | {:.0} | {:.0} | {} | {} |\n",
                t.steps as f64 / n,
                t.read_bits as f64 / n,
                t.read_bits as f64 / n / UP5K_SPRAM_PORT_BITS as f64,
                t.stored_bits,
                if t.stored_bits <= UP5K_SPRAM_BITS {
                    "yes"
                } else {
                    "no"
                }
            );
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Coding;
    use crate::model::mlp::IntLayer;

    fn unit() -> UnitConfig {
        unit_of(Coding::Ternary)
    }

    fn unit_of(coding: Coding) -> UnitConfig {
        UnitConfig::builder()
            .a_bits(8)
            .w_bits(4)
            .coding(coding)
            .build()
            .unwrap()
    }

    /// One layer, 1 input, 4 neurons on 2 lanes: neuron j keeps a digit of
    /// `a` when `e(a) + top plane of w_j >= T_j`.
    fn layer(weights: Vec<i64>, thresholds: Vec<i64>) -> IntMlp {
        layer_of(Coding::Ternary, weights, thresholds)
    }

    fn layer_of(coding: Coding, weights: Vec<i64>, thresholds: Vec<i64>) -> IntMlp {
        let outputs = weights.len();
        IntMlp {
            unit: unit_of(coding),
            layers: vec![IntLayer {
                inputs: 1,
                outputs,
                weights,
                bias: vec![0; outputs],
                thresholds,
                shift: 0,
                relu: false,
            }],
        }
    }

    #[test]
    fn steps_count_by_hand() {
        // a = 8 (exponent 3); w = 1 (top plane 0) active iff T <= 3.
        // Neurons 0..4 on lanes 0,1,0,1 and groups 0,0,1,1.
        let mlp = layer(vec![1, 1, 1, 0], vec![3, 4, 2, 0]);
        let flows = Dataflows::measure(&mlp, &[vec![8]], None, 2, false, |_| {}).unwrap();
        let l = &flows.layers[0];
        assert_eq!(l.nonzero_inputs, 1);
        assert_eq!(l.active_pairs, 2); // neurons 0 and 2, both lane 0
        assert_eq!(l.dense.steps, 2);
        assert_eq!(l.group_skip.steps, 2); // each group has one active lane
        assert_eq!(l.lane_prefix.steps, 2); // lane 0 holds both
        assert_eq!(l.ideal.steps, 1);
        // One SPRAM word holds all 4 neurons; lane 0 queues both active pairs.
        assert_eq!(l.filtered.steps, 2);
        assert_eq!(l.filtered.read_bits, 64);
        // Exponent 7 activates neurons 0, 1, 2 (not the zero weight).
        assert_eq!(l.activatable_pairs, 3);
        // Zero input: nothing at all.
        let flows = Dataflows::measure(&mlp, &[vec![0]], None, 2, false, |_| {}).unwrap();
        assert_eq!(flows.layers[0].dense.steps, 0);
        // The exact network keeps every non-zero weight.
        let flows = Dataflows::measure(&mlp, &[vec![8]], None, 2, true, |_| {}).unwrap();
        let l = &flows.layers[0];
        assert_eq!(
            (l.active_pairs, l.group_skip.steps, l.lane_prefix.steps),
            (3, 2, 2)
        );
    }

    #[test]
    fn group_skip_skips_a_group_with_no_active_lane() {
        let mlp = layer(vec![1, 1, 1, 1], vec![3, 3, 9, 9]);
        let flows = Dataflows::measure(&mlp, &[vec![8]], None, 2, false, |_| {}).unwrap();
        let l = &flows.layers[0];
        assert_eq!((l.dense.steps, l.group_skip.steps), (2, 1));
        assert_eq!((l.lane_prefix.steps, l.ideal.steps), (1, 1));
        assert_eq!(l.filtered.steps, 1);
        // Read bits: one group of 2 lanes x 4 bits, plus the table of both
        // groups (4 bits each for exponents 0..=8).
        assert_eq!(l.group_skip.read_bits, 2 * 4 + 2 * 4);
    }

    #[test]
    fn filtered_takes_the_reads_or_the_busiest_lane() {
        // 2 inputs, 17 neurons of 4-bit weights: super-groups of 16 and 1.
        let net = |thr: i64| IntMlp {
            unit: unit(),
            layers: vec![IntLayer {
                inputs: 2,
                outputs: 17,
                weights: vec![1; 34],
                bias: vec![0; 17],
                thresholds: vec![thr; 17],
                shift: 0,
                relu: false,
            }],
        };
        let flows = Dataflows::measure(&net(0), &[vec![8, 8]], None, 4, false, |_| {}).unwrap();
        let l = &flows.layers[0];
        // Every pair active: 4 lanes take 4 x 2 pairs of super-group 0,
        // lane 0 the 2 of neuron 16 (two reads).
        assert_eq!(l.filtered.steps, 8 + 2);
        assert_eq!(l.filtered.read_bits, 2 * 2 * 64);
        assert_eq!((l.dense.steps, l.ideal.steps), (10, 10));
        // Nothing active: the reads remain.
        let flows = Dataflows::measure(&net(20), &[vec![8, 8]], None, 4, false, |_| {}).unwrap();
        let l = &flows.layers[0];
        assert_eq!((l.filtered.steps, l.dense.steps, l.ideal.steps), (4, 10, 0));
    }

    #[test]
    fn plane_major_skips_planes_below_every_threshold() {
        // a = 8 (exponent 3). Ternary 4-bit: NAF planes 0..=3 (m <= 8), two
        // bits per digit, no sign word. w = 5 (planes 0, 2) at T = 5 keeps
        // plane 2; w = 7 (planes 3 and 0) at T = 4 keeps plane 3. The lowest
        // threshold, 4, skips plane 0: 3 words of 4 are read.
        let run = |mlp: &IntMlp, lanes: usize, exact: bool| {
            let f = Dataflows::measure(mlp, &[vec![8]], None, lanes, exact, |_| {}).unwrap();
            f.layers[0].clone()
        };
        let mlp = layer(vec![5, 7], vec![5, 4]);
        let l = run(&mlp, 2, false);
        assert_eq!(l.kept_digits, 2);
        assert_eq!(l.plane_major.read_bits, 3 * 64);
        assert_eq!(l.plane_major.steps, 3); // the reads, not the lanes
        assert_eq!(l.plane_major.stored_bits, 4 * 64);
        // Thresholds above every plane: nothing read.
        let l = run(&layer(vec![5, 7], vec![20, 20]), 2, false);
        assert_eq!((l.plane_major.read_bits, l.plane_major.steps), (0, 0));
        // The exact network reads every plane and keeps every digit.
        let l = run(&mlp, 2, true);
        assert_eq!((l.plane_major.read_bits, l.kept_digits), (4 * 64, 4));

        // Binary 4-bit: planes 0..=3 and a sign word. w = 7 (planes 0, 1, 2)
        // at T = 4 keeps planes 1 and 2, w = 5 at T = 5 keeps plane 2; the
        // lowest threshold skips plane 0, leaving 3 planes and the sign.
        let l = run(&layer_of(Coding::Binary, vec![5, 7], vec![5, 4]), 1, false);
        assert_eq!((l.kept_digits, l.plane_major.read_bits), (3, 4 * 64));
        assert_eq!(l.plane_major.stored_bits, 5 * 64);
        assert_eq!(l.plane_major.steps, 4);
        // One lane, every digit kept: the lane binds, 3 x 3 digits.
        let l = run(&layer_of(Coding::Binary, vec![7; 3], vec![0; 3]), 1, false);
        assert_eq!((l.kept_digits, l.plane_major.steps), (9, 9));

        // Ternary, 6 neurons of 2 digits on 2 lanes, all kept: each lane
        // takes 3 neurons' 6 digits, more than the 4 reads.
        let l = run(&layer(vec![5; 6], vec![0; 6]), 2, false);
        assert_eq!((l.kept_digits, l.plane_major.steps), (12, 6));

        // 64 ternary neurons, thresholds alternating 0 and 20: in order of
        // threshold, the 32 low ones share super-group 0 (4 words) and
        // super-group 1 is never read (in index order both would be, 8).
        // Each of 4 lanes takes 8 kept neurons' 16 digits.
        let thresholds = (0..64).map(|j| if j % 2 == 0 { 0 } else { 20 }).collect();
        let l = run(&layer(vec![5; 64], thresholds), 4, false);
        assert_eq!(l.plane_major.read_bits, 4 * 64);
        assert_eq!((l.kept_digits, l.plane_major.steps), (64, 16));

        // 33 ternary neurons: super-groups of 32 and 1, each read by its own
        // lowest threshold. Only neuron 32 keeps digits.
        let mut thresholds = vec![20; 33];
        thresholds[32] = 0;
        let l = run(&layer(vec![5; 33], thresholds), 4, false);
        assert_eq!(l.plane_major.read_bits, 4 * 64);
        assert_eq!(l.plane_major.stored_bits, 2 * 4 * 64);
        assert_eq!((l.kept_digits, l.plane_major.steps), (2, 4));
    }

    /// plane_major stores `w_bits` planes: no weight of the width has a
    /// digit above them, in either coding.
    #[test]
    fn every_weight_fits_w_bits_planes() {
        for w_bits in 2..=8 {
            for coding in [Coding::Binary, Coding::Ternary] {
                let (lo, hi) = crate::config::signed_range(w_bits);
                for w in lo..=hi {
                    let d = crate::model::weight_digits(w, w_bits, coding);
                    let top = d.digits().iter().rposition(|&x| x != 0);
                    assert!(
                        top.is_none_or(|k| k < w_bits as usize),
                        "w {w}, {w_bits} bits, {coding}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_wrong_predictions_file_is_an_error() {
        let mlp = layer(vec![1, -1], vec![0, 0]);
        // Logits 8 and -8: the prediction is 0.
        assert!(Dataflows::measure(&mlp, &[vec![8]], Some(&[0]), 1, false, |_| {}).is_ok());
        let err = Dataflows::measure(&mlp, &[vec![8]], Some(&[1]), 1, false, |_| {})
            .unwrap_err()
            .to_string();
        assert!(err.contains("predicts 0"), "{err}");
    }
}
