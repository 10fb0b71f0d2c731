//! The command line of a training run, shared by `train`, `sweep` and the
//! frontier's points (each point is a list of these arguments).

use crate::config::{Rule, ThresholdLearning, TrainConfig};
use crate::data::{self, Normalize, Split};
use crate::net::OptKind;
use crate::quant::{ThresholdMode, WeightScale};
use anyhow::{Context, Result};
use clap::Args;
use sievingnet::presets::UnitArgs;
use std::path::PathBuf;

/// The arguments of one training run.
#[derive(Args, Debug, Clone)]
pub struct TrainArgs {
    /// Data set: iris and digits ship in train/data; mnist needs --data-dir.
    #[arg(long, default_value = "iris", value_parser = ["iris", "digits", "mnist"])]
    pub dataset: String,
    /// Folder with the data files (MNIST: the four IDX files, plain or .gz).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Layer sizes, input first [default: iris 4,10,3; digits 64,64,10; mnist 784,512,10].
    #[arg(long, value_delimiter = ',')]
    pub layers: Option<Vec<usize>>,
    /// Epochs [default: iris 300, digits 100, mnist 15].
    #[arg(long)]
    pub epochs: Option<usize>,
    /// Batch size [default: iris 16, others 128].
    #[arg(long)]
    pub batch: Option<usize>,
    #[arg(long, value_enum, default_value_t = OptKind::Adam)]
    pub opt: OptKind,
    /// Learning rate [default: adam 0.002 (iris 0.01, digits 0.005), sgd 0.05].
    #[arg(long)]
    pub lr: Option<f32>,
    /// SGD momentum.
    #[arg(long, default_value_t = 0.9)]
    pub momentum: f32,
    /// L2 weight decay of the weights (not the biases) [default: iris 0.001
    /// (chosen on validation folds, see train/examples/iris_validation.rs),
    /// others 0].
    #[arg(long)]
    pub weight_decay: Option<f32>,
    /// Linear learning-rate warm-up, in epochs.
    #[arg(long, default_value_t = 0.5)]
    pub warmup_epochs: f32,
    /// Per-epoch learning-rate factor after warm-up [default: iris 0.995, digits 0.98, mnist 0.8].
    #[arg(long)]
    pub lr_decay: Option<f32>,
    /// Input normalization [default: iris zscore, others max].
    #[arg(long, value_enum)]
    pub normalize: Option<Normalize>,
    /// Random seed [default: $SIEVINGNET_SEED or 1].
    #[arg(long)]
    pub seed: Option<u64>,
    /// First epoch whose forward pass is the integer network (0 = never)
    /// [default: iris 120, digits 40, mnist 6].
    #[arg(long)]
    pub qat_from: Option<usize>,
    /// First epoch with im < 1 (0 = never) [default: iris 150, digits 50, mnist 7].
    #[arg(long)]
    pub sieve_from: Option<usize>,
    /// Acceptance rate when the sieve starts.
    #[arg(long, default_value_t = 1.0)]
    pub im_start: f64,
    /// Lowered by this per epoch [default: iris 0.01, digits 0.05, mnist 0.25].
    #[arg(long)]
    pub im_delta: Option<f64>,
    /// The final (lowest) acceptance rate.
    #[arg(long, default_value_t = 0.22)]
    pub im: f64,
    /// The output layer's final acceptance rate, if not --im (per-layer
    /// sieving: the output layer streams few pairs but decides the class).
    #[arg(long)]
    pub output_im: Option<f64>,
    /// How static thresholds follow `im`: per-neuron quantile of its terms,
    /// or relative to each neuron's typical output with one margin per layer.
    #[arg(long, value_enum, default_value_t = ThresholdMode::Quantile)]
    pub thresholds: ThresholdMode,
    /// Weight scale per layer: the largest weight maps to the largest code
    /// (max), or the clipping level with the least rounding error (mse; what
    /// 2- and 3-bit weights need).
    #[arg(long, value_enum, default_value_t = WeightScale::Max)]
    pub weight_scale: WeightScale,
    /// Threshold rule of the sieve: static per-neuron thresholds from `im`
    /// (the hardware's, written to the ROM) or the model's running-sum rule.
    #[arg(long, value_enum, default_value_t = Rule::Static)]
    pub rule: Rule,
    /// alpha of the running-sum rule T = floor(alpha * e(S)) + beta.
    #[arg(long, default_value_t = 1.0)]
    pub rs_alpha: f64,
    /// beta of the running-sum rule.
    #[arg(long, default_value_t = -6, allow_hyphen_values = true)]
    pub rs_beta: i64,
    /// Learn each sieved neuron's threshold by gradient descent on the loss
    /// plus --threshold-cost times the work, from the first epoch at the
    /// final --im on (see the module docs of `learned`).
    #[arg(long)]
    pub learn_thresholds: bool,
    /// The loss one kept digit-term per weight pair is worth, for
    /// --learn-thresholds: higher sieves more.
    #[arg(long, default_value_t = 1.0, requires = "learn_thresholds")]
    pub threshold_cost: f64,
    /// Adam's step for --learn-thresholds, in planes per batch.
    #[arg(long, default_value_t = 0.01, requires = "learn_thresholds")]
    pub threshold_lr: f64,
    /// Percentile of hidden activations mapped to the largest activation.
    #[arg(long, default_value_t = 99.9)]
    pub act_percentile: f64,
    /// Training samples for calibration and exponent statistics.
    #[arg(long, default_value_t = 10_000)]
    pub calib_samples: usize,
    /// The unit the network is quantized to (SPEC section 1).
    #[command(flatten)]
    pub unit: UnitArgs,
    /// Output folder for logs, plots and the ROM [default: runs/DATASET].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// ROM folder [default: OUT/rom].
    #[arg(long)]
    pub rom: Option<PathBuf>,
    /// Test samples also run through the golden model before the ROM is
    /// written [default: all for iris and digits, 1000 for mnist].
    #[arg(long)]
    pub golden_check: Option<usize>,
    #[arg(long)]
    pub no_plots: bool,
    /// No progress bar and no phase lines (the summary line stays).
    #[arg(long)]
    pub quiet: bool,
    /// Print every epoch's line on stderr (they always go to train.log in
    /// the run folder).
    #[arg(long)]
    pub verbose: bool,
}

impl TrainArgs {
    pub fn config(&self) -> Result<TrainConfig> {
        let d = self.dataset.as_str();
        let k = match d {
            "iris" => 0,
            "digits" => 1,
            _ => 2,
        };
        let unit = self.unit.config()?;
        let default_lr = match (self.opt, d) {
            (OptKind::Adam, "iris") => 0.01,
            (OptKind::Adam, "digits") => 0.005,
            (OptKind::Adam, _) => 0.002,
            (OptKind::Sgd, _) => 0.05,
        };
        Ok(TrainConfig {
            dataset: d.into(),
            layers: self.layers.clone().unwrap_or_else(|| {
                [vec![4, 10, 3], vec![64, 64, 10], vec![784, 512, 10]][k].clone()
            }),
            epochs: self.epochs.unwrap_or([300, 100, 15][k]),
            batch: self.batch.unwrap_or([16, 128, 128][k]),
            opt: self.opt,
            lr: self.lr.unwrap_or(default_lr),
            momentum: self.momentum,
            weight_decay: self.weight_decay.unwrap_or([1e-3, 0.0, 0.0][k]),
            warmup_epochs: self.warmup_epochs,
            lr_decay: self.lr_decay.unwrap_or([0.995, 0.98, 0.8][k]),
            normalize: self
                .normalize
                .unwrap_or([Normalize::Zscore, Normalize::Max, Normalize::Max][k]),
            seed: match self.seed {
                Some(s) => s,
                None => sievingnet::seed::try_from_env()
                    .map_err(anyhow::Error::msg)?
                    .unwrap_or(1),
            },
            unit,
            qat_from: self.qat_from.unwrap_or([120, 40, 6][k]),
            sieve_from: self.sieve_from.unwrap_or([150, 50, 7][k]),
            im_start: self.im_start,
            im_delta: self.im_delta.unwrap_or([0.01, 0.05, 0.25][k]),
            im: self.im,
            output_im: self.output_im,
            act_percentile: self.act_percentile,
            calib_samples: self.calib_samples,
            thresholds: self.thresholds,
            weight_scale: self.weight_scale,
            rule: self.rule,
            rs_alpha: self.rs_alpha,
            rs_beta: self.rs_beta,
            learn: self.learn_thresholds.then_some(ThresholdLearning {
                cost: self.threshold_cost,
                lr: self.threshold_lr,
            }),
            progress: !self.quiet,
        })
    }

    pub fn load(&self, seed: u64) -> Result<Split> {
        match self.dataset.as_str() {
            "mnist" => {
                let dir = self.data_dir.clone().context(
                    "--dataset mnist needs --data-dir DIR, the folder with the four MNIST IDX files \
                     (e.g. ../shared/data/mnist)",
                )?;
                data::load_mnist(&dir)
            }
            "iris" => data::load_iris(
                &self.data_dir.clone().unwrap_or_else(data::shipped_data_dir),
                seed,
            ),
            _ => data::load_digits(
                &self.data_dir.clone().unwrap_or_else(data::shipped_data_dir),
                seed,
            ),
        }
    }

    pub fn out_dir(&self) -> PathBuf {
        self.out
            .clone()
            .unwrap_or_else(|| PathBuf::from("runs").join(&self.dataset))
    }
}
