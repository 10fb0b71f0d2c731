//! `sievingnet power-mlp`: toggles and memory accesses of the whole
//! accelerator on a ROM's test samples, sieving lanes against exact MACs.

use anyhow::{bail, Context, Result};
use sievingnet::design::Arch;
use sievingnet::power::accelerator::{count_mlp, DEVICE};
use sievingnet::power::mlp_report::{
    mlp_markdown, mlp_ratios, write_mlp_report, MlpPowerReport, MlpPowerRun, MLP_MEANING,
};
use sievingnet::power::report::{Network, Provenance};
use sievingnet::rom::read_rom;
use sievingnet::rtl::mlp::MAX_LANES;
use std::path::PathBuf;
use std::time::Instant;

/// `sievingnet power-mlp`: switching activity of the whole accelerator
/// (`sieve_mlp` mapped for the UP5K) on a ROM's test samples, with every
/// memory's reads and writes. A relative proxy for dynamic energy.
#[derive(clap::Args, Debug, Clone)]
pub struct PowerMlpArgs {
    /// A weight ROM folder with a test set (repeat for several networks,
    /// e.g. a sieving network and the exact network of the same accuracy).
    /// A ROM whose thresholds are all <= 0 is exact: only `mac` runs it.
    #[arg(long, required = true)]
    pub rom: Vec<PathBuf>,
    /// Lane architectures, comma-separated. `mac` runs a sieving ROM's
    /// exact network (every threshold <= 0).
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "parallel,serial,mac"
    )]
    pub arch: Vec<Arch>,
    /// Lanes of each accelerator, 1 to 32: one number for every ROM, or
    /// one per `--rom` in their order (e.g. `--lanes 16,12` to count each
    /// network on the lanes it places best with).
    #[arg(long, value_delimiter = ',', default_value = "4")]
    pub lanes: Vec<usize>,
    /// Test samples of each ROM to run, back to back (its first ones).
    #[arg(long, default_value_t = 5)]
    pub samples: usize,
    /// Seed of the simulator's initial register state.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Folder for power-mlp.json, power-mlp.md and power-mlp.svg.
    #[arg(long, default_value = "reports/power/accelerator")]
    pub out: PathBuf,
    /// Keep the mapped netlists and Yosys logs here.
    #[arg(long)]
    pub work_dir: Option<PathBuf>,
}

pub fn run(args: PowerMlpArgs) -> Result<()> {
    if args.samples == 0 {
        bail!("--samples 0: give at least one test sample to run");
    }
    if let Some(n) = args.lanes.iter().find(|n| !(1..=MAX_LANES).contains(n)) {
        bail!("--lanes {n} cannot be built: allowed 1 to {MAX_LANES}");
    }
    if args.lanes.len() != 1 && args.lanes.len() != args.rom.len() {
        bail!(
            "--lanes has {} numbers for {} --rom folders: give one for all, or one per ROM in their order",
            args.lanes.len(),
            args.rom.len()
        );
    }
    if args.arch.is_empty() {
        bail!("--arch needs at least one of parallel, serial, mac, masked");
    }
    let provenance =
        Provenance::at_start(MLP_MEANING, super::command_line(), args.seed, args.samples)?;
    let (_tmp, work) = super::work_folder(&args.work_dir)?;
    let t0 = Instant::now();
    let mut roms = Vec::new();
    let mut networks: Vec<Network> = Vec::new();
    for dir in &args.rom {
        let rom = read_rom(dir).with_context(|| format!("reading the ROM {}", dir.display()))?;
        networks.push(Network::of_rom(dir, &rom, &networks)?);
        roms.push(rom);
    }
    let mut runs = Vec::new();
    for (k, (rom, net)) in roms.iter().zip(&networks).enumerate() {
        let lanes = match args.lanes.as_slice() {
            [all] => *all,
            per_rom => per_rom[k],
        };
        for &arch in &args.arch {
            if net.exact && arch != Arch::Mac {
                continue;
            }
            eprintln!(
                "power-mlp: [{:.0}s] {} x {} on {}: synth_ice40, Verilator build, {} samples",
                t0.elapsed().as_secs_f64(),
                lanes,
                arch.name(),
                net.label,
                args.samples
            );
            let dir = work.join(format!("{}-{}-{lanes}", net.label, arch.name()));
            let counts = count_mlp(rom, arch, lanes, args.samples, args.seed, &dir, None)
                .with_context(|| format!("{lanes} x {} on {}", arch.name(), net.label))?;
            runs.push(MlpPowerRun::new(&net.label, arch.name(), lanes, counts));
        }
    }
    if runs.is_empty() {
        bail!("nothing to run: exact ROMs run only on --arch mac");
    }
    let report = MlpPowerReport {
        provenance,
        device: DEVICE.name().to_string(),
        ratios: mlp_ratios(&runs),
        networks,
        runs,
    };
    let files = write_mlp_report(&report, &args.out)?;
    print!("{}", mlp_markdown(&report));
    for f in files {
        eprintln!("wrote {}", f.display());
    }
    Ok(())
}
