//! `sievingnet dataflow`: how many lane steps, weight reads and stored bits
//! the accelerator's dataflows need on a ROM's test samples (the model of
//! `sievingnet::dataflow`), to see which of the sieve's idle pairs a
//! dataflow turns into clocks before building it.

use anyhow::{bail, Context, Result};
use clap::Args;
use sievingnet::dataflow::{Dataflows, UP5K_SPRAM_BITS, UP5K_SPRAM_PORT_BITS};
use sievingnet::files::write_atomic;
use sievingnet::rom::read_rom;
use sievingnet::toolchain::source_commit;
use std::io::Write;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct DataflowArgs {
    /// ROM directory (SPEC section 8) with a test set.
    #[arg(long)]
    pub rom: PathBuf,
    /// Lanes: neuron j on lane j mod N, as in the accelerator.
    #[arg(long, default_value_t = 8)]
    pub lanes: usize,
    /// Test samples to run (the first N; default all).
    #[arg(long)]
    pub samples: Option<usize>,
    /// Count the ROM's exact network (every threshold <= 0), what the `mac`
    /// accelerator computes.
    #[arg(long)]
    pub exact: bool,
    /// Also write the figures, the command and the commit as JSON here.
    #[arg(long)]
    pub json: Option<PathBuf>,
}

pub fn run(args: DataflowArgs) -> Result<()> {
    if !(1..=256).contains(&args.lanes) {
        bail!("--lanes {} is out of range: use 1 to 256", args.lanes);
    }
    let rom = read_rom(&args.rom)
        .with_context(|| format!("cannot read the ROM in {}", args.rom.display()))?;
    let Some(test) = &rom.test_set else {
        bail!(
            "the ROM in {} has no test set: dataflow counts the steps of its test samples",
            args.rom.display()
        );
    };
    let n = args
        .samples
        .unwrap_or(test.inputs.len())
        .min(test.inputs.len());
    if n == 0 {
        bail!("no samples to run: --samples must be at least 1");
    }
    let step = (n / 20).max(1);
    let flows = Dataflows::measure(
        &rom.mlp,
        &test.inputs[..n],
        Some(&test.predictions),
        args.lanes,
        args.exact,
        |done| {
            if done % step == 0 || done == n {
                eprint!("\r  {done}/{n} samples");
                let _ = std::io::stderr().flush();
                if done == n {
                    eprintln!();
                }
            }
        },
    )?;
    println!(
        "{} lanes, {} samples of {}{}; lane steps exclude fixed overheads (drain, requantization, argmax); the SPRAM port reads {} bits per clock, the SPRAM holds {} bits\n",
        args.lanes,
        n,
        args.rom.display(),
        if args.exact {
            ", its exact network"
        } else {
            ""
        },
        UP5K_SPRAM_PORT_BITS,
        UP5K_SPRAM_BITS
    );
    print!("{}", flows.markdown());
    if let Some(path) = &args.json {
        let record = serde_json::json!({
            "command": super::command_line(),
            "commit": source_commit(),
            "rom": args.rom.display().to_string(),
            "flows": flows,
        });
        write_atomic(path, serde_json::to_string_pretty(&record)?.as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}
