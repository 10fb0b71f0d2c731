//! The area report's data (`area.json`): what was measured for each design
//! on each part. Pure data: the flow fills it, the markdown and plot
//! writers read it.

use crate::config::UnitConfig;
use anyhow::{bail, Result};
use serde::Serialize;
use std::collections::BTreeMap;

/// What the report says about its own numbers.
pub const MEANING: &str = "FPGA estimates from Yosys and nextpnr for Lattice iCE40 parts: \
LUT4, carry, flip-flop and DSP counts of the unit synthesized alone, placed logic cells and \
register-to-register Fmax of the unit inside a wrapper that registers every input and output. \
They are not a chip's area, timing or power. The CMOS transistor count is Yosys's estimate for \
the combinational gates of a generic library (flip-flops and wiring not included).";

/// An iCE40 part for nextpnr.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Device {
    Hx8k,
    Up5k,
}

impl Device {
    pub fn name(self) -> &'static str {
        match self {
            Device::Hx8k => "hx8k",
            Device::Up5k => "up5k",
        }
    }
    pub fn package(self) -> &'static str {
        match self {
            Device::Hx8k => "ct256",
            Device::Up5k => "sg48",
        }
    }
}

impl std::str::FromStr for Device {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "hx8k" => Ok(Device::Hx8k),
            "up5k" => Ok(Device::Up5k),
            other => bail!("device = {other:?} is not supported: allowed hx8k or up5k"),
        }
    }
}

/// Cells of `synth_ice40`, unit alone.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Ice40Cells {
    pub lut4: u64,
    pub carry: u64,
    /// Every `SB_DFF*` flavour.
    pub dff: u64,
    /// `SB_RAM40_4K`.
    pub ram: u64,
    /// `SB_MAC16`.
    pub dsp: u64,
    pub by_type: BTreeMap<String, u64>,
}

/// Technology-independent figures from Yosys's generic gates.
#[derive(Clone, Debug, Default, Serialize)]
pub struct GenericGates {
    /// Two-input gates (AND, NAND, OR, NOR, XOR, XNOR), 2:1 MUXes and NOTs
    /// after `abc -g AND,NAND,OR,NOR,XOR,XNOR,MUX`.
    pub gates: u64,
    /// Flip-flops (every `$_*DFF*` cell).
    pub flip_flops: u64,
    /// `stat -tech cmos` after `abc -g cmos2`: transistors of the
    /// combinational gates only.
    pub cmos_transistors: u64,
    pub by_type: BTreeMap<String, u64>,
}

/// nextpnr results of one design on one part.
#[derive(Clone, Debug, Serialize)]
pub struct Placement {
    pub device: Device,
    pub package: &'static str,
    pub seeds: Vec<u64>,
    /// Achieved Fmax per seed, MHz, in the order of `seeds`.
    pub fmax_mhz: Vec<f64>,
    pub median_fmax_mhz: Option<f64>,
    /// `ICESTORM_LC` used, wrapper included (same for every seed).
    pub logic_cells: Option<u64>,
    pub logic_cells_available: Option<u64>,
    /// The register-to-register critical path of the first seed, as
    /// `start cell -> end cell` (nextpnr's cell names), to show what limits Fmax.
    pub critical_path: Option<String>,
    /// Why it was not placed (e.g. it does not fit the part).
    pub error: Option<String>,
}

/// Everything measured for one design.
#[derive(Clone, Debug, Serialize)]
pub struct DesignReport {
    pub name: String,
    pub kind: String,
    pub config: UnitConfig,
    pub verilog: String,
    /// `files::content_hash` of the Verilog file measured: a test re-exports
    /// the design and fails when the shipped report measured other Verilog.
    pub verilog_hash: String,
    pub top: String,
    pub dsp: bool,
    pub ice40: Ice40Cells,
    pub generic: GenericGates,
    /// Cells per block of the unit, from `synth_ice40 -noflatten` (see
    /// [`block_breakdown`](crate::eda::yosys::block_breakdown)).
    pub blocks: BTreeMap<String, BlockCells>,
    pub placements: Vec<Placement>,
}

/// The iCE40 cells of one block, its sub-blocks included.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct BlockCells {
    pub lut4: u64,
    pub carry: u64,
    pub dff: u64,
}

impl BlockCells {
    pub(crate) fn add_scaled(&mut self, o: &BlockCells, n: u64) {
        self.lut4 += o.lut4 * n;
        self.carry += o.carry * n;
        self.dff += o.dff * n;
    }
}

impl DesignReport {
    pub fn placement(&self, device: Device) -> Option<&Placement> {
        self.placements.iter().find(|p| p.device == device)
    }
}

/// The whole report, as written to `area.json`.
#[derive(Clone, Debug, Serialize)]
pub struct AreaReport {
    pub format: &'static str,
    pub version: u32,
    pub meaning: &'static str,
    /// The commit of the code that exported the designs and ran the flow
    /// (`-modified` if the tree had uncommitted changes).
    pub commit: String,
    /// The command line that made the report.
    pub command: String,
    pub yosys_version: String,
    pub nextpnr_version: String,
    pub seeds: Vec<u64>,
    pub target_mhz: f64,
    pub wrapper: &'static str,
    pub designs: Vec<DesignReport>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_parse_and_name_the_allowed_ones() {
        assert_eq!("up5k".parse::<Device>().unwrap(), Device::Up5k);
        let e = "hx1k".parse::<Device>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "device = \"hx1k\" is not supported: allowed hx8k or up5k"
        );
    }
}
