//! Command-line interface: one file per subcommand.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

mod area;
mod area_mlp;
mod dataflow;
mod dot;
mod export;
mod export_mlp;
mod infer;
mod power;
mod power_mlp;
mod presets;

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
    /// Write the whole-network accelerator for a weight ROM as Verilog-2005
    /// with a JSON manifest (SPEC section 9).
    ExportMlp(export_mlp::ExportMlpArgs),
    /// Run a weight ROM's test set through the hardware (RTL or Verilog),
    /// checking every dot product against the golden model and every
    /// prediction against the ROM (SPEC section 8).
    Infer(infer::InferArgs),
    /// iCE40 area and timing (Yosys, nextpnr) of the sieving unit against the
    /// exact multiply-accumulate baseline: JSON, markdown table and SVG plot.
    /// FPGA estimates, not chip area or power.
    Area(area::AreaArgs),
    /// iCE40 area, Fmax and inferences per second of the whole-network
    /// accelerator of a ROM (synth_ice40, nextpnr, Verilator).
    AreaMlp(area_mlp::AreaMlpArgs),
    /// Lane steps, weight-memory reads and stored bits of accelerator
    /// dataflows (the built dense one, group skipping, per-lane prefixes,
    /// filtered reads, plane-major weights, ideal) on a ROM's test samples:
    /// which idle pairs become saved clocks.
    Dataflow(dataflow::DataflowArgs),
    /// Switching activity of the units on a ROM's real streams: toggles of
    /// the mapped iCE40 netlist (Yosys, Verilator), sieve on and off, against
    /// the exact MAC. A relative proxy for dynamic energy, not milliwatts.
    Power(power::PowerArgs),
    /// Switching activity of the whole accelerator on a ROM's test samples:
    /// toggles of its mapped UP5K netlist and the reads and writes of every
    /// memory, sieving lanes against exact MACs.
    PowerMlp(power_mlp::PowerMlpArgs),
    /// List the named unit configurations (`--preset`): widths, purpose, and
    /// the designs shipped in hdl/.
    Presets(presets::PresetsArgs),
}

/// The command line as a report records it: `sievingnet` and its arguments.
fn command_line() -> String {
    std::iter::once("sievingnet".to_string())
        .chain(std::env::args().skip(1))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The folder for a command's intermediate files: `--work-dir` when given
/// (kept), else a temporary folder, removed when the returned guard drops.
fn work_folder(
    work_dir: &Option<std::path::PathBuf>,
) -> Result<(tempfile::TempDir, std::path::PathBuf)> {
    let tmp = tempfile::tempdir().context("cannot create a temporary folder")?;
    let work = work_dir.clone().unwrap_or_else(|| tmp.path().to_path_buf());
    Ok((tmp, work))
}

pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Dot(args) => dot::run(args),
        Command::Export(args) => export::run(args),
        Command::ExportMlp(args) => export_mlp::run(args),
        Command::Infer(args) => infer::run(args),
        Command::Area(args) => area::run(args),
        Command::AreaMlp(args) => area_mlp::run(args),
        Command::Dataflow(args) => dataflow::run(args),
        Command::Power(args) => power::run(args),
        Command::PowerMlp(args) => power_mlp::run(args),
        Command::Presets(args) => presets::run(args),
    }
}
