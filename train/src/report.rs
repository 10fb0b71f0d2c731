//! What a run leaves behind: the weight ROM (through `sievingnet::rom`), the
//! JSON and CSV logs, with the configuration, seed and versions recorded so
//! a figure can be reproduced.

use crate::kernel::FastMlp;
use crate::train::{EpochLog, Outcome, Prepared, TrainConfig};
use anyhow::{bail, Result};
use rayon::prelude::*;
use serde_json::json;
use sievingnet::files::write_atomic;
use sievingnet::model::Cost;
use sievingnet::rom::{Rom, TestSet};
use std::path::Path;

/// Versions of this crate, the golden model crate and the main dependencies.
pub fn versions() -> serde_json::Value {
    let mut deps = serde_json::Map::new();
    for kv in env!("SIEVINGNET_TRAIN_DEP_VERSIONS").split(',') {
        if let Some((k, v)) = kv.split_once('=') {
            deps.insert(k.into(), v.into());
        }
    }
    json!({
        "sievingnet-train": env!("CARGO_PKG_VERSION"),
        "sievingnet": sievingnet_version(),
        "rustc": env!("SIEVINGNET_RUSTC_VERSION"),
        "source_hash": env!("SIEVINGNET_TRAIN_SOURCE_HASH"),
        "dependencies": deps,
    })
}

fn sievingnet_version() -> &'static str {
    // Same workspace, same version line.
    env!("CARGO_PKG_VERSION")
}

/// The `"input"` block of `model.json`: how raw features become `a_bits` integers.
pub fn input_block(cfg: &TrainConfig, prep: &Prepared) -> serde_json::Value {
    let n = &prep.normalizer;
    let uniform =
        n.offset.iter().all(|&v| v == n.offset[0]) && n.scale.iter().all(|&v| v == n.scale[0]);
    let (offset, scale) = if uniform {
        (json!(n.offset[0]), json!(n.scale[0]))
    } else {
        (json!(n.offset), json!(n.scale))
    };
    let (lo, hi) = cfg.unit.a_range();
    json!({
        "dataset": cfg.dataset,
        "features": prep.train.features,
        "classes": prep.train.classes,
        "normalize": n.kind,
        "offset": offset,
        "scale": scale,
        "multiplier": prep.in_mult,
        "formula": format!(
            "a_i = clamp(round((x_i - offset_i) * scale_i * multiplier), {lo}, {hi}), \
             round half away from zero; offset and scale are per feature when given as arrays"
        ),
    })
}

/// The ROM of a trained network with its test set, labels and the bit-exact
/// predictions. `golden_check` samples (the first ones) are also run through
/// the golden model's `IntMlp::infer` and must agree with the fast kernel.
pub fn build_rom(
    cfg: &TrainConfig,
    prep: &Prepared,
    out: &Outcome,
    golden_check: usize,
) -> Result<Rom> {
    let mlp = &out.quantized.mlp;
    let f = prep.test.features;
    let fast = FastMlp::new(mlp);
    let batch = fast.infer_batch(&prep.test_q, f);
    let inputs: Vec<Vec<i64>> = prep
        .test_q
        .chunks(f)
        .map(|r| r.iter().map(|&v| v as i64).collect())
        .collect();
    let n = golden_check.min(inputs.len());
    let bad = inputs[..n]
        .par_iter()
        .enumerate()
        .map(|(s, x)| (s, mlp.infer(x).prediction))
        .find_first(|&(s, p)| p != batch.predictions[s]);
    if let Some((s, p)) = bad {
        bail!(
            "internal error: sample {s}: golden model predicts {p}, fast kernel {} (seed {})",
            batch.predictions[s],
            cfg.seed
        );
    }
    Ok(Rom {
        mlp: mlp.clone(),
        input: input_block(cfg, prep),
        test_set: Some(TestSet {
            inputs,
            labels: prep.test.labels.iter().map(|&l| l as usize).collect(),
            predictions: batch.predictions,
        }),
    })
}

/// The cost columns of `epochs.csv`, in order (see [`sievingnet::model::cost`]).
const COST_COLUMNS: [&str; 8] = [
    "saved_zero_a",
    "saved_zero_w",
    "saved_sieved",
    "sieved_share",
    "kept_terms",
    "kept_pairs",
    "active_pairs",
    "kept_terms_per_pair",
];

fn cost_cells(c: &Cost) -> String {
    [
        c.saved_zero_a,
        c.saved_zero_w,
        c.saved_sieved,
        c.sieved_share,
        c.kept_terms,
        c.kept_pairs,
        c.active_pairs,
        c.kept_terms_per_pair,
    ]
    .iter()
    .map(|v| format!(",{v:.6}"))
    .collect()
}

/// `epochs.csv`: one row per epoch; the network's cost per test inference,
/// then each layer's as `l{k}_...` columns.
pub fn epochs_csv(logs: &[EpochLog]) -> String {
    let layers = logs.first().map(|l| l.layers.len()).unwrap_or(0);
    let mut s = String::from(
        "epoch,mode,im,lr,seconds,train_seconds,train_loss,train_acc,test_float_acc,test_exact_acc,test_sieved_acc",
    );
    for c in COST_COLUMNS {
        s.push_str(&format!(",{c}"));
    }
    for k in 0..layers {
        for c in COST_COLUMNS {
            s.push_str(&format!(",l{k}_{c}"));
        }
    }
    s.push('\n');
    for l in logs {
        s.push_str(&format!(
            "{},{},{:.4},{:.6},{:.3},{:.3},{:.6},{:.6},{:.6},{:.6},{:.6}",
            l.epoch,
            l.mode,
            l.im,
            l.lr,
            l.seconds,
            l.train_seconds,
            l.train_loss,
            l.train_acc,
            l.test_float_acc,
            l.test_exact_acc,
            l.test_sieved_acc,
        ));
        s.push_str(&cost_cells(&l.total));
        for v in &l.layers {
            s.push_str(&cost_cells(v));
        }
        s.push('\n');
    }
    s
}

/// `run.json`: configuration, seed, versions, every epoch and a summary.
pub fn run_json(cfg: &TrainConfig, logs: &[EpochLog], extra: serde_json::Value) -> String {
    let v = json!({
        "config": cfg,
        "seed": cfg.seed,
        "commit": sievingnet::toolchain::source_commit(),
        "command": std::env::args().collect::<Vec<_>>().join(" "),
        "unit": cfg.unit.tag(),
        "versions": versions(),
        "epochs": logs,
        "final": logs.last(),
        "extra": extra,
    });
    serde_json::to_string_pretty(&v).unwrap() + "\n"
}

/// Writes `run.json` and `epochs.csv` into `dir`.
pub fn write_logs(
    dir: &Path,
    cfg: &TrainConfig,
    logs: &[EpochLog],
    extra: serde_json::Value,
) -> Result<()> {
    // The library's writer: the folder must exist, so a run folder removed
    // on interrupt is never created again by a late write.
    write_atomic(&dir.join("run.json"), run_json(cfg, logs, extra).as_bytes())?;
    write_atomic(&dir.join("epochs.csv"), epochs_csv(logs).as_bytes())
}
