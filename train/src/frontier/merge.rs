//! Merging a study: the points of every finished job, grouped over seeds,
//! each family's Pareto front, the equal-accuracy table and the figure.

use super::job::Point;
use super::{finished_points, read_plan};
use anyhow::{bail, Context, Result};
use serde::Serialize;
use sievingnet::files::write_atomic;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One setting of one series (family, coding, `a_bits`), over its seeds.
#[derive(Clone, Debug, Serialize)]
pub struct Group {
    /// `family coding aA`, e.g. `sieve ternary a8`: one line of the figure.
    pub series: String,
    pub family: String,
    pub coding: String,
    pub a_bits: u32,
    pub w_bits: u32,
    pub im: Option<f64>,
    pub k: Option<u32>,
    pub seeds: usize,
    pub accuracy_mean: f64,
    pub accuracy_min: f64,
    pub accuracy_max: f64,
    pub exact_accuracy_mean: f64,
    /// Means over the seeds, per test inference.
    pub kept_terms: f64,
    pub kept_pairs: f64,
    pub active_pairs: f64,
    pub pairs: f64,
    pub sieved_share: f64,
    /// On its series' Pareto front: no cheaper setting of the series is as
    /// accurate (mean over seeds).
    pub front: bool,
}

impl Group {
    pub fn setting(&self) -> String {
        let mut s = format!("w{}", self.w_bits);
        if let Some(im) = self.im {
            s.push_str(&format!(" im {im}"));
        }
        if let Some(k) = self.k {
            s.push_str(&format!(" k {k}"));
        }
        s
    }
}

fn series_of(p: &Point) -> String {
    format!("{} {} a{}", p.family, p.coding, p.a_bits)
}

/// Groups points over seeds and marks each series' front.
pub fn group(points: &[Point]) -> Vec<Group> {
    type Key = (String, u32, Option<u64>, Option<u32>);
    let mut by: BTreeMap<Key, Vec<&Point>> = BTreeMap::new();
    for p in points {
        by.entry((series_of(p), p.w_bits, p.im.map(f64::to_bits), p.k))
            .or_default()
            .push(p);
    }
    let mut groups: Vec<Group> = by
        .into_values()
        .map(|ps| {
            let n = ps.len() as f64;
            let mean = |f: &dyn Fn(&Point) -> f64| ps.iter().map(|p| f(p)).sum::<f64>() / n;
            let p0 = ps[0];
            Group {
                series: series_of(p0),
                family: p0.family.clone(),
                coding: p0.coding.clone(),
                a_bits: p0.a_bits,
                w_bits: p0.w_bits,
                im: p0.im,
                k: p0.k,
                seeds: ps.len(),
                accuracy_mean: mean(&|p| p.accuracy),
                accuracy_min: ps.iter().map(|p| p.accuracy).fold(f64::INFINITY, f64::min),
                accuracy_max: ps.iter().map(|p| p.accuracy).fold(0.0, f64::max),
                exact_accuracy_mean: mean(&|p| p.exact_accuracy),
                kept_terms: mean(&|p| p.cost.kept_terms),
                kept_pairs: mean(&|p| p.cost.kept_pairs),
                active_pairs: mean(&|p| p.cost.active_pairs),
                pairs: mean(&|p| p.cost.pairs),
                sieved_share: mean(&|p| p.cost.sieved_share),
                front: false,
            }
        })
        .collect();
    groups.sort_by(|a, b| {
        a.series
            .cmp(&b.series)
            .then(a.kept_terms.total_cmp(&b.kept_terms))
    });
    let mut best: BTreeMap<String, f64> = BTreeMap::new();
    for g in &mut groups {
        let b = best.entry(g.series.clone()).or_insert(f64::NEG_INFINITY);
        if g.accuracy_mean > *b {
            g.front = true;
            *b = g.accuracy_mean;
        }
    }
    groups
}

/// For each target and series, the cheapest setting whose mean accuracy
/// reaches the target.
#[derive(Clone, Debug, Serialize)]
pub struct Cheapest {
    pub target: f64,
    pub series: String,
    pub setting: String,
    pub accuracy_mean: f64,
    pub kept_terms: f64,
    pub kept_pairs: f64,
}

pub fn cheapest(groups: &[Group], targets: &[f64]) -> Vec<Cheapest> {
    let mut out = Vec::new();
    for &t in targets {
        let mut series: Vec<&str> = groups.iter().map(|g| g.series.as_str()).collect();
        series.dedup();
        for s in series {
            let best = groups
                .iter()
                .filter(|g| g.series == s && g.accuracy_mean >= t)
                .min_by(|a, b| a.kept_terms.total_cmp(&b.kept_terms));
            if let Some(g) = best {
                out.push(Cheapest {
                    target: t,
                    series: s.into(),
                    setting: g.setting(),
                    accuracy_mean: g.accuracy_mean,
                    kept_terms: g.kept_terms,
                    kept_pairs: g.kept_pairs,
                });
            }
        }
    }
    out.sort_by(|a, b| {
        a.target
            .total_cmp(&b.target)
            .then(a.kept_terms.total_cmp(&b.kept_terms))
    });
    out
}

/// The study's question in one line: at the accuracy of the best 8-bit
/// exact network (mean over seeds) minus 0.3 points, the cheapest
/// sieve-aware setting against the cheapest exact setting of any width,
/// coding and activation width, and what the sieve's setting leaves out.
#[derive(Clone, Debug, Serialize)]
pub struct Headline {
    /// The best 8-bit exact setting (`w8`, 8-bit activations) and its mean.
    pub reference: String,
    pub reference_accuracy: f64,
    pub target: f64,
    pub sieve: Option<HeadlinePoint>,
    pub exact: Option<HeadlinePoint>,
    /// `sieve.kept_terms / exact.kept_terms`.
    pub ratio: Option<f64>,
}

/// One side of the [`Headline`].
#[derive(Clone, Debug, Serialize)]
pub struct HeadlinePoint {
    pub series: String,
    pub setting: String,
    pub accuracy_mean: f64,
    pub kept_terms: f64,
    /// `sieved / (sieved + kept)`.
    pub sieved_share: f64,
    /// Pairs with a non-zero activation that keep no digit, over the pairs
    /// with a non-zero activation: the MACs a skipping unit saves beyond
    /// zero skipping.
    pub idle_active_share: f64,
}

/// The [`Headline`] of `groups`; `None` without an 8-bit exact network.
pub fn headline(groups: &[Group]) -> Option<Headline> {
    let reference = groups
        .iter()
        .filter(|g| g.family == "exact" && g.w_bits == 8 && g.a_bits == 8)
        .max_by(|a, b| a.accuracy_mean.total_cmp(&b.accuracy_mean))?;
    let target = reference.accuracy_mean - 0.003;
    let cheapest = |family: &str| {
        groups
            .iter()
            .filter(|g| g.family == family && g.accuracy_mean >= target)
            .min_by(|a, b| a.kept_terms.total_cmp(&b.kept_terms))
            .map(|g| HeadlinePoint {
                series: g.series.clone(),
                setting: g.setting(),
                accuracy_mean: g.accuracy_mean,
                kept_terms: g.kept_terms,
                sieved_share: g.sieved_share,
                idle_active_share: 1.0 - g.kept_pairs / g.active_pairs.max(1e-9),
            })
    };
    let (sieve, exact) = (cheapest("sieve"), cheapest("exact"));
    let ratio = match (&sieve, &exact) {
        (Some(s), Some(e)) => Some(s.kept_terms / e.kept_terms.max(1e-9)),
        _ => None,
    };
    Some(Headline {
        reference: format!("{} {}", reference.series, reference.setting()),
        reference_accuracy: reference.accuracy_mean,
        target,
        sieve,
        exact,
        ratio,
    })
}

/// The [`Headline`] of several studies' finished jobs together, each
/// series named after its study's folder, as Markdown and JSON.
pub fn headline_of_studies(dirs: &[PathBuf]) -> Result<(String, serde_json::Value)> {
    let mut groups = Vec::new();
    let mut studies = Vec::new();
    for dir in dirs {
        let (plan, points, missing, _) = load(dir)?;
        let name = dir.file_name().map_or_else(
            || dir.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        for mut g in group(&points) {
            g.series = format!("{} [{name}]", g.series);
            groups.push(g);
        }
        studies.push(serde_json::json!({
            "study": dir,
            "plan_command": plan.command,
            "jobs": plan.jobs.len(),
            "missing_jobs": missing,
        }));
    }
    let head = headline(&groups).with_context(|| {
        format!("no 8-bit exact network in {dirs:?}: give a study with the exact family")
    })?;
    let json = serde_json::json!({
        "cost": "kept digit-terms per test inference (see sievingnet::model::cost)",
        "commit": sievingnet::toolchain::source_commit(),
        "studies": studies,
        "headline": head,
    });
    Ok((headline_markdown(&head), json))
}

fn headline_markdown(h: &Headline) -> String {
    let side = |p: &Option<HeadlinePoint>| {
        match p {
        Some(p) => format!(
            "{} {} ({:.2}%, {:.0} kept digit-terms, {:.1}% of effective terms sieved, {:.1}% of active pairs computing nothing)",
            p.series,
            p.setting,
            100.0 * p.accuracy_mean,
            p.kept_terms,
            100.0 * p.sieved_share,
            100.0 * p.idle_active_share
        ),
        None => "none reaches it".into(),
    }
    };
    format!(
        "At {:.2}% (the best 8-bit exact network, {} at {:.2}%, minus 0.3 points) the cheapest \
         sieve-aware network is {}; the cheapest exact network is {}; kept digit-terms, sieve \
         against exact: {}.\n\n",
        100.0 * h.target,
        h.reference,
        100.0 * h.reference_accuracy,
        side(&h.sieve),
        side(&h.exact),
        h.ratio.map_or("none".into(), |r| format!("{r:.2}x"))
    )
}

fn opt(v: Option<impl ToString>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn points_csv(points: &[Point]) -> String {
    let mut s = String::from(
        "family,coding,a_bits,w_bits,im,k,seed,accuracy,exact_accuracy,kept_terms,kept_pairs,active_pairs,pairs,sieved_share\n",
    );
    for p in points {
        s.push_str(&format!(
            "{},{},{},{},{},{},{},{:.6},{:.6},{:.3},{:.3},{:.3},{:.3},{:.6}\n",
            p.family,
            p.coding,
            p.a_bits,
            p.w_bits,
            opt(p.im),
            opt(p.k),
            p.seed,
            p.accuracy,
            p.exact_accuracy,
            p.cost.kept_terms,
            p.cost.kept_pairs,
            p.cost.active_pairs,
            p.cost.pairs,
            p.cost.sieved_share
        ));
    }
    s
}

fn groups_csv(groups: &[Group]) -> String {
    let mut s = String::from(
        "series,family,coding,a_bits,w_bits,im,k,seeds,accuracy_mean,accuracy_min,accuracy_max,exact_accuracy_mean,\
         kept_terms,kept_pairs,active_pairs,pairs,sieved_share,front\n",
    );
    for g in groups {
        s.push_str(&format!(
            "{},{},{},{},{},{},{},{},{:.6},{:.6},{:.6},{:.6},{:.3},{:.3},{:.3},{:.3},{:.6},{}\n",
            g.series,
            g.family,
            g.coding,
            g.a_bits,
            g.w_bits,
            opt(g.im),
            opt(g.k),
            g.seeds,
            g.accuracy_mean,
            g.accuracy_min,
            g.accuracy_max,
            g.exact_accuracy_mean,
            g.kept_terms,
            g.kept_pairs,
            g.active_pairs,
            g.pairs,
            g.sieved_share,
            g.front
        ));
    }
    s
}

fn markdown(table: &[Cheapest]) -> String {
    let mut s = String::from(
        "| target | series | cheapest setting | accuracy (mean) | kept digit-terms / inference | kept pairs / inference |\n\
         |---|---|---|---|---|---|\n",
    );
    for c in table {
        s.push_str(&format!(
            "| {:.1}% | {} | {} | {:.2}% | {:.0} | {:.0} |\n",
            100.0 * c.target,
            c.series,
            c.setting,
            100.0 * c.accuracy_mean,
            c.kept_terms,
            c.kept_pairs
        ));
    }
    s
}

/// The plan of the study in `study`, the points of its finished jobs, the
/// names of the unfinished ones and the finished jobs' training seconds.
pub fn load(study: &Path) -> Result<(super::Plan, Vec<Point>, Vec<String>, f64)> {
    let plan = read_plan(study)?;
    let mut points = Vec::new();
    let mut missing = Vec::new();
    let mut seconds = 0.0;
    for job in &plan.jobs {
        match finished_points(study, job) {
            Some(f) => {
                seconds += f.seconds;
                points.extend(f.points);
            }
            None => missing.push(job.name.clone()),
        }
    }
    if points.is_empty() {
        bail!(
            "no job of {} has finished: run `sievingnet-train frontier run {}` (or the commands in its jobs.txt) first",
            study.display(),
            study.display()
        );
    }
    Ok((plan, points, missing, seconds))
}

/// Reads every finished job of the study in `study` and writes
/// `frontier_points.csv`, `frontier.csv`, `frontier.md`, `frontier.json`
/// and `frontier.svg`. Unfinished jobs are listed, not fatal.
pub fn merge(study: &Path) -> Result<Vec<Group>> {
    let (plan, points, missing, seconds) = load(study)?;
    if !missing.is_empty() {
        eprintln!(
            "warning: {} of {} jobs have not finished (e.g. {}): merging the others",
            missing.len(),
            plan.jobs.len(),
            missing[0]
        );
    }
    let groups = group(&points);
    let table = cheapest(&groups, &plan.targets);
    write_atomic(
        &study.join("frontier_points.csv"),
        points_csv(&points).as_bytes(),
    )?;
    write_atomic(&study.join("frontier.csv"), groups_csv(&groups).as_bytes())?;
    let head = headline(&groups);
    let md = head.as_ref().map(headline_markdown).unwrap_or_default() + &markdown(&table);
    write_atomic(&study.join("frontier.md"), md.as_bytes())?;
    let json = serde_json::json!({
        "cost": "kept digit-terms per test inference (the shift-adds of the sieving unit; see sievingnet::model::cost)",
        "plan_command": plan.command,
        "plan_commit": plan.commit,
        "merge_commit": sievingnet::toolchain::source_commit(),
        "versions": crate::report::versions(),
        "jobs": plan.jobs.len(),
        "missing_jobs": missing,
        "training_seconds": seconds,
        "groups": groups,
        "cheapest_at_target": table,
        "headline": head,
    });
    write_atomic(
        &study.join("frontier.json"),
        (serde_json::to_string_pretty(&json)? + "\n").as_bytes(),
    )?;
    super::plot::frontier(&study.join("frontier.svg"), &groups)?;
    Ok(groups)
}
