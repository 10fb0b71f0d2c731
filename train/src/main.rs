//! `sievingnet-train`: sieve-aware MLP training, ROM evaluation, `im`
//! sweeps and the inference benchmark. Run with `--help`.

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use sievingnet::files::write_atomic;
use sievingnet::Coding;
use sievingnet_train::args::TrainArgs;
use sievingnet_train::kernel::FastMlp;
use sievingnet_train::output;
use sievingnet_train::plots::{self, SweepPoint};
use sievingnet_train::report;
use sievingnet_train::train::{self, Prepared};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Sieve-aware MLP training for SievingNet. With no subcommand it trains
/// (the default is Iris, shipped in the repository, so it needs nothing else).
#[derive(Parser, Debug)]
#[command(
    name = "sievingnet-train",
    version,
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    cmd: Option<Cmd>,
    #[command(flatten)]
    train: TrainArgs,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Train a network, log every epoch, write the ROM, logs and plots.
    Train(TrainArgs),
    /// Evaluate a ROM directory with the golden model and check its
    /// predictions file (non-zero exit on any mismatch).
    EvalRom {
        dir: PathBuf,
        /// Print the evaluation as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Train once, then sweep the acceptance rate `im` post-training for
    /// binary and ternary coding; writes sweep.json, sweep.csv, sweep.svg.
    Sweep {
        #[command(flatten)]
        train: TrainArgs,
        /// Acceptance rates to evaluate.
        #[arg(
            long,
            value_delimiter = ',',
            default_value = "1,0.9,0.8,0.7,0.6,0.5,0.4,0.35,0.3,0.25,0.2,0.15,0.1"
        )]
        ims: Vec<f64>,
        /// Also evaluate the running-sum rule (with --rs-alpha) at these betas.
        #[arg(
            long,
            value_delimiter = ',',
            allow_hyphen_values = true,
            default_value = "-10,-8,-7,-6,-5,-4,-3"
        )]
        rs_betas: Vec<i64>,
    },
    /// Train the small MNIST network the tests use (784-128-10, 2 epochs,
    /// sieve-aware at im 0.25) and write its ROM, for co-simulation with
    /// real trained weights. Reuses a valid ROM already in OUT.
    MnistTestRom {
        /// Folder with the four MNIST IDX files (plain or .gz).
        #[arg(long)]
        data_dir: PathBuf,
        /// ROM folder to write.
        #[arg(long, default_value = "runs/mnist-test-rom")]
        out: PathBuf,
    },
    /// The frontier study: accuracy against kept digit-terms for exact
    /// networks of every precision, the post-training sieve, static
    /// truncation and sieve-aware training, over several seeds.
    #[command(subcommand)]
    Frontier(sievingnet_train::frontier::cli::FrontierCmd),
    /// Time one training epoch in each mode (float, quantization-aware,
    /// sieve-aware at the final --im) on the same network and data; the
    /// modes alternate, each repetition from a fresh network. Prints a
    /// table and one JSON line (the figures of BENCHMARKS.md).
    BenchEpoch {
        #[command(flatten)]
        train: TrainArgs,
        /// Repetitions of the three epochs (best and median reported).
        #[arg(long, default_value_t = 3)]
        repeat: usize,
    },
    /// Time the bit-exact (fast kernel) sieved inference of a ROM's test set.
    BenchInfer {
        dir: PathBuf,
        /// Timed repetitions (the best is reported).
        #[arg(long, default_value_t = 5)]
        repeat: usize,
    },
}

fn pct(x: f64) -> String {
    format!("{:.2}%", 100.0 * x)
}

/// What a run says while it runs: every epoch's line goes to `train.log`
/// (and to stderr with `--verbose`); stderr gets one line per finished
/// phase (float, quantization-aware, sieve-aware) unless `--quiet`.
struct EpochReporter {
    verbose: bool,
    quiet: bool,
    log: String,
    phase: Option<(String, usize)>,
    last: Option<train::EpochLog>,
}

impl EpochReporter {
    fn new(args: &TrainArgs) -> EpochReporter {
        EpochReporter {
            verbose: args.verbose,
            quiet: args.quiet,
            log: String::new(),
            phase: None,
            last: None,
        }
    }

    fn epoch(&mut self, l: &train::EpochLog) {
        let line = epoch_line(l);
        if self.verbose {
            eprintln!("{line}");
        }
        self.log.push_str(&line);
        self.log.push('\n');
        if self.phase.as_ref().is_some_and(|(m, _)| *m != l.mode) {
            self.end_phase();
        }
        if self.phase.is_none() {
            self.phase = Some((l.mode.clone(), l.epoch));
        }
        self.last = Some(l.clone());
    }

    /// The line of the phase that just ended.
    fn end_phase(&mut self) {
        if let (Some((mode, first)), Some(l)) = (self.phase.take(), &self.last) {
            if !self.quiet && !self.verbose {
                let what = match mode.as_str() {
                    "float" => "float training",
                    "qat" => "quantization-aware",
                    _ => "sieve-aware",
                };
                eprintln!(
                    "{what:<18} epochs {first:>3}-{:<3} test float {} exact {} sieved {}, sieved share {:.1}% ({:.1}s last epoch)",
                    l.epoch,
                    pct(l.test_float_acc),
                    pct(l.test_exact_acc),
                    pct(l.test_sieved_acc),
                    100.0 * l.total.sieved_share,
                    l.seconds
                );
            }
        }
    }
}

fn print_epoch(l: &train::EpochLog) {
    eprintln!("{}", epoch_line(l));
}

fn epoch_line(l: &train::EpochLog) -> String {
    let shares: Vec<String> = l
        .layers
        .iter()
        .map(|s| format!("{:.3}", s.sieved_share))
        .collect();
    format!(
        "epoch {:>3} {:<5} im {:.2} lr {:.5} loss {:.4} train {} | test float {} exact {} sieved {} | \
         sieved share {:.3} (layers {}) kept terms {:.0} pairs {:.0} per inference | {:.1}s ({:.1}s training)",
        l.epoch,
        l.mode,
        l.im,
        l.lr,
        l.train_loss,
        pct(l.train_acc),
        pct(l.test_float_acc),
        pct(l.test_exact_acc),
        pct(l.test_sieved_acc),
        l.total.sieved_share,
        shares.join(" "),
        l.total.kept_terms,
        l.total.kept_pairs,
        l.seconds,
        l.train_seconds
    )
}

/// The ROM folder of a run: `--rom`, checked before training, or `rom` in
/// the run folder (`None`). A `--rom` inside `--out` would be lost when the
/// run folder is replaced, so it is refused.
fn rom_target(args: &TrainArgs, out: &Path) -> Result<Option<PathBuf>> {
    let Some(rom) = args.rom.clone() else {
        return Ok(None);
    };
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    if abs(&rom).starts_with(abs(out)) {
        if abs(&rom) == abs(&out.join("rom")) {
            return Ok(None);
        }
        bail!(
            "--rom {} is inside --out {}, which a run replaces as a whole: leave --rom out to \
             put the ROM in {}",
            rom.display(),
            out.display(),
            out.join("rom").display()
        );
    }
    output::check_rom_dir(&rom)?;
    Ok(Some(rom))
}

fn run_train(args: &TrainArgs) -> Result<()> {
    let cfg = args.config()?;
    // Every output location is checked before the first epoch.
    let run = output::RunOutput::start(&args.out_dir())?;
    let rom_outside = rom_target(args, run.target())?;
    let out_dir = run.dir().to_path_buf();
    eprintln!(
        "training {} {:?} on {} with seed {} (set --seed or SIEVINGNET_SEED to change it)",
        cfg.dataset,
        cfg.layers,
        cfg.unit.tag(),
        cfg.seed
    );
    let split = args.load(cfg.seed)?;
    cfg.validate(split.train.features, split.train.classes)?;
    let prep = Prepared::new(&split, &cfg);
    let mut logs = Vec::new();
    let mut reporter = EpochReporter::new(args);
    let outcome = train::train(&cfg, &prep, |l| {
        reporter.epoch(l);
        logs.push(l.clone());
        let written = report::write_logs(&out_dir, &cfg, &logs, serde_json::Value::Null)
            .and_then(|_| write_atomic(&out_dir.join("train.log"), reporter.log.as_bytes()));
        if let Err(e) = written {
            eprintln!("warning: cannot write logs: {e:#}");
        }
    })?;
    reporter.end_phase();
    let golden = args.golden_check.unwrap_or(if cfg.dataset == "mnist" {
        1000
    } else {
        usize::MAX
    });
    let rom = report::build_rom(&cfg, &prep, &outcome, golden)?;
    let rom_dir = rom_outside
        .clone()
        .unwrap_or_else(|| run.target().join("rom"));
    sievingnet::rom::write_rom(
        &rom_outside.clone().unwrap_or_else(|| out_dir.join("rom")),
        &rom,
    )?;
    let last = outcome.logs.last().unwrap();
    let extra = serde_json::json!({
        "rom": rom_dir,
        "shifts": outcome.shifts,
        "scales": outcome.quantized.scales,
        "golden_checked_samples": golden.min(prep.test.len()),
    });
    report::write_logs(&out_dir, &cfg, &outcome.logs, extra)?;
    if !args.no_plots {
        let stats = &outcome.exp_stats;
        let layers: Vec<(usize, &[u64], &[i64])> = outcome
            .quantized
            .mlp
            .layers
            .iter()
            .zip(stats)
            .map(|(l, s)| (l.inputs, &s[..], &l.weights[..]))
            .collect();
        plots::exponent_histograms(
            &out_dir.join("exponents.svg"),
            cfg.unit.a_bits(),
            cfg.unit.w_bits(),
            &layers,
            prep.calib.len() as u64,
        )?;
        plots::learning_curves(&out_dir.join("learning_curves.svg"), &outcome.logs)?;
        plots::savings(&out_dir.join("savings.svg"), last)?;
    }
    let target = run.target().to_path_buf();
    run.finish()?;
    println!(
        "{}: float {} exact {} sieved {} (delta {:+.2} points), sieved share {:.1}% of effective terms, \
         {:.0} kept digit-terms and {:.0} kept pairs per inference; ROM in {}, logs in {}",
        cfg.dataset,
        pct(last.test_float_acc),
        pct(last.test_exact_acc),
        pct(last.test_sieved_acc),
        100.0 * (last.test_sieved_acc - last.test_exact_acc),
        100.0 * last.total.sieved_share,
        last.total.kept_terms,
        last.total.kept_pairs,
        rom_dir.display(),
        target.display()
    );
    Ok(())
}

fn run_eval_rom(dir: &Path, json: bool) -> Result<()> {
    let rom = sievingnet::rom::read_rom(dir)?;
    let t0 = Instant::now();
    let ev = sievingnet::rom::evaluate_rom(&rom)?;
    let secs = t0.elapsed().as_secs_f64();
    if json {
        println!("{}", serde_json::to_string(&ev)?);
    } else {
        println!(
            "{}: {} samples, accuracy {} ({} correct), golden model in {:.2}s",
            dir.display(),
            ev.samples,
            pct(ev.accuracy),
            ev.correct,
            secs
        );
        for (l, c) in ev.cost.iter().enumerate() {
            println!(
                "  layer {l}: {}, sieved share {:.2}%",
                c.line(),
                100.0 * c.sieved_share
            );
        }
        println!(
            "  network: {}, sieved share {:.2}% (per inference; see the cost model in README)",
            ev.total_cost.line(),
            100.0 * ev.total_cost.sieved_share
        );
        if ev.overflow_samples > 0 {
            println!(
                "  {} samples overflowed an accumulator",
                ev.overflow_samples
            );
        }
    }
    if !ev.predictions_match() {
        let first: Vec<String> = ev
            .mismatches
            .iter()
            .take(5)
            .map(|m| {
                format!(
                    "sample {} (line {}): stored {}, golden model {}",
                    m.sample,
                    m.sample + 1,
                    m.stored,
                    m.model
                )
            })
            .collect();
        bail!(
            "{}: {} of {} stored predictions differ from the golden model, e.g. {}: the ROM's \
             test_predictions.txt is stale or the weights were changed; rewrite the ROM with the trainer",
            dir.join("test_predictions.txt").display(),
            ev.mismatches.len(),
            ev.samples,
            first.join("; ")
        );
    }
    eprintln!("predictions file matches the golden model");
    Ok(())
}

fn run_sweep(args: &TrainArgs, ims: &[f64], rs_betas: &[i64]) -> Result<()> {
    let cfg = args.config()?;
    let run = output::RunOutput::start(&args.out_dir())?;
    let out_dir = run.dir().to_path_buf();
    if let Some(bad) = ims.iter().find(|&&im| !(im > 0.0 && im <= 1.0)) {
        bail!("--ims holds {bad}: every acceptance rate must be in (0, 1]");
    }
    eprintln!(
        "sweep: training {} {:?} with seed {}",
        cfg.dataset, cfg.layers, cfg.seed
    );
    let split = args.load(cfg.seed)?;
    let prep = Prepared::new(&split, &cfg);
    let outcome = train::train(&cfg, &prep, print_epoch)?;
    let mut points = Vec::new();
    for coding in Coding::ALL {
        let unit = cfg.unit.with_coding(coding);
        let lut = sievingnet_train::kernel::WeightLut::new(&unit);
        let q0 = train::quantize_unsieved(&cfg, &prep, &outcome, &unit);
        for &im in ims {
            let (exact, sieved, work) =
                train::post_training_sieve(&cfg, &prep, &outcome, &q0, &lut, im);
            let share = sieved_share(&work);
            eprintln!(
                "{coding:<7} im {im:.2}: sieved share {:.1}%, exact {}, sieved {} ({:+.2} points)",
                100.0 * share,
                pct(exact),
                pct(sieved),
                100.0 * (sieved - exact)
            );
            points.push(SweepPoint {
                coding: coding.to_string(),
                im,
                sieved_share: share,
                exact_acc: exact,
                sieved_acc: sieved,
            });
        }
        for &beta in rs_betas {
            let rule = sievingnet::model::running_sum::RunningSumRule {
                alpha: cfg.rs_alpha,
                beta,
            };
            let (exact, sieved, work) = train::measure_with(&q0, &lut, &prep, Some(rule));
            let share = sieved_share(&work);
            eprintln!(
                "{coding:<7} running-sum alpha {} beta {beta}: sieved share {:.1}%, exact {}, sieved {} ({:+.2} points)",
                cfg.rs_alpha,
                100.0 * share,
                pct(exact),
                pct(sieved),
                100.0 * (sieved - exact)
            );
            points.push(SweepPoint {
                coding: format!("{coding} running-sum"),
                im: beta as f64,
                sieved_share: share,
                exact_acc: exact,
                sieved_acc: sieved,
            });
        }
    }
    report::write_logs(
        &out_dir,
        &cfg,
        &outcome.logs,
        serde_json::json!({"sweep": "sweep.json"}),
    )?;
    let body = serde_json::to_string_pretty(&serde_json::json!({
        "config": cfg, "seed": cfg.seed, "versions": report::versions(), "points": points,
        "commit": sievingnet::toolchain::source_commit(),
        "command": std::env::args().collect::<Vec<_>>().join(" "),
        "note": "post-training sweep: the trained float network, quantized per coding, thresholds from the calibration pass",
    }))? + "\n";
    write_atomic(&out_dir.join("sweep.json"), body.as_bytes())?;
    let mut csv = String::from("coding,im_or_beta,sieved_share,exact_acc,sieved_acc\n");
    for p in &points {
        csv.push_str(&format!(
            "{},{},{:.6},{:.6},{:.6}\n",
            p.coding, p.im, p.sieved_share, p.exact_acc, p.sieved_acc
        ));
    }
    write_atomic(&out_dir.join("sweep.csv"), csv.as_bytes())?;
    if !args.no_plots {
        plots::sweep(&out_dir.join("sweep.svg"), &points)?;
    }
    let target = run.target().to_path_buf();
    run.finish()?;
    println!("sweep written to {}", target.display());
    Ok(())
}

fn sieved_share(work: &[sievingnet::model::Work]) -> f64 {
    let t = sievingnet::model::Work::total(work).planes;
    t.sieved as f64 / (t.sieved + t.kept).max(1) as f64
}

fn run_bench(dir: &Path, repeat: usize) -> Result<()> {
    let rom = sievingnet::rom::read_rom(dir)?;
    let t = rom
        .test_set
        .as_ref()
        .context("the ROM has no test_set to run")?;
    let f = rom.mlp.layers[0].inputs;
    let flat: Vec<i32> = t.inputs.iter().flatten().map(|&v| v as i32).collect();
    let mut best = f64::INFINITY;
    let mut result = None;
    for _ in 0..repeat.max(1) {
        let t0 = Instant::now();
        let fast = FastMlp::new(&rom.mlp);
        let r = fast.infer_batch(&flat, f);
        best = best.min(t0.elapsed().as_secs_f64());
        result = Some(r);
    }
    let r = result.unwrap();
    let same = r.predictions == t.predictions;
    let sizes: Vec<String> = std::iter::once(f)
        .chain(rom.mlp.layers.iter().map(|l| l.outputs))
        .map(|v| v.to_string())
        .collect();
    println!(
        "{} samples, {} network, {} threads: {:.3}s (best of {}, table build included), predictions {} the ROM's",
        t.inputs.len(),
        sizes.join("-"),
        rayon::current_num_threads(),
        best,
        repeat.max(1),
        if same { "equal" } else { "DIFFER FROM" }
    );
    if !same {
        bail!("the fast kernel disagrees with the ROM's predictions");
    }
    Ok(())
}

fn run_bench_epoch(args: &TrainArgs, repeat: usize) -> Result<()> {
    let cfg = args.config()?;
    let split = args.load(cfg.seed)?;
    cfg.validate(split.train.features, split.train.classes)?;
    let prep = Prepared::new(&split, &cfg);
    let threads = rayon::current_num_threads();
    eprintln!(
        "bench-epoch: {} {:?}, batch {}, {}, {threads} threads, {} repetitions of a float, a quantization-aware, a sieve-aware (im {}) and a learned-threshold epoch",
        cfg.dataset,
        cfg.layers,
        cfg.batch,
        cfg.unit.tag(),
        repeat.max(1),
        cfg.im
    );
    let times = sievingnet_train::bench::bench_epochs(&cfg, &prep, repeat, |mode, r, t| {
        eprintln!("  repetition {} {mode}: {t:.3} s", r + 1)
    })?;
    let float = times[0].best;
    println!("| epoch | best s | median s | best / float |");
    println!("|---|---|---|---|");
    for t in &times {
        println!(
            "| {} | {:.3} | {:.3} | {:.2}x |",
            t.mode,
            t.best,
            t.median,
            t.best / float
        );
    }
    let json = serde_json::json!({
        "what": "train_seconds of one epoch per mode",
        "command": std::env::args().collect::<Vec<_>>().join(" "),
        "commit": sievingnet::toolchain::source_commit(),
        "dataset": cfg.dataset,
        "layers": cfg.layers,
        "batch": cfg.batch,
        "unit": cfg.unit.tag(),
        "im": cfg.im,
        "seed": cfg.seed,
        "threads": threads,
        "versions": sievingnet_train::report::versions(),
        "modes": times,
    });
    println!("{json}");
    Ok(())
}

fn main() {
    let cli = Cli::parse();
    sievingnet::files::on_interrupt_remove_pending();
    let r = match &cli.cmd {
        None => run_train(&cli.train),
        Some(Cmd::Train(a)) => run_train(a),
        Some(Cmd::EvalRom { dir, json }) => run_eval_rom(dir, *json),
        Some(Cmd::Sweep {
            train,
            ims,
            rs_betas,
        }) => run_sweep(train, ims, rs_betas),
        Some(Cmd::BenchInfer { dir, repeat }) => run_bench(dir, *repeat),
        Some(Cmd::BenchEpoch { train, repeat }) => run_bench_epoch(train, *repeat),
        Some(Cmd::Frontier(f)) => sievingnet_train::frontier::cli::run(f),
        Some(Cmd::MnistTestRom { data_dir, out }) => {
            sievingnet_train::train_mnist_rom_for_tests(data_dir, out)
                .map(|d| println!("ROM in {}", d.display()))
        }
    };
    if let Err(e) = r {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}
