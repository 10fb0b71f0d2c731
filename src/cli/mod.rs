//! Command-line interface: one file per subcommand.

use anyhow::Result;
use clap::{Args, Parser, Subcommand, ValueEnum};
use sievingnet::config::{Coding, UnitConfig};

mod dot;
mod export;
mod infer;

/// SievingNet: a bit-plane dot product that sieves partial products too small
/// to matter, as a golden model, rust-hdl RTL and exported Verilog.
#[derive(Parser, Debug)]
#[command(name = "sievingnet", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run dot-product streams from a file of `a,w,thr,last` lines and print
    /// one JSON result per vector (SPEC section 7).
    Dot(dot::DotArgs),
    /// Write the sieving unit (or the exact baseline) as Verilog-2005 with a
    /// JSON manifest (SPEC section 6).
    Export(export::ExportArgs),
    /// Run a weight ROM's test set through the hardware (RTL or Verilog),
    /// checking every dot product against the golden model and every
    /// prediction against the ROM (SPEC section 8).
    Infer(infer::InferArgs),
    /// iCE40 area and timing (Yosys, nextpnr) of the sieving unit against the
    /// exact multiply-accumulate baseline: JSON, markdown table and SVG plot.
    /// FPGA estimates, not chip area or power.
    Area(sievingnet::eda::AreaArgs),
}

/// The unit's widths and coding (SPEC section 1).
#[derive(Args, Debug, Clone)]
pub struct UnitArgs {
    /// Activation width in bits, two's complement (2..=16).
    #[arg(long, default_value_t = 8)]
    pub a_bits: u32,
    /// Weight width in bits, two's complement (2..=16).
    #[arg(long, default_value_t = 8)]
    pub w_bits: u32,
    /// Threshold width in bits, two's complement (2..=8).
    #[arg(long, default_value_t = 8)]
    pub t_bits: u32,
    /// Accumulator width (a_bits + w_bits + 1 ..= 64) [default: 32, or 40 when a_bits + w_bits > 31].
    #[arg(long)]
    pub acc_bits: Option<u32>,
    /// Width of each counter output (8..=64); counters wrap.
    #[arg(long, default_value_t = 32)]
    pub cnt_bits: u32,
    /// Weight digit coding.
    #[arg(long, value_enum, default_value_t = CodingArg::Ternary)]
    pub coding: CodingArg,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodingArg {
    /// Sign-magnitude bit-planes (w_bits planes, digits 0/1).
    Binary,
    /// Non-adjacent form (w_bits + 1 planes, digits -1/0/+1).
    Ternary,
}

impl UnitArgs {
    pub fn config(&self) -> Result<UnitConfig> {
        let coding = match self.coding {
            CodingArg::Binary => Coding::Binary,
            CodingArg::Ternary => Coding::Ternary,
        };
        let mut b = UnitConfig::builder()
            .a_bits(self.a_bits)
            .w_bits(self.w_bits)
            .t_bits(self.t_bits)
            .cnt_bits(self.cnt_bits)
            .coding(coding);
        if let Some(acc) = self.acc_bits {
            b = b.acc_bits(acc);
        }
        Ok(b.build()?)
    }
}

pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Dot(args) => dot::run(args),
        Command::Export(args) => export::run(args),
        Command::Infer(args) => infer::run(args),
        Command::Area(args) => sievingnet::eda::run_cli(args),
    }
}
