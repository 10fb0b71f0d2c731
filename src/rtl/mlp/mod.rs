//! The whole-network accelerator `sieve_mlp` (SPEC section 9) in rust-hdl.
//!
//! * [`memory`]: the single-port memories (block RAM or SPRAM).
//! * [`accelerator`]: the block, its ports, memories and registers.
//! * [`kernel`]: its HDL kernel, one per lane type.
//! * [`lane`]: the lean MAC lane, masked (`--arch masked`) or exact (`--arch mac`).
//! * [`counters`]: the optional per-sample plane counters.
//! * [`sim`]: a cycle-by-cycle driver for the rust-hdl simulation.
//!
//! The shapes, shifts and ReLUs of a ROM are fixed at export ([`MlpShape`]);
//! weights, biases and thresholds come through the load port. Lanes are the
//! units of section 6 (`parallel` and `serial`, with counters only when the
//! accelerator has them) or the lean lane (`masked`, and the exact `mac`)
//! at the ROM's `a_bits` and the lane weight width
//! ([`MlpShape::lane_w_bits`]: 4 or 8; narrower weights are sign-extended,
//! which leaves every product and every sieve decision unchanged). The
//! weight memory stores each weight at the ROM's width, so 5-bit weights
//! give 12 lanes one 64-bit SPRAM word, not 8.

pub mod accelerator;
pub mod counters;
pub mod flash;
pub mod generate;
pub mod kernel;
pub mod lane;
pub mod memory;
pub mod sim;

use crate::config::{Coding, UnitConfig};
use crate::design::Arch;
use crate::rom::Rom;
use anyhow::{bail, Result};
use serde::Serialize;

/// Bits of a feature index and of the per-layer counts (layers up to
/// 4,095 inputs and outputs).
pub const INDEX_BITS: usize = 12;
/// Bits of a weight-bank address (up to 2^20 weights per lane).
pub const ADDR_BITS: usize = 20;
/// Bits of a threshold-bank address (groups of `N` neurons).
pub const THR_ADDR_BITS: usize = 12;
/// Bits of a bias address (neurons of the whole network).
pub const BIAS_ADDR_BITS: usize = 14;
/// Bits of a lane index.
pub const LANE_BITS: usize = 5;
/// Bits of a layer index (up to 8 layers).
pub const LAYER_BITS: usize = 3;
/// Lanes the export builds (a lane index is `LANE_BITS` wide).
pub const MAX_LANES: usize = 32;
/// `mac` and `masked` lanes that multiply with `*` (a DSP each on the UP5K, which has 8);
/// the others multiply by shift-adds in logic cells.
pub const DSP_LANES: usize = 8;

/// One layer as the hardware fixes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LayerShape {
    pub inputs: usize,
    pub outputs: usize,
    pub shift: u32,
    pub relu: bool,
}

impl LayerShape {
    /// The shift the requantizer applies: for `shift >= 34` the rounded
    /// value `y + 2^33` is positive and below `2^34`, so shifting by 40
    /// gives the 0 that SPEC section 8 gives.
    pub fn hw_shift(&self) -> u32 {
        if self.shift >= 34 {
            40
        } else {
            self.shift
        }
    }

    /// The rounding constant added before the shift: `2^(shift-1)`, 0 for
    /// shift 0, `2^33` for shifts of 34 and more (see [`Self::hw_shift`]).
    pub fn hw_round(&self) -> u64 {
        match self.shift {
            0 => 0,
            s if s >= 34 => 1 << 33,
            s => 1 << (s - 1),
        }
    }
}

/// What an exported accelerator is built for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MlpShape {
    pub arch: Arch,
    pub lanes: usize,
    pub a_bits: u32,
    /// The ROM's weight width (values are loaded sign-extended).
    pub w_bits: u32,
    pub coding: Coding,
    pub layers: Vec<LayerShape>,
    /// Lanes with counters and the per-sample counter outputs
    /// ([`counters`]); without them the Verilog has neither.
    pub counters: bool,
}

/// Words in each memory of the accelerator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct MemoryDepths {
    /// Per lane bank: `sum ceil(outputs / N) * inputs`.
    pub weights: usize,
    /// Per lane bank: `sum ceil(outputs / N)`.
    pub thresholds: usize,
    /// `sum outputs`.
    pub biases: usize,
    /// Each of the two input buffers: the first layer's inputs.
    pub input: usize,
    /// Each of the two hidden buffers: the widest hidden layer (1 if none).
    pub hidden: usize,
}

impl MlpShape {
    /// The accelerator of `rom` with `lanes` lanes of `arch`, or an error
    /// naming what the export does not build.
    pub fn of_rom(rom: &Rom, arch: Arch, lanes: usize) -> Result<Self> {
        let unit = &rom.mlp.unit;
        if !(1..=MAX_LANES).contains(&lanes) {
            bail!("--lanes {lanes} cannot be built: allowed 1 to {MAX_LANES}");
        }
        if ![4, 8].contains(&unit.a_bits()) {
            bail!(
                "the accelerator builds a_bits 4 or 8; this ROM has a_bits = {}",
                unit.a_bits()
            );
        }
        if !(2..=8).contains(&unit.w_bits()) {
            bail!(
                "the accelerator builds w_bits 2 to 8; this ROM has w_bits = {}",
                unit.w_bits()
            );
        }
        if unit.t_bits() != 8 || unit.acc_bits() != 32 {
            bail!(
                "the accelerator builds t_bits 8 and acc_bits 32; this ROM has t_bits = {} and acc_bits = {}",
                unit.t_bits(),
                unit.acc_bits()
            );
        }
        let layers = &rom.mlp.layers;
        if layers.is_empty() || layers.len() > 1 << LAYER_BITS {
            bail!(
                "the accelerator builds 1 to {} layers; this ROM has {}",
                1 << LAYER_BITS,
                layers.len()
            );
        }
        let last = layers.last().expect("checked non-empty");
        if last.outputs > 256 {
            bail!(
                "the last layer has {} outputs: the accelerator's out_class is 8 bits, so at most 256",
                last.outputs
            );
        }
        let max_width = (1 << INDEX_BITS) - 1;
        for (i, l) in layers.iter().enumerate() {
            if l.inputs > max_width || l.outputs > max_width {
                bail!(
                    "layer {i} is {}x{}: the accelerator builds layers of at most {max_width} inputs and outputs",
                    l.inputs,
                    l.outputs
                );
            }
        }
        let shape = Self {
            arch,
            lanes,
            a_bits: unit.a_bits(),
            w_bits: unit.w_bits(),
            coding: unit.coding(),
            layers: layers
                .iter()
                .map(|l| LayerShape {
                    inputs: l.inputs,
                    outputs: l.outputs,
                    shift: l.shift,
                    relu: l.relu,
                })
                .collect(),
            counters: false,
        };
        let d = shape.memory_depths();
        for (what, depth, bits) in [
            ("weights per lane", d.weights, ADDR_BITS),
            ("thresholds per lane", d.thresholds, THR_ADDR_BITS),
            ("biases", d.biases, BIAS_ADDR_BITS),
        ] {
            if depth > 1 << bits {
                bail!(
                    "{depth} {what} do not fit the accelerator's {bits}-bit addresses: use more lanes or a smaller network"
                );
            }
        }
        Ok(shape)
    }

    /// This accelerator with the plane counters, or an error for `mac`
    /// lanes, which have no sieve to count.
    pub fn with_counters(mut self) -> Result<Self> {
        match self.arch {
            Arch::Mac => bail!(
                "counters count the sieve's planes: the exact `mac` lanes have none (use --arch parallel or serial)"
            ),
            Arch::Masked => bail!(
                "the lean `masked` lanes have no counters (use --arch parallel or serial, which count the same sieve)"
            ),
            Arch::Parallel | Arch::Serial => {}
        }
        self.counters = true;
        Ok(self)
    }

    /// The lanes' weight width: the ROM's, rounded up to a built unit.
    pub fn lane_w_bits(&self) -> u32 {
        crate::design::accelerator_lane_w_bits(self.w_bits)
    }

    /// The configuration of each lane's unit.
    pub fn lane_config(&self) -> UnitConfig {
        UnitConfig::new(self.a_bits, self.lane_w_bits(), 8, 32, 32, self.coding)
            .expect("a lane configuration is a preset")
    }

    fn groups(&self, outputs: usize) -> usize {
        outputs.div_ceil(self.lanes)
    }

    pub fn memory_depths(&self) -> MemoryDepths {
        let hidden = self.layers[..self.layers.len() - 1]
            .iter()
            .map(|l| l.outputs)
            .max()
            .unwrap_or(1);
        MemoryDepths {
            weights: self
                .layers
                .iter()
                .map(|l| self.groups(l.outputs) * l.inputs)
                .sum::<usize>()
                .max(1),
            thresholds: self
                .layers
                .iter()
                .map(|l| self.groups(l.outputs))
                .sum::<usize>()
                .max(1),
            biases: self.layers.iter().map(|l| l.outputs).sum(),
            input: self.layers[0].inputs,
            hidden,
        }
    }

    /// Values the load port takes: every layer's weights, biases and
    /// thresholds.
    pub fn load_words(&self) -> usize {
        self.layers.iter().map(|l| l.outputs * (l.inputs + 2)).sum()
    }
}

/// The load port's values for `rom`, in SPEC section 9's order, as 32-bit
/// two's complement words.
pub fn load_stream(rom: &Rom) -> Vec<i64> {
    let mut out = Vec::new();
    for l in &rom.mlp.layers {
        out.extend(&l.weights);
        out.extend(&l.bias);
        out.extend(&l.thresholds);
    }
    out
}

/// Expands `$body` with `$acc` bound to a freshly built accelerator for
/// `$shape` (lanes of its arch, at its widths).
#[macro_export]
macro_rules! with_mlp {
    ($shape:expr, $acc:ident => $body:expr) => {{
        let shape: &$crate::rtl::mlp::MlpShape = $shape;
        let cfg = shape.lane_config();
        match (shape.a_bits, shape.lane_w_bits()) {
            (4, 4) => $crate::with_mlp!(@arch shape, cfg, 4, 4, $acc => $body),
            (4, 8) => $crate::with_mlp!(@arch shape, cfg, 4, 8, $acc => $body),
            (8, 4) => $crate::with_mlp!(@arch shape, cfg, 8, 4, $acc => $body),
            (8, 8) => $crate::with_mlp!(@arch shape, cfg, 8, 8, $acc => $body),
            (a, w) => unreachable!("MlpShape::of_rom admits a_bits {a} and lane w_bits {w}"),
        }
    }};
    (@arch $shape:ident, $cfg:ident, $a:literal, $w:literal, $acc:ident => $body:expr) => {{
        // The lanes' units at t_bits 8, acc_bits 32, cnt_bits 32.
        $crate::unit_type_aliases!(Sieve, Mac, Serial; $a, $w, 8, 32, 32);
        match $shape.arch {
            $crate::design::Arch::Parallel => {
                #[allow(unused_mut)]
                let mut $acc = $crate::rtl::mlp::accelerator::SieveMlp::<Sieve, $a, $w>::new(
                    $shape,
                    |_| Sieve::new(&$cfg, $shape.counters),
                );
                $body
            }
            $crate::design::Arch::Serial => {
                #[allow(unused_mut)]
                let mut $acc = $crate::rtl::mlp::accelerator::SieveMlp::<Serial, $a, $w>::new(
                    $shape,
                    |_| Serial::new(&$cfg, $shape.counters),
                );
                $body
            }
            $crate::design::Arch::Mac | $crate::design::Arch::Masked => {
                // The lean lane, exact for `mac`; lanes beyond the UP5K's
                // DSPs multiply in logic cells.
                type Lean = $crate::rtl::mlp::lane::LeanMac<
                    $a,
                    $w,
                    { $crate::rtl::ceil_log2($a) },
                    { $crate::rtl::mlp::lane::T_BITS + 1 },
                    { $w + 1 },
                    { $a + $w },
                    { $crate::rtl::mlp::lane::lean_acc_bits($a, $w) },
                >;
                #[allow(unused_mut)]
                let mut $acc = $crate::rtl::mlp::accelerator::SieveMlp::<Lean, $a, $w>::new(
                    $shape,
                    |lane| {
                        let mut lean = Lean::new($shape.coding == $crate::config::Coding::Ternary)
                            .weight_bits($shape.w_bits as usize);
                        if $shape.arch == $crate::design::Arch::Mac {
                            lean = lean.exact();
                        }
                        if lane >= $crate::rtl::mlp::DSP_LANES {
                            lean = lean.lut_products();
                        }
                        lean
                    },
                );
                $body
            }
        }
    }};
}
pub use with_mlp;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rom::read_rom;
    use std::path::Path;

    #[test]
    fn iris_fixture_runs_bit_exact_in_rust_hdl() {
        let rom =
            read_rom(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/iris_rom")).unwrap();
        let t = rom.test_set.as_ref().unwrap();
        for arch in Arch::ALL {
            for lanes in [1, 3] {
                let shape = MlpShape::of_rom(&rom, arch, lanes).unwrap();
                let run = sim::run_mlp(
                    &shape,
                    &load_stream(&rom),
                    &t.inputs,
                    &sim::MlpPacing::default(),
                )
                .unwrap();
                eprintln!(
                    "{arch:?} {lanes}: {:.1} cycles/sample",
                    run.cycles_per_sample()
                );
                if arch != Arch::Mac {
                    assert_eq!(run.predictions, t.predictions, "{arch:?} lanes {lanes}");
                }
            }
        }
    }

    #[test]
    fn iris_fixture_counts_in_rust_hdl_as_the_model() {
        let rom =
            read_rom(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/iris_rom")).unwrap();
        let t = rom.test_set.as_ref().unwrap();
        let want = crate::rom::expected_counts(&rom, &t.inputs, 32);
        for arch in [Arch::Parallel, Arch::Serial] {
            for lanes in [1, 3] {
                let plain = MlpShape::of_rom(&rom, arch, lanes).unwrap();
                let shape = plain.clone().with_counters().unwrap();
                let pacing = sim::MlpPacing::default();
                let run = sim::run_mlp(&shape, &load_stream(&rom), &t.inputs, &pacing).unwrap();
                assert_eq!(run.predictions, t.predictions, "{arch:?} lanes {lanes}");
                assert_eq!(run.counts, want, "{arch:?} lanes {lanes}");
                // Counting costs no clock.
                let bare = sim::run_mlp(&plain, &load_stream(&rom), &t.inputs, &pacing).unwrap();
                assert!(bare.counts.is_empty());
                assert_eq!(
                    bare.result_cycles, run.result_cycles,
                    "{arch:?} lanes {lanes}"
                );
            }
        }
    }

    /// Without counters the Verilog has SPEC section 9's ports and no trace
    /// of the counting logic; with them, the four counter ports follow.
    #[test]
    fn counters_exist_in_the_verilog_only_when_asked() {
        let rom =
            read_rom(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/iris_rom")).unwrap();
        let spec_ports = "module sieve_mlp(clock,reset,load_valid,load_ready,load_data,in_valid,\
                          in_ready,in_x,in_last,out_valid,out_class";
        for arch in Arch::ALL {
            let shape = MlpShape::of_rom(&rom, arch, 2).unwrap();
            let plain = generate::generate_mlp(&shape, "sieve_mlp").unwrap();
            assert!(plain.contains(&format!("{spec_ports});")), "{arch:?}");
            for trace in ["counters$", "lane_zero_w", "lane_kept", "out_zero_a$0"] {
                assert!(!plain.contains(trace), "{arch:?}: {trace}");
            }
            if !arch.counts() {
                assert!(shape.with_counters().is_err());
                continue;
            }
            let counted =
                generate::generate_mlp(&shape.with_counters().unwrap(), "sieve_mlp").unwrap();
            assert!(counted.contains(&format!(
                "{spec_ports},out_zero_a,out_zero_w,out_sieved,out_kept);"
            )));
            assert!(counted.contains("counters$0") && !counted.contains("out_zero_a$0"));
        }
    }
}

/// `SieveMlp`'s `Block` impl lists its fields by hand: a field left out
/// would be neither simulated nor written out. Every field is listed.
#[cfg(test)]
#[test]
fn block_impl_lists_every_field() {
    let src = include_str!("accelerator.rs");
    let body = &src[src.find("pub struct SieveMlp").unwrap()..];
    let body = &body[..body.find("\n}\n").unwrap()];
    let fields: Vec<&str> = body
        .lines()
        .filter_map(|l| {
            let l = l
                .trim_start()
                .trim_start_matches("pub(super) ")
                .trim_start_matches("pub ");
            let (name, _) = l.split_once(':')?;
            (!name.contains(' ') && !name.starts_with("//")).then_some(name)
        })
        .collect();
    let list = &src[src.find("impl_block!(").unwrap()..];
    let list = &list[..list.find(");").unwrap()];
    let listed: Vec<&str> = list["impl_block!(".len()..]
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    assert!(fields.len() > 100, "{}", fields.len());
    assert_eq!(fields, listed);
}
