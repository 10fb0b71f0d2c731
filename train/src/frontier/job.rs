//! One job of a study: train its network, evaluate it every way its family
//! asks, write `points.json`.

use super::{points_file, Job, JobKind, Plan};
use crate::args::TrainArgs;
use crate::kernel::{FastMlp, WeightLut};
use crate::train::{self, Prepared};
use anyhow::{Context, Result};
use clap::Parser;
use serde::{Deserialize, Serialize};
use sievingnet::files::write_atomic;
use sievingnet::model::{Cost, Work};
use sievingnet::{Coding, UnitConfig};
use std::path::Path;
use std::time::Instant;

/// One evaluated network: its family, its knob, its accuracy and its cost
/// per test inference.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Point {
    /// `exact`, `post-sieve`, `truncation` or `sieve`.
    pub family: String,
    /// The coding the cost is counted in.
    pub coding: String,
    pub a_bits: u32,
    pub w_bits: u32,
    /// The acceptance rate (`post-sieve`, `sieve`).
    pub im: Option<f64>,
    /// The lowest plane kept (`truncation`).
    pub k: Option<u32>,
    pub seed: u64,
    /// Test accuracy of the evaluated integer network.
    pub accuracy: f64,
    /// Test accuracy of the same weights with nothing sieved or dropped.
    pub exact_accuracy: f64,
    pub cost: Cost,
}

/// What a finished job leaves: its arguments, its points, and where they
/// come from.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PointsFile {
    pub job: String,
    pub args: Vec<String>,
    pub seconds: f64,
    pub commit: String,
    pub versions: serde_json::Value,
    pub points: Vec<Point>,
}

pub fn read_points(path: &Path) -> Result<PointsFile> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not a job's points", path.display()))
}

#[derive(Parser)]
struct JobCli {
    #[command(flatten)]
    train: TrainArgs,
}

/// The training arguments of `job`, parsed as `train` parses them.
pub fn job_args(job: &Job) -> Result<TrainArgs> {
    let argv = std::iter::once("train".to_string()).chain(job.args.iter().cloned());
    JobCli::try_parse_from(argv)
        .map(|c| c.train)
        .with_context(|| {
            format!(
                "job {}: its arguments {:?} do not parse",
                job.name, job.args
            )
        })
}

/// Trains `job`'s network and writes its points. `on_epoch` sees every
/// epoch's summary line.
pub fn run_job(study: &Path, plan: &Plan, job: &Job, mut on_epoch: impl FnMut(&str)) -> Result<()> {
    let t0 = Instant::now();
    let args = job_args(job)?;
    let mut cfg = args.config()?;
    cfg.progress = false;
    let split = args.load(cfg.seed)?;
    cfg.validate(split.train.features, split.train.classes)?;
    let prep = Prepared::new(&split, &cfg);
    let outcome = train::train(&cfg, &prep, |l| {
        on_epoch(&format!(
            "{} epoch {}/{} {} test sieved {:.2}%",
            job.name,
            l.epoch,
            cfg.epochs,
            l.mode,
            100.0 * l.test_sieved_acc
        ))
    })?;
    let unit = cfg.unit;
    let n = prep.test.len() as u64;
    let point = |family: &str, u: &UnitConfig, im, k, acc, exact, work: &[Work]| Point {
        family: family.into(),
        coding: u.coding().to_string(),
        a_bits: u.a_bits(),
        w_bits: u.w_bits(),
        im,
        k,
        seed: cfg.seed,
        accuracy: acc,
        exact_accuracy: exact,
        cost: Cost::of(&Work::total(work), u.planes(), n),
    };
    let mut points = Vec::new();
    match &job.kind {
        JobKind::Sieve { im, .. } => {
            let lut = WeightLut::new(&unit);
            let (exact, sieved, work) = train::measure(&outcome.quantized, &lut, &prep);
            points.push(point("sieve", &unit, Some(*im), None, sieved, exact, &work));
        }
        JobKind::Exact { .. } => {
            for coding in Coding::ALL {
                let u = unit.with_coding(coding);
                let lut = WeightLut::new(&u);
                let q0 = train::quantize_unsieved(&cfg, &prep, &outcome, &u);
                let (exact, _, work) = train::measure(&q0, &lut, &prep);
                points.push(point("exact", &u, None, None, exact, exact, &work));
                for k in 1..u.planes() {
                    let b = FastMlp::truncated(&q0.mlp, &lut, k)
                        .infer_batch(&prep.test_q, prep.test.features);
                    let acc = train::accuracy(&b.predictions, &prep.test.labels);
                    points.push(point(
                        "truncation",
                        &u,
                        None,
                        Some(k),
                        acc,
                        exact,
                        &b.work(),
                    ));
                }
                if coding != unit.coding() {
                    continue;
                }
                for &im in &plan.post_ims {
                    let (_, sieved, work) =
                        train::post_training_sieve(&cfg, &prep, &outcome, &q0, &lut, im);
                    points.push(point(
                        "post-sieve",
                        &u,
                        Some(im),
                        None,
                        sieved,
                        exact,
                        &work,
                    ));
                }
            }
        }
    }
    let file = PointsFile {
        job: job.name.clone(),
        args: job.args.clone(),
        seconds: t0.elapsed().as_secs_f64(),
        commit: sievingnet::toolchain::source_commit(),
        versions: crate::report::versions(),
        points,
    };
    let path = points_file(study, &job.name);
    std::fs::create_dir_all(path.parent().expect("a job file has a folder"))?;
    write_atomic(
        &path,
        (serde_json::to_string_pretty(&file)? + "\n").as_bytes(),
    )
}
