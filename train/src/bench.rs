//! `sievingnet-train bench-epoch`: the time of one training epoch in each
//! mode (float, quantization-aware, sieve-aware, sieve-aware with learned
//! thresholds) on the same network and data, the training-speed figures of
//! BENCHMARKS.md.
//!
//! Each repetition trains a fresh network for one epoch per mode, from the
//! same seed, and takes the epoch's `train_seconds` (the training steps
//! only, as in `epochs.csv`; the per-epoch test measurement is left out).
//! The modes alternate inside a repetition, so a busy spell of the machine
//! touches all three; the best and the median over the repetitions are
//! reported. A sieve-aware epoch starts at the run's final `im` with the
//! thresholds calibrated on the initial network; the learned mode takes the
//! run's `--threshold-cost` and `--threshold-lr` (or their defaults).

use crate::config::ThresholdLearning;
use crate::train::{train, Prepared, TrainConfig};
use anyhow::Result;
use serde::Serialize;

/// One mode's epoch times.
#[derive(Clone, Debug, Serialize)]
pub struct ModeTimes {
    pub mode: &'static str,
    /// Every repetition's `train_seconds`.
    pub seconds: Vec<f64>,
    pub best: f64,
    pub median: f64,
}

/// The four modes in order: float, qat, sieve, sieve-learned.
pub fn bench_epochs(
    cfg: &TrainConfig,
    prep: &Prepared,
    repeat: usize,
    mut on_epoch: impl FnMut(&str, usize, f64),
) -> Result<Vec<ModeTimes>> {
    let sieve = TrainConfig {
        qat_from: 1,
        sieve_from: 1,
        im_start: cfg.im,
        ..one_epoch(cfg)
    };
    let learn = cfg.learn.unwrap_or(ThresholdLearning {
        cost: 1.0,
        lr: 0.01,
    });
    let modes: [(&'static str, TrainConfig); 4] = [
        (
            "float",
            TrainConfig {
                qat_from: 0,
                sieve_from: 0,
                ..one_epoch(cfg)
            },
        ),
        (
            "qat",
            TrainConfig {
                qat_from: 1,
                sieve_from: 0,
                ..one_epoch(cfg)
            },
        ),
        ("sieve", sieve.clone()),
        (
            "sieve-learned",
            TrainConfig {
                learn: Some(learn),
                ..sieve
            },
        ),
    ];
    let mut seconds = vec![Vec::new(); modes.len()];
    for r in 0..repeat.max(1) {
        for ((name, mc), s) in modes.iter().zip(seconds.iter_mut()) {
            let out = train(mc, prep, |_| {})?;
            let t = out.logs[0].train_seconds;
            on_epoch(name, r, t);
            s.push(t);
        }
    }
    Ok(modes
        .iter()
        .zip(seconds)
        .map(|((mode, _), seconds)| {
            let mut sorted = seconds.clone();
            sorted.sort_by(f64::total_cmp);
            ModeTimes {
                mode,
                best: sorted[0],
                median: sorted[sorted.len() / 2],
                seconds,
            }
        })
        .collect())
}

fn one_epoch(cfg: &TrainConfig) -> TrainConfig {
    TrainConfig {
        epochs: 1,
        progress: false,
        learn: None,
        ..cfg.clone()
    }
}
