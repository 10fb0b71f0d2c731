//! What defines a training run ([`TrainConfig`]), its checks, and the
//! schedule of its phases (float, quantization-aware, sieve-aware) and
//! acceptance rates by epoch. See [`crate::train`] for the schedule's
//! meaning.

use crate::data::Normalize;
use crate::net::OptKind;
use crate::quant;
use anyhow::{bail, Result};
use serde::Serialize;
use sievingnet::model::running_sum::RunningSumRule;
use sievingnet::UnitConfig;

/// Everything that defines a training run.
#[derive(Clone, Debug, Serialize)]
pub struct TrainConfig {
    pub dataset: String,
    /// Layer sizes, input first (e.g. 784, 512, 10).
    pub layers: Vec<usize>,
    pub epochs: usize,
    pub batch: usize,
    pub opt: OptKind,
    pub lr: f32,
    pub momentum: f32,
    pub weight_decay: f32,
    /// Linear learning-rate warm-up over this many epochs (may be fractional).
    pub warmup_epochs: f32,
    /// After warm-up the rate is multiplied by this once per epoch.
    pub lr_decay: f32,
    pub normalize: Normalize,
    pub seed: u64,
    pub unit: UnitConfig,
    /// First epoch with the integer (quantization-aware) forward pass; 0 = never.
    pub qat_from: usize,
    /// First epoch with `im < 1`; 0 = never.
    pub sieve_from: usize,
    pub im_start: f64,
    pub im_delta: f64,
    /// The lowest acceptance rate (the target).
    pub im: f64,
    /// The output layer's final acceptance rate (`None`: `im`).
    pub output_im: Option<f64>,
    /// Percentile of hidden activations mapped to `a_max` (see `quant`).
    pub act_percentile: f64,
    /// Training samples used for shift calibration and exponent statistics.
    pub calib_samples: usize,
    /// How static thresholds are chosen from `im`.
    pub thresholds: quant::ThresholdMode,
    /// How each layer's weight scale is chosen.
    pub weight_scale: quant::WeightScale,
    /// Which threshold rule the sieve uses from `sieve_from` on.
    pub rule: Rule,
    /// Learned per-neuron thresholds (see [`crate::learned`]); `None`:
    /// thresholds from `im` every epoch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub learn: Option<ThresholdLearning>,
    /// `alpha` and `beta` of the running-sum rule.
    pub rs_alpha: f64,
    pub rs_beta: i64,
    /// Show a progress bar.
    pub progress: bool,
}

/// How thresholds are learned (see [`crate::learned`]).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ThresholdLearning {
    /// The loss one kept digit-term per weight pair is worth.
    pub cost: f64,
    /// Adam's step, in planes.
    pub lr: f64,
}

/// The sieve's threshold rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// Static per-neuron thresholds from the acceptance rate `im` (the
    /// hardware's rule, written to the ROM).
    Static,
    /// The golden model's running-sum rule `T = floor(alpha * e(S)) + beta`,
    /// element-major. Not expressible in a ROM: the ROM of such a run has
    /// thresholds 0 (exact).
    RunningSum,
}

impl TrainConfig {
    pub fn rs_rule(&self) -> RunningSumRule {
        RunningSumRule {
            alpha: self.rs_alpha,
            beta: self.rs_beta,
        }
    }
    /// Whether the running-sum rule sieves in `epoch`.
    pub fn running_sum_at(&self, epoch: usize) -> bool {
        self.rule == Rule::RunningSum && self.sieve_from != 0 && epoch >= self.sieve_from
    }
}

impl TrainConfig {
    /// Checks the values a user can get wrong, naming the flag and the fix.
    pub fn validate(&self, features: usize, classes: usize) -> Result<()> {
        if self.layers.len() < 2 {
            bail!(
                "--layers {:?}: give at least an input and an output size, e.g. 784,128,10",
                self.layers
            );
        }
        if self.layers[0] != features {
            bail!(
                "--layers starts with {} but the {} data has {features} features: start with {features}",
                self.layers[0],
                self.dataset
            );
        }
        if *self.layers.last().unwrap() != classes {
            bail!(
                "--layers ends with {} but the {} data has {classes} classes: end with {classes}",
                self.layers.last().unwrap(),
                self.dataset
            );
        }
        if self.layers.contains(&0) {
            bail!("--layers {:?}: every size must be at least 1", self.layers);
        }
        if self.batch == 0 {
            bail!("--batch 0: the batch size must be at least 1");
        }
        let out_im = self.output_im.unwrap_or(self.im);
        if ![self.im, self.im_start, out_im]
            .iter()
            .all(|&r| r > 0.0 && r <= 1.0)
        {
            bail!(
                "--im {} / --im-start {} / --output-im {}: acceptance rates must be in (0, 1]",
                self.im,
                self.im_start,
                out_im
            );
        }
        if let Some(l) = self.learn {
            if self.rule != Rule::Static || self.sieve_from == 0 {
                bail!("--learn-thresholds learns static thresholds: use --rule static and a --sieve-from epoch");
            }
            if self.ims_at(self.epochs).iter().all(|&r| r >= 1.0) {
                bail!("--learn-thresholds: no layer is sieved (every final rate is 1): lower --im");
            }
            if !(l.cost >= 0.0 && l.cost.is_finite()) {
                bail!("--threshold-cost {}: must be a number >= 0", l.cost);
            }
            if !(l.lr > 0.0 && l.lr.is_finite()) {
                bail!("--threshold-lr {}: must be a positive number", l.lr);
            }
        }
        if !(self.act_percentile > 0.0 && self.act_percentile <= 100.0) {
            bail!(
                "--act-percentile {}: must be in (0, 100]",
                self.act_percentile
            );
        }
        if !(self.lr > 0.0 && self.lr.is_finite()) {
            bail!(
                "--lr {}: the learning rate must be a positive number",
                self.lr
            );
        }
        Ok(())
    }

    /// The acceptance rate of the hidden layers at `epoch` (1-based).
    pub fn im_at(&self, epoch: usize) -> f64 {
        self.rate_at(epoch, self.im)
    }

    /// Every layer's acceptance rate at `epoch`: the same schedule, down to
    /// `im` for the hidden layers and `output_im` (else `im`) for the last.
    pub fn ims_at(&self, epoch: usize) -> Vec<f64> {
        let n = self.layers.len().saturating_sub(1);
        (0..n)
            .map(|li| match self.output_im {
                Some(r) if li + 1 == n => self.rate_at(epoch, r),
                _ => self.im_at(epoch),
            })
            .collect()
    }

    fn rate_at(&self, epoch: usize, last: f64) -> f64 {
        if self.sieve_from == 0 || epoch < self.sieve_from || self.rule == Rule::RunningSum {
            1.0
        } else {
            (self.im_start - self.im_delta * (epoch - self.sieve_from + 1) as f64).max(last)
        }
    }

    /// Whether thresholds are learned in `epoch`: from the first epoch at
    /// the schedule's final rates on.
    pub fn learn_at(&self, epoch: usize) -> bool {
        self.learn.is_some()
            && self.sieve_from != 0
            && epoch >= self.sieve_from
            && self.ims_at(epoch) == self.ims_at(self.epochs)
    }

    /// Which layers learn their thresholds: those sieved at the end.
    pub fn learning_layers(&self) -> Vec<bool> {
        self.ims_at(self.epochs).iter().map(|&r| r < 1.0).collect()
    }

    pub fn qat_at(&self, epoch: usize) -> bool {
        self.qat_from != 0 && epoch >= self.qat_from
    }
}
