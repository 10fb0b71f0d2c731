//! `sievingnet export-mlp`: write the whole-network accelerator for a ROM
//! as Verilog (SPEC section 9).

use anyhow::{Context, Result};
use clap::Args;
use sievingnet::design::Arch;
use sievingnet::export::mlp::export_mlp_to;
use sievingnet::rom::read_rom;
use sievingnet::rtl::mlp::MlpShape;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct ExportMlpArgs {
    /// ROM directory (SPEC section 8): its shapes, unit, shifts and ReLUs are
    /// fixed in the Verilog; weights, biases and thresholds come through the
    /// load port.
    #[arg(long)]
    pub rom: PathBuf,
    /// The lanes: sieving units (`parallel`, `serial`) or exact
    /// multiply-accumulate units (`mac`, which computes the exact network).
    #[arg(long, value_enum, default_value_t = Arch::Parallel)]
    pub arch: Arch,
    /// Lanes working at once (neurons computed together), 1 to 32.
    #[arg(long, default_value_t = 4)]
    pub lanes: usize,
    /// Add the plane counters (`parallel` and `serial`): ports `out_zero_a`,
    /// `out_zero_w`, `out_sieved`, `out_kept` after SPEC section 9's, each
    /// sample's SPEC section 4 counts over every layer, valid with
    /// `out_valid`. They cost logic cells and no clock.
    #[arg(long)]
    pub counters: bool,
    /// Also write a board top `{top}_board` that loads the values from SPI
    /// flash at this byte offset after reset (`X_flash.v`, compiled with
    /// `X.v`), and the flash image to write there (`X_flash.bin`), e.g.
    /// `--flash-offset 0x100000` past a UP5K bitstream.
    #[arg(long, value_parser = parse_offset)]
    pub flash_offset: Option<u64>,
    /// Name of the top module.
    #[arg(long, default_value = "sieve_mlp")]
    pub top: String,
    /// Test samples the rust-hdl simulation runs to measure the cycles per
    /// sample for the manifest (0 = none).
    #[arg(long, default_value_t = 8)]
    pub measure: usize,
    /// Output Verilog file (`.v`); the manifest is written next to it as `.json`.
    #[arg(long)]
    pub out: PathBuf,
}

pub fn run(args: ExportMlpArgs) -> Result<()> {
    let rom = read_rom(&args.rom)
        .with_context(|| format!("cannot read the ROM in {}", args.rom.display()))?;
    let mut shape = MlpShape::of_rom(&rom, args.arch, args.lanes)?;
    if args.counters {
        shape = shape.with_counters()?;
    }
    let m = export_mlp_to(
        &rom,
        &shape,
        &args.top,
        &args.out,
        args.measure,
        args.flash_offset,
    )?;
    eprintln!(
        "wrote {} (top {}, {} x {}{}, {} load values{}) and its manifest",
        args.out.display(),
        m.top,
        m.lanes,
        m.arch.name(),
        if args.counters { " with counters" } else { "" },
        m.load_words,
        m.cycles
            .measured_cycles_per_sample
            .map(|c| format!(
                ", {c:.0} clocks per sample measured on {} test samples",
                m.cycles.measured_samples
            ))
            .unwrap_or_default()
    );
    if let Some(f) = &m.flash {
        eprintln!(
            "wrote {} (top {}, SPI flash loader) and {} ({} bytes for flash offset {:#x}; {} clocks from reset to loaded)",
            f.verilog, f.board_top, f.image, f.image_bytes, f.offset, f.load_clocks
        );
    }
    Ok(())
}

/// A byte offset in decimal or `0x` hex.
pub(super) fn parse_offset(s: &str) -> Result<u64, String> {
    let parsed = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => s.parse(),
    };
    parsed.map_err(|_| {
        format!("{s:?} is not a byte offset: write it in decimal or as 0x hex, e.g. 0x100000")
    })
}
