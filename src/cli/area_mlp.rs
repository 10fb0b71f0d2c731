//! `sievingnet area-mlp`: area, Fmax and inferences per second of the
//! whole-network accelerator of a ROM on iCE40 parts.

use anyhow::{bail, Context, Result};
use clap::Args;
use sievingnet::design::Arch;
use sievingnet::eda::accelerator::{accelerator_area, accelerator_markdown, AcceleratorExtras};
use sievingnet::eda::area::tool_versions;
use sievingnet::eda::Device;
use sievingnet::files::{content_hash, write_atomic_all};
use sievingnet::rom::read_rom;
use sievingnet::toolchain::source_commit;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct AreaMlpArgs {
    /// ROM directory (SPEC section 8) with a test set.
    #[arg(long)]
    pub rom: PathBuf,
    /// Lane architectures to build, comma-separated.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "parallel,serial,mac"
    )]
    pub arch: Vec<Arch>,
    /// Lanes of each accelerator, 1 to 32.
    #[arg(long, default_value_t = 4)]
    pub lanes: usize,
    /// Build the sieving accelerators with their plane counters
    /// (`export-mlp --counters`; `mac` is built without).
    #[arg(long)]
    pub counters: bool,
    /// Place the board top of `export-mlp --flash-offset` (the SPI flash
    /// loader at this byte offset included, every port on a pin) instead
    /// of the accelerator in a four-pin wrapper.
    #[arg(long, value_parser = super::export_mlp::parse_offset)]
    pub flash_offset: Option<u64>,
    /// iCE40 parts, comma-separated: up5k, hx8k.
    #[arg(long, value_delimiter = ',', default_value = "up5k")]
    pub devices: Vec<String>,
    /// nextpnr placement seeds (the median Fmax is reported).
    #[arg(long, value_delimiter = ',', default_value = "1,2,3")]
    pub seeds: Vec<u64>,
    /// Test samples run in Verilator for the clocks per sample.
    #[arg(long, default_value_t = 500)]
    pub samples: usize,
    /// Output folder: accelerator.json and accelerator.md.
    #[arg(long, default_value = "reports/accelerator")]
    pub out: PathBuf,
    /// Keep the intermediate files (Verilog, Yosys and nextpnr logs and
    /// netlists, one folder per design) here instead of a temporary folder.
    #[arg(long)]
    pub work_dir: Option<PathBuf>,
}

pub fn run(args: AreaMlpArgs) -> Result<()> {
    // The sources measured are those of the start: the tree may change
    // during a long run.
    let commit = source_commit();
    let rom = read_rom(&args.rom)
        .with_context(|| format!("cannot read the ROM in {}", args.rom.display()))?;
    let devices = args
        .devices
        .iter()
        .map(|d| d.parse::<Device>())
        .collect::<Result<Vec<_>>>()?;
    if args.seeds.is_empty() || args.arch.is_empty() || devices.is_empty() {
        bail!("--arch, --devices and --seeds each need at least one value");
    }
    let (yosys, nextpnr) = tool_versions(true)?;
    let (_tmp, work) = super::work_folder(&args.work_dir)?;
    let mut reports = Vec::new();
    for &device in &devices {
        for &arch in &args.arch {
            eprintln!(
                "[{}/{}] {} x {} on {}: synth_ice40, nextpnr seeds {:?}, Verilator on {} samples",
                reports.len() + 1,
                devices.len() * args.arch.len(),
                args.lanes,
                arch.name(),
                device.name(),
                args.seeds,
                args.samples
            );
            let dir = work.join(format!("{}-{}", device.name(), arch.name()));
            reports.push(accelerator_area(
                &rom,
                arch,
                args.lanes,
                AcceleratorExtras {
                    counters: args.counters && arch.counts(),
                    flash_offset: args.flash_offset,
                },
                device,
                &args.seeds,
                args.samples,
                &dir,
            )?);
        }
    }
    let model = std::fs::read(args.rom.join("model.json"))?;
    let json = serde_json::json!({
        "format": "sievingnet-accelerator-area",
        "version": 1,
        "commit": commit,
        "command": super::command_line(),
        "yosys": yosys,
        "nextpnr": nextpnr,
        "rom": args.rom.display().to_string(),
        "rom_model_hash": content_hash(&model),
        "layers": rom.mlp.layers.iter().map(|l| format!("{}x{}", l.inputs, l.outputs)).collect::<Vec<_>>(),
        "unit": rom.mlp.unit,
        "accelerators": reports,
    });
    let md = format!(
        "# Accelerator area and throughput\n\nROM `{}` ({}), commit {}, {}, {}.\n\n{}",
        args.rom.display(),
        json["layers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap())
            .collect::<Vec<_>>()
            .join("-"),
        json["commit"].as_str().unwrap(),
        yosys,
        nextpnr,
        accelerator_markdown(&reports)
    );
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let text = serde_json::to_string_pretty(&json)? + "\n";
    write_atomic_all(&[
        (args.out.join("accelerator.json").as_path(), text.as_bytes()),
        (args.out.join("accelerator.md").as_path(), md.as_bytes()),
    ])?;
    print!("{}", accelerator_markdown(&reports));
    Ok(())
}
