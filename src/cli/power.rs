//! `sievingnet power`: toggles of the mapped units on a ROM's real streams.

use anyhow::{bail, Context, Result};
use sievingnet::power::report::{
    ratios, unit_name, write_report, Network, PowerReport, PowerRun, Provenance, MEANING,
};
use sievingnet::power::streams::{random_stream, rom_stream, Stream};
use sievingnet::power::{count, hardware_config, prepare, PowerDesign, Prepared, DESIGNS};
use sievingnet::rom::read_rom;
use sievingnet::UnitConfig;
use std::path::PathBuf;
use std::time::Instant;

/// `sievingnet power`: switching activity (toggles of the mapped iCE40
/// netlist) of the units on a ROM's test samples, sieve on and off, against
/// the exact MAC. A relative proxy for dynamic energy, not milliwatts.
#[derive(clap::Args, Debug, Clone)]
pub struct PowerArgs {
    /// A weight ROM folder (repeat for several networks, e.g. a sieving
    /// network and the exact network of the same accuracy). A ROM whose
    /// thresholds are all <= 0 is exact: only the MACs run it.
    #[arg(long, required = true)]
    pub rom: Vec<PathBuf>,
    /// Designs, comma-separated: parallel, serial (the sieving units), mac,
    /// mac-dsp (the exact MAC in logic and on the UP5K DSP). Counters off.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "parallel,serial,mac,mac-dsp"
    )]
    pub designs: Vec<String>,
    /// Test samples of each ROM to stream (its first ones).
    #[arg(long, default_value_t = 5)]
    pub samples: usize,
    /// Pairs of the random comparison stream per network (0: none).
    #[arg(long, default_value_t = 20_000)]
    pub random_pairs: usize,
    /// Seed of the random streams and of the simulator's initial state.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Skip the second netlist that keeps the blocks (no per-block figures;
    /// half the builds).
    #[arg(long)]
    pub no_blocks: bool,
    /// Folder for power.json, power.md and power.svg.
    #[arg(long, default_value = "reports/power")]
    pub out: PathBuf,
    /// Keep the mapped netlists and Yosys logs here.
    #[arg(long)]
    pub work_dir: Option<PathBuf>,
}

pub fn run(args: PowerArgs) -> Result<()> {
    if args.samples == 0 {
        bail!("--samples 0: give at least one test sample to stream");
    }
    for d in &args.designs {
        if !DESIGNS.contains(&d.as_str()) {
            bail!("--designs holds {d:?}: allowed {}", DESIGNS.join(", "));
        }
    }
    let provenance = Provenance::at_start(MEANING, super::command_line(), args.seed, args.samples)?;
    let (_tmp, work) = super::work_folder(&args.work_dir)?;
    let t0 = Instant::now();
    let mut networks: Vec<Network> = Vec::new();
    let mut jobs: Vec<(String, UnitConfig, bool, Stream)> = Vec::new();
    for dir in &args.rom {
        let rom = read_rom(dir).with_context(|| format!("reading the ROM {}", dir.display()))?;
        let net = Network::of_rom(dir, &rom, &networks)?;
        let (label, exact) = (net.label.clone(), net.exact);
        let hw = hardware_config(&rom.mlp.unit, net.exact)?;
        networks.push(net);
        let modes: &[bool] = if exact { &[false] } else { &[true, false] };
        for &sieve in modes {
            jobs.push((
                label.clone(),
                hw,
                exact,
                rom_stream(&rom, args.samples, sieve)?,
            ));
            if args.random_pairs > 0 {
                let thr = &rom.mlp.layers[0].thresholds;
                let s = random_stream(
                    &rom.mlp.unit,
                    args.random_pairs,
                    rom.mlp.layers[0].inputs,
                    thr,
                    sieve,
                    args.seed,
                )?;
                jobs.push((format!("{label} random"), hw, exact, s));
            }
        }
    }
    let mut prepared: Vec<Prepared> = Vec::new();
    let mut runs: Vec<PowerRun> = Vec::new();
    for (network, hw, exact, stream) in &jobs {
        for name in &args.designs {
            let d = PowerDesign::named(name, *hw)?;
            if stream.sieve && !d.sieves() {
                continue;
            }
            // An exact network never sieves: only the MACs run it.
            if d.sieves() && *exact {
                continue;
            }
            let p = match prepared
                .iter()
                .position(|p| p.design.name == d.name && p.design.cfg == d.cfg)
            {
                Some(i) => &prepared[i],
                None => {
                    eprintln!(
                        "power: [{:.0}s] synthesizing and building {} ({})",
                        t0.elapsed().as_secs_f64(),
                        d.name,
                        unit_name(&d.cfg)
                    );
                    let dir = work.join(format!(
                        "{}-{}",
                        d.name,
                        unit_name(&d.cfg).replace(' ', "-")
                    ));
                    prepared.push(prepare(&d, !args.no_blocks, &dir, None)?);
                    prepared.last().unwrap()
                }
            };
            eprintln!(
                "power: [{:.0}s] {} on {} {} ({} pairs)",
                t0.elapsed().as_secs_f64(),
                d.name,
                network,
                stream.name,
                stream.pairs.len()
            );
            let t = count(p, stream, args.seed)?;
            let facts = stream.facts();
            let inf = (facts.inferences > 0).then_some(facts.inferences as f64);
            runs.push(PowerRun {
                design: d.name.clone(),
                unit: unit_name(&d.cfg),
                network: network.clone(),
                cells: p.cells.clone(),
                cycles: t.cycles,
                toggles: t.total,
                toggles_per_pair: t.total as f64 / facts.pairs.max(1) as f64,
                toggles_per_inference: inf.map(|n| t.total as f64 / n),
                cycles_per_inference: inf.map(|n| t.cycles as f64 / n),
                toggles_by_kind: t.by_kind,
                toggles_by_block: t.by_block,
                stream: facts,
            });
        }
    }
    let report = PowerReport {
        provenance,
        ratios: ratios(&networks, &runs),
        networks,
        runs,
    };
    let files = write_report(&report, &args.out)?;
    print!("{}", sievingnet::power::report::markdown(&report));
    for f in files {
        eprintln!("wrote {}", f.display());
    }
    Ok(())
}
