//! `sievingnet-train frontier plan|run|merge`.

use super::{is_done, job, read_plan, write_plan, Grid};
use anyhow::{bail, Result};
use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};

/// The frontier study's commands.
#[derive(Subcommand, Debug)]
pub enum FrontierCmd {
    /// Write a study's plan (plan.json), its job commands (jobs.txt, for GNU
    /// parallel: `parallel -j1 < DIR/jobs.txt`) and a Slurm array script
    /// (slurm.sh). Arguments after `--` go to every job's training, e.g.
    /// `-- --dataset mnist --data-dir ../shared/data/mnist --layers 784,128,10`.
    Plan(PlanArgs),
    /// Run the study's unfinished jobs (or one, with --job), then merge when
    /// all are done. Finished jobs are not trained again.
    Run {
        /// The study folder (made by `frontier plan`).
        dir: PathBuf,
        /// Run only this job (what jobs.txt and slurm.sh call).
        #[arg(long)]
        job: Option<String>,
    },
    /// Merge the finished jobs: frontier.csv (one row per setting, mean and
    /// spread over seeds, Pareto flags), frontier_points.csv (every seed),
    /// frontier.md (cheapest setting per accuracy target), frontier.json and
    /// frontier.svg.
    Merge { dir: PathBuf },
    /// Train the cheapest setting of one or more merged studies that
    /// reaches an accuracy (mean over seeds) and write its ROM: the network
    /// the hardware issues use (its first seed's job arguments, retrained).
    Best {
        /// The study folders (merged); the cheapest setting of all of them.
        #[arg(required = true, num_args = 1..)]
        dirs: Vec<PathBuf>,
        /// The family to choose from: sieve, exact, post-sieve.
        #[arg(long, default_value = "sieve")]
        family: String,
        /// The least mean test accuracy.
        #[arg(long, default_value_t = 0.98)]
        min_accuracy: f64,
        /// Only networks whose weights fit this many bytes (the UP5K's
        /// four SPRAM blocks hold 131072).
        #[arg(long)]
        fit_bytes: Option<u64>,
        /// The MNIST folder, if not the one the study was planned with.
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// The run folder; the ROM goes to OUT/rom.
        #[arg(long)]
        out: PathBuf,
    },
    /// The headline over several studies (e.g. the exact families of one,
    /// the sieve variants of others): at the best 8-bit exact network's
    /// accuracy minus 0.3 points, the cheapest sieve-aware setting of all
    /// of them against the cheapest exact one. Prints Markdown, then JSON.
    Headline {
        /// The study folders (finished jobs are read; nothing is written).
        #[arg(required = true, num_args = 1..)]
        dirs: Vec<PathBuf>,
    },
}

#[derive(Args, Debug)]
pub struct PlanArgs {
    /// The study folder.
    #[arg(long)]
    out: PathBuf,
    #[arg(long, value_delimiter = ',', default_value = "1,2,3")]
    seeds: Vec<u64>,
    /// The trainings to plan: exact (each also evaluated post-sieved and
    /// truncated) and sieve (sieve-aware).
    #[arg(long, value_delimiter = ',', default_value = "exact,sieve", value_parser = ["exact", "sieve"])]
    families: Vec<String>,
    /// Weight widths of the exact (quantization-aware, no sieve) networks.
    #[arg(long, value_delimiter = ',', default_value = "2,3,4,5,6,7,8")]
    exact_w_bits: Vec<u32>,
    /// Activation widths of the exact networks.
    #[arg(long, value_delimiter = ',', default_value = "8,4")]
    exact_a_bits: Vec<u32>,
    /// Weight widths of the sieve-aware networks (8-bit activations).
    #[arg(long, value_delimiter = ',', default_value = "3,4,8")]
    sieve_w_bits: Vec<u32>,
    /// Final acceptance rates of the sieve-aware networks.
    #[arg(long, value_delimiter = ',', default_value = "0.35,0.22,0.15")]
    ims: Vec<f64>,
    /// Codings of the sieve-aware networks.
    #[arg(long, value_delimiter = ',', default_value = "ternary")]
    sieve_codings: Vec<String>,
    /// Acceptance rates of the post-training sieve on every exact network.
    #[arg(long, value_delimiter = ',', default_value = "0.5,0.35,0.22,0.15")]
    post_ims: Vec<f64>,
    /// Accuracy targets of the equal-accuracy table (frontier.md).
    #[arg(long, value_delimiter = ',', default_value = "0.97,0.975,0.98")]
    targets: Vec<f64>,
    /// Training arguments shared by every job (after `--`).
    #[arg(last = true, allow_hyphen_values = true)]
    train: Vec<String>,
}

/// Flags a job sets itself; in the shared arguments they would be overridden.
const PER_JOB: [&str; 9] = [
    "--seed",
    "--w-bits",
    "--a-bits",
    "--im",
    "--coding",
    "--sieve-from",
    "--out",
    "--rom",
    "--preset",
];

pub fn run(cmd: &FrontierCmd) -> Result<()> {
    match cmd {
        FrontierCmd::Plan(a) => plan(a),
        FrontierCmd::Run { dir, job } => run_study(dir, job.as_deref()),
        FrontierCmd::Best {
            dirs,
            family,
            min_accuracy,
            fit_bytes,
            data_dir,
            out,
        } => best(
            dirs,
            family,
            *min_accuracy,
            *fit_bytes,
            data_dir.as_deref(),
            out,
        ),
        FrontierCmd::Headline { dirs } => {
            let (md, json) = super::merge::headline_of_studies(dirs)?;
            print!("{md}");
            println!("{}", serde_json::to_string_pretty(&json)?);
            Ok(())
        }
        FrontierCmd::Merge { dir } => {
            let groups = super::merge(dir)?;
            println!(
                "{} settings merged into {}",
                groups.len(),
                dir.join("frontier.csv").display()
            );
            Ok(())
        }
    }
}

fn plan(a: &PlanArgs) -> Result<()> {
    if let Some(f) = a.train.iter().find(|t| {
        PER_JOB
            .iter()
            .any(|p| *t == p || t.starts_with(&format!("{p}=")))
    }) {
        bail!(
            "{f} after `--` is set by each job of the study: use the plan's own options \
             (--seeds, --exact-w-bits, --exact-a-bits, --sieve-w-bits, --ims, --sieve-codings)"
        );
    }
    let grid = Grid {
        common: a.train.clone(),
        seeds: a.seeds.clone(),
        exact_w_bits: if a.families.iter().any(|f| f == "exact") {
            a.exact_w_bits.clone()
        } else {
            Vec::new()
        },
        exact_a_bits: a.exact_a_bits.clone(),
        sieve_w_bits: if a.families.iter().any(|f| f == "sieve") {
            a.sieve_w_bits.clone()
        } else {
            Vec::new()
        },
        sieve_ims: a.ims.clone(),
        sieve_codings: a.sieve_codings.clone(),
        post_ims: a.post_ims.clone(),
        targets: a.targets.clone(),
    };
    let plan = grid.plan(std::env::args().collect::<Vec<_>>().join(" "))?;
    // Every job's arguments must parse and make a valid configuration now,
    // not hours into the study.
    for j in &plan.jobs {
        job::job_args(j)?.config()?;
    }
    let exe = std::env::current_exe()?;
    write_plan(&a.out, &plan, &exe)?;
    let done = plan.jobs.iter().filter(|j| is_done(&a.out, j)).count();
    println!(
        "{} jobs ({} finished) in {}: run them with `sievingnet-train frontier run {}`, \
         or `parallel -j1 < {}` then `frontier merge`, or `sbatch {}`",
        plan.jobs.len(),
        done,
        a.out.join("plan.json").display(),
        a.out.display(),
        a.out.join("jobs.txt").display(),
        a.out.join("slurm.sh").display()
    );
    Ok(())
}

fn run_study(dir: &Path, only: Option<&str>) -> Result<()> {
    let plan = read_plan(dir)?;
    let jobs: Vec<_> = match only {
        Some(name) => match plan.jobs.iter().find(|j| j.name == name) {
            Some(j) => vec![j],
            None => bail!(
                "no job named {name} in {}: the names are in its plan.json",
                dir.display()
            ),
        },
        None => plan.jobs.iter().collect(),
    };
    let todo: Vec<_> = jobs.into_iter().filter(|j| !is_done(dir, j)).collect();
    let bar = indicatif::ProgressBar::new(todo.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "frontier [{bar:30}] {pos}/{len} jobs ({elapsed}, ~{eta} left) {msg}",
        )
        .expect("a valid template")
        .progress_chars("=> "),
    );
    for j in &todo {
        job::run_job(dir, &plan, j, |line| bar.set_message(line.to_string()))?;
        bar.println(format!("finished {}", j.name));
        bar.inc(1);
    }
    bar.finish_and_clear();
    let remaining = plan.jobs.iter().filter(|j| !is_done(dir, j)).count();
    if remaining == 0 && only.is_none() {
        super::merge(dir)?;
        println!(
            "all {} jobs finished; merged into {}",
            plan.jobs.len(),
            dir.join("frontier.csv").display()
        );
    } else {
        println!(
            "{} jobs run, {remaining} of {} left",
            todo.len(),
            plan.jobs.len()
        );
    }
    Ok(())
}

/// Weight bytes of a network of `layers` sizes at `w_bits`.
fn weight_bytes(layers: &[usize], w_bits: u32) -> u64 {
    let weights: u64 = layers.windows(2).map(|w| (w[0] * w[1]) as u64).sum();
    (weights * u64::from(w_bits)).div_ceil(8)
}

fn best(
    dirs: &[PathBuf],
    family: &str,
    min_accuracy: f64,
    fit_bytes: Option<u64>,
    data_dir: Option<&Path>,
    out: &Path,
) -> Result<()> {
    if family != "sieve" && family != "exact" {
        bail!(
            "--family {family}: choose sieve or exact (a post-sieve or truncated network is an \
             evaluation of an exact training, not a training of its own)"
        );
    }
    let layers = |j: &super::Job| -> Result<Vec<usize>> { Ok(job::job_args(j)?.config()?.layers) };
    let mut chosen: Option<(super::Group, super::Job)> = None;
    for dir in dirs {
        let (plan, points, _, _) = super::load(dir)?;
        for g in super::group(&points)
            .into_iter()
            .filter(|g| g.family == family && g.accuracy_mean >= min_accuracy)
        {
            let Some(j) = plan.jobs.iter().find(|j| super::job_matches(j, &g)) else {
                continue;
            };
            if let Some(limit) = fit_bytes {
                if weight_bytes(&layers(j)?, g.w_bits) > limit {
                    continue;
                }
            }
            if chosen
                .as_ref()
                .is_none_or(|(c, _)| g.kept_terms < c.kept_terms)
            {
                chosen = Some((g, j.clone()));
            }
        }
    }
    let Some((g, j)) = chosen else {
        let names: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
        bail!(
            "no {family} setting of {} reaches {:.2}% mean accuracy{}: lower --min-accuracy or \
             extend the study",
            names.join(", "),
            100.0 * min_accuracy,
            fit_bytes
                .map(|b| format!(" within {b} weight bytes"))
                .unwrap_or_default()
        );
    };
    let mut args = j.args.clone();
    if let Some(d) = data_dir {
        match args.iter().position(|a| a == "--data-dir") {
            Some(i) if i + 1 < args.len() => args[i + 1] = d.display().to_string(),
            _ => args.extend(["--data-dir".into(), d.display().to_string()]),
        }
    }
    println!(
        "{} {}: {:.2}% mean accuracy over {} seeds at {:.0} kept digit-terms per inference; training job {}",
        g.series,
        g.setting(),
        100.0 * g.accuracy_mean,
        g.seeds,
        g.kept_terms,
        j.name
    );
    let status = std::process::Command::new(std::env::current_exe()?)
        .arg("train")
        .args(&args)
        .arg("--out")
        .arg(out)
        .status()?;
    if !status.success() {
        bail!("training {} failed", j.name);
    }
    Ok(())
}
