//! The frontier study: accuracy against work (kept digit-terms per
//! inference, see [`sievingnet::model::cost`]) for every way of making a
//! network cheaper, over several seeds.
//!
//! A study is a folder. `plan` writes `plan.json` (every job: a name and
//! the `train` arguments that define it), `jobs.txt` (one command per job,
//! for GNU parallel) and `slurm.sh` (a Slurm job array over `jobs.txt`).
//! Each job trains one network and writes `jobs/NAME/points.json`, one row
//! per evaluation of that network; a job whose file is there (for the same
//! arguments) is not run again, so a study resumes where it stopped.
//! `merge` reads every finished job and writes the figure and the tables.
//!
//! The families (`job` has the evaluations):
//! - `exact`: quantization-aware networks without the sieve at each
//!   `w_bits` and `a_bits`, their cost counted in both codings;
//! - `post-sieve`: the same networks sieved after training (thresholds
//!   calibrated at each `im`, no retraining);
//! - `truncation`: the same networks with every digit below plane `k`
//!   dropped (a model-only comparison: static truncation of the low planes);
//! - `sieve`: sieve-aware training at each `im` and `w_bits`.

pub mod cli;
mod job;
mod merge;
mod plot;

pub use job::{job_args, read_points, run_job, Point, PointsFile};
pub use merge::{group, load, merge, Group};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use sievingnet::files::write_atomic;
use std::path::{Path, PathBuf};

/// What a job trains.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum JobKind {
    /// An exact network; also evaluated post-sieved and truncated.
    Exact { w_bits: u32, a_bits: u32 },
    /// A sieve-aware network.
    Sieve {
        w_bits: u32,
        im: f64,
        coding: String,
    },
}

/// One independent training of the study.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Job {
    pub name: String,
    pub seed: u64,
    pub kind: JobKind,
    /// The `sievingnet-train train` arguments of the network.
    pub args: Vec<String>,
}

/// A whole study: its jobs and the evaluations every exact job makes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub jobs: Vec<Job>,
    /// Acceptance rates of the post-training sieve.
    pub post_ims: Vec<f64>,
    /// Accuracy targets of the equal-accuracy table.
    pub targets: Vec<f64>,
    pub command: String,
    pub commit: String,
}

/// The grid of a study (the `plan` command's options).
#[derive(Clone, Debug)]
pub struct Grid {
    /// Arguments every job shares (data set, layers, epochs...).
    pub common: Vec<String>,
    pub seeds: Vec<u64>,
    pub exact_w_bits: Vec<u32>,
    pub exact_a_bits: Vec<u32>,
    pub sieve_w_bits: Vec<u32>,
    pub sieve_ims: Vec<f64>,
    pub sieve_codings: Vec<String>,
    pub post_ims: Vec<f64>,
    pub targets: Vec<f64>,
}

impl Grid {
    pub fn plan(&self, command: String) -> Result<Plan> {
        for &w in self.exact_w_bits.iter().chain(&self.sieve_w_bits) {
            if !(2..=16).contains(&w) {
                bail!("w_bits {w} is outside 2..=16 (the unit's weight widths)");
            }
        }
        for &a in &self.exact_a_bits {
            if !(2..=16).contains(&a) {
                bail!("--exact-a-bits {a} is outside 2..=16 (the unit's activation widths)");
            }
        }
        for &im in self.sieve_ims.iter().chain(&self.post_ims) {
            if !(im > 0.0 && im <= 1.0) {
                bail!("acceptance rate {im} is outside (0, 1]");
            }
        }
        if self.seeds.is_empty() {
            bail!("--seeds is empty: give at least one seed");
        }
        let mut jobs: Vec<Job> = Vec::new();
        for &seed in &self.seeds {
            let base = |extra: Vec<String>| -> Vec<String> {
                let mut a = self.common.clone();
                a.extend(extra);
                a.extend(["--seed".into(), seed.to_string()]);
                a
            };
            for &a_bits in &self.exact_a_bits {
                for &w_bits in &self.exact_w_bits {
                    jobs.push(Job {
                        name: format!("exact-a{a_bits}w{w_bits}-s{seed}"),
                        seed,
                        kind: JobKind::Exact { w_bits, a_bits },
                        args: base(vec![
                            "--sieve-from".into(),
                            "0".into(),
                            "--a-bits".into(),
                            a_bits.to_string(),
                            "--w-bits".into(),
                            w_bits.to_string(),
                        ]),
                    });
                }
            }
            for coding in &self.sieve_codings {
                for &w_bits in &self.sieve_w_bits {
                    for &im in &self.sieve_ims {
                        jobs.push(Job {
                            name: format!("sieve-{coding}-w{w_bits}-im{im}-s{seed}"),
                            seed,
                            kind: JobKind::Sieve {
                                w_bits,
                                im,
                                coding: coding.clone(),
                            },
                            args: base(vec![
                                "--w-bits".into(),
                                w_bits.to_string(),
                                "--im".into(),
                                im.to_string(),
                                "--coding".into(),
                                coding.clone(),
                            ]),
                        });
                    }
                }
            }
        }
        // A value given twice (e.g. `--seeds 1 --seeds 1,2`) plans its jobs once.
        let mut seen = std::collections::HashSet::new();
        jobs.retain(|j| seen.insert(j.name.clone()));
        Ok(Plan {
            jobs,
            post_ims: self.post_ims.clone(),
            targets: self.targets.clone(),
            command,
            commit: sievingnet::toolchain::source_commit(),
        })
    }
}

/// The file of a finished job.
pub fn points_file(study: &Path, job: &str) -> PathBuf {
    study.join("jobs").join(job).join("points.json")
}

/// Writes `plan.json`, `jobs.txt` and `slurm.sh` into `study`. A study can
/// grow (more seeds, widths, rates or codings): the new plan must keep
/// every job of the old one unchanged, and the same post-training rates;
/// anything else would orphan finished jobs and is refused.
pub fn write_plan(study: &Path, plan: &Plan, exe: &Path) -> Result<()> {
    std::fs::create_dir_all(study)
        .with_context(|| format!("cannot create the study folder {}", study.display()))?;
    let path = study.join("plan.json");
    if path.exists() {
        let old = read_plan(study)?;
        let kept = old.jobs.iter().all(|j| plan.jobs.contains(j));
        if !kept || old.post_ims != plan.post_ims {
            bail!(
                "{} already holds a plan that this one does not extend (it changes or drops jobs, \
                 or the post-training rates): give another --out, or remove that folder to start \
                 the study again",
                study.display()
            );
        }
    }
    write_atomic(
        &path,
        (serde_json::to_string_pretty(plan)? + "\n").as_bytes(),
    )?;
    let study_abs = std::path::absolute(study)?;
    let mut jobs = String::new();
    for j in &plan.jobs {
        jobs.push_str(&format!(
            "{} frontier run {} --job {}\n",
            exe.display(),
            study_abs.display(),
            j.name
        ));
    }
    write_atomic(&study.join("jobs.txt"), jobs.as_bytes())?;
    let slurm = format!(
        "#!/bin/sh\n\
         # One array task per line of jobs.txt; merge when all are done:\n\
         #   {exe} frontier merge {dir}\n\
         #SBATCH --job-name=sievingnet-frontier\n\
         #SBATCH --array=1-{n}\n\
         #SBATCH --cpus-per-task=2\n\
         set -e\n\
         sed -n \"${{SLURM_ARRAY_TASK_ID}}p\" {dir}/jobs.txt | sh\n",
        exe = exe.display(),
        dir = study_abs.display(),
        n = plan.jobs.len()
    );
    write_atomic(&study.join("slurm.sh"), slurm.as_bytes())?;
    Ok(())
}

pub fn read_plan(study: &Path) -> Result<Plan> {
    let path = study.join("plan.json");
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "cannot read {}: make the study with `sievingnet-train frontier plan --out {}`",
            path.display(),
            study.display()
        )
    })?;
    serde_json::from_str(&text)
        .with_context(|| format!("{} is not a frontier plan", path.display()))
}

/// The points of `job` if it has finished with the plan's arguments.
pub fn finished_points(study: &Path, job: &Job) -> Option<PointsFile> {
    job::read_points(&points_file(study, &job.name))
        .ok()
        .filter(|f| f.args == job.args)
}

/// Whether `job` has finished with the plan's arguments.
pub fn is_done(study: &Path, job: &Job) -> bool {
    finished_points(study, job).is_some()
}

/// Whether `job` (a training) produced the setting `g` (any seed).
pub fn job_matches(job: &Job, g: &Group) -> bool {
    match &job.kind {
        JobKind::Exact { w_bits, a_bits } => {
            g.family != "sieve" && *w_bits == g.w_bits && *a_bits == g.a_bits
        }
        JobKind::Sieve { w_bits, im, coding } => {
            g.family == "sieve" && *w_bits == g.w_bits && Some(*im) == g.im && *coding == g.coding
        }
    }
}
