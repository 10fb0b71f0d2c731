//! The training loop: float epochs, then quantization-aware epochs whose
//! forward pass is the bit-exact integer network (with the sieve), and the
//! per-epoch measurements.
//!
//! # Schedule
//!
//! Epochs are numbered from 1. Before `qat_from` the forward pass is the
//! float network. From `qat_from` on, every step quantizes the current float
//! weights (see [`crate::quant`]) and runs the batch through the fast
//! integer kernel with the current thresholds, so the loss is that of the
//! hardware's arithmetic, sieve included; the backward pass treats rounding,
//! saturation and the sieve as the identity (straight-through estimator)
//! and updates the float weights.
//!
//! The acceptance rate is 1 before `sieve_from` and
//! `max(im, im_start - im_delta * (epoch - sieve_from + 1))` from then on.
//! After each epoch one pass over calibration samples (drawn from the
//! training set) records the exponents of every layer's inputs; at the
//! start of the next epoch its thresholds (and hidden-layer shifts) are
//! chosen from them and the current weights, and stay fixed for the epoch,
//! so the epoch is measured (and the ROM written) with the very thresholds
//! the weights were trained with.
//!
//! With learned thresholds ([`crate::learned`]), from the first epoch at
//! the final rates on, every step also moves the thresholds, and an epoch
//! is measured with the thresholds it ends with.
//!
//! # Measurements
//!
//! Every accuracy called `exact` or `sieved` comes from the integer kernel
//! ([`crate::kernel`]), which is bit-exact with the golden model's
//! `IntMlp::infer` (and tested so); `exact` uses thresholds 0 (nothing
//! sieved), `sieved` the thresholds of the epoch.

pub use crate::config::{Rule, TrainConfig};
use crate::data::{Dataset, Normalizer, Split};
use crate::kernel::{BatchMlp, FastMlp, RunningSumMlp, SampleResult, ThresholdSlopes, WeightLut};
use crate::learned::LearnedThresholds;
pub use crate::measure::{
    accuracy, calibrate_thresholds, calibration_stats, measure, measure_with, post_training_sieve,
    quantize_unsieved, thresholds_for,
};
use crate::net::{dense_backward, softmax_xent, Net, Optimizer};
use crate::quant::{self, LayerScales, Quantized};
use anyhow::{bail, Result};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::Serialize;
use sievingnet::model::{Cost, Work};
use sievingnet::UnitConfig;
use std::time::Instant;

/// The measurements of one epoch.
#[derive(Clone, Debug, Serialize)]
pub struct EpochLog {
    pub epoch: usize,
    /// `float`, `qat` (integer forward, nothing sieved) or `sieve`.
    pub mode: String,
    pub im: f64,
    pub lr: f32,
    /// Wall time of the epoch: training steps plus measurement.
    pub seconds: f64,
    /// Wall time of the training steps alone.
    pub train_seconds: f64,
    pub train_loss: f64,
    pub train_acc: f64,
    pub test_float_acc: f64,
    pub test_exact_acc: f64,
    pub test_sieved_acc: f64,
    /// Per layer, the cost model's figures per test inference of the
    /// sieved network (see [`sievingnet::model::cost`]).
    pub layers: Vec<Cost>,
    /// Over all layers.
    pub total: Cost,
    pub shifts: Vec<u32>,
}

/// A prepared data split: normalized floats and quantized integers.
pub struct Prepared {
    pub normalizer: Normalizer,
    pub in_mult: f64,
    pub train: Dataset,
    pub test: Dataset,
    pub train_q: Vec<i32>,
    pub test_q: Vec<i32>,
    pub calib: Dataset,
    pub calib_q: Vec<i32>,
}

impl Prepared {
    pub fn new(split: &Split, cfg: &TrainConfig) -> Prepared {
        let normalizer = Normalizer::fit(cfg.normalize, &split.train);
        let train = normalizer.apply(&split.train);
        let test = normalizer.apply(&split.test);
        let in_mult = quant::input_multiplier(&cfg.unit, &train);
        let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed ^ 0xCA11B);
        let mut idx: Vec<usize> = (0..train.len()).collect();
        idx.shuffle(&mut rng);
        idx.truncate(cfg.calib_samples.max(1).min(train.len()));
        idx.sort_unstable();
        let calib = train.subset(&idx);
        let train_q = quant::quantize_inputs(&cfg.unit, in_mult, &train.x);
        let test_q = quant::quantize_inputs(&cfg.unit, in_mult, &test.x);
        let calib_q = quant::quantize_inputs(&cfg.unit, in_mult, &calib.x);
        Prepared {
            normalizer,
            in_mult,
            train,
            test,
            train_q,
            test_q,
            calib,
            calib_q,
        }
    }
}

/// The state at the end of training.
pub struct Outcome {
    pub net: Net,
    /// The integer network with the final thresholds.
    pub quantized: Quantized,
    pub shifts: Vec<u32>,
    pub logs: Vec<EpochLog>,
    /// Exponent statistics of the last calibration pass.
    pub exp_stats: Vec<Vec<u64>>,
}

/// The integer forward pass of a quantization-aware step.
enum Forward<'a> {
    /// Static thresholds, sums that fit `i32`: the whole batch at once.
    Batch(BatchMlp<'a>),
    /// Static thresholds, wrapping or overflowing sums: per sample.
    Static(FastMlp),
    RunningSum(RunningSumMlp),
}

impl Forward<'_> {
    /// Every layer's input matrix (`batch x inputs`, sample-major) and the
    /// last layer's `y`, for the `batch` samples of `xq`.
    fn forward(&self, xq: &[i32], batch: usize) -> (Vec<Vec<i32>>, Vec<i128>) {
        match self {
            Forward::Batch(f) => f.forward(xq, batch),
            Forward::Static(f) => per_sample(xq, batch, |x, a| f.infer_with(x, Some(a), None)),
            Forward::RunningSum(r) => per_sample(xq, batch, |x, a| r.infer_with(x, Some(a))),
        }
    }
}

/// [`Forward::forward`] one sample at a time (on all threads), from a
/// kernel that records each layer's input into its second argument.
fn per_sample(
    xq: &[i32],
    batch: usize,
    infer: impl Fn(&[i32], &mut Vec<Vec<i32>>) -> SampleResult + Sync,
) -> (Vec<Vec<i32>>, Vec<i128>) {
    let per: Vec<(Vec<Vec<i32>>, Vec<i128>)> = xq
        .par_chunks(xq.len() / batch.max(1))
        .map(|x| {
            let mut acts = Vec::new();
            let r = infer(x, &mut acts);
            (acts, r.logits)
        })
        .collect();
    let nl = per.first().map_or(0, |(a, _)| a.len());
    let acts = (0..nl)
        .map(|li| {
            per.iter()
                .flat_map(|(a, _)| a[li].iter().copied())
                .collect()
        })
        .collect();
    let y = per.iter().flat_map(|(_, y)| y.iter().copied()).collect();
    (acts, y)
}

/// One quantization-aware step: integer forward (bit-exact, sieve
/// included), straight-through backward. `wq` and `scales` are the
/// dequantized weights and the scales of the network `fast` computes.
/// Returns (loss sum, correct) and, for each layer `li` with
/// `learning[li]`, its threshold slopes (`fast` must be batched then).
#[allow(clippy::too_many_arguments)]
fn qat_step(
    net: &Net,
    unit: UnitConfig,
    wq: &[Vec<f32>],
    scales: &[LayerScales],
    fast: &Forward,
    xq: &[i32],
    labels: &[u8],
    grads: &mut [Vec<f32>],
    learning: &[bool],
) -> (f64, usize, Vec<Option<ThresholdSlopes>>) {
    let batch = labels.len();
    let nl = net.layers.len();
    let mut slopes = vec![None; nl];
    let classes = net.layers[nl - 1].outputs;
    let (acts, y) = fast.forward(xq, batch);
    let s_last = scales[nl - 1].s_y as f32;
    let logits: Vec<f32> = y.iter().map(|&v| v as f32 * s_last).collect();
    let mut dz = Vec::new();
    let (loss, correct) = softmax_xent(&logits, labels, classes, &mut dz);
    let (_, a_max) = unit.a_range();
    for li in (0..nl).rev() {
        let l = &net.layers[li];
        let sc = scales[li];
        if learning.get(li) == Some(&true) {
            let Forward::Batch(f) = fast else {
                panic!("learned thresholds need the batched forward pass")
            };
            // The real output is acc * s_y (straight-through).
            let dacc: Vec<f32> = dz.iter().map(|&d| d * sc.s_y as f32).collect();
            slopes[li] = Some(f.threshold_slopes(li, &acts[li], batch, &dacc));
        }
        let x: Vec<f32> = acts[li].iter().map(|&v| v as f32 * sc.s_a as f32).collect();
        let (gw, rest) = grads[2 * li..].split_at_mut(1);
        let mut dx = Vec::new();
        dense_backward(
            l.inputs,
            l.outputs,
            &wq[li],
            &x,
            &dz,
            batch,
            &mut gw[0],
            &mut rest[0],
            if li > 0 { Some(&mut dx) } else { None },
        );
        if li > 0 {
            // ReLU and saturation of the requantized input: gradient only
            // where 0 < a < a_max.
            for (d, &v) in dx.iter_mut().zip(&acts[li]) {
                if v <= 0 || v as i64 >= a_max {
                    *d = 0.0;
                }
            }
            dz = dx;
        }
    }
    (loss, correct, slopes)
}

/// One float step. Returns (loss sum, correct).
fn float_step(net: &Net, x: &[f32], labels: &[u8], grads: &mut [Vec<f32>]) -> (f64, usize) {
    let batch = labels.len();
    let nl = net.layers.len();
    let acts = net.forward(x, batch);
    let mut dz = Vec::new();
    let (loss, correct) = softmax_xent(&acts[nl], labels, net.layers[nl - 1].outputs, &mut dz);
    for li in (0..nl).rev() {
        let l = &net.layers[li];
        let (gw, rest) = grads[2 * li..].split_at_mut(1);
        let mut dx = Vec::new();
        dense_backward(
            l.inputs,
            l.outputs,
            &l.w,
            &acts[li],
            &dz,
            batch,
            &mut gw[0],
            &mut rest[0],
            if li > 0 { Some(&mut dx) } else { None },
        );
        if li > 0 {
            for (d, &a) in dx.iter_mut().zip(&acts[li]) {
                if a <= 0.0 {
                    *d = 0.0;
                }
            }
            dz = dx;
        }
    }
    (loss, correct)
}

/// Trains a network on `prep` and measures it every epoch. `on_epoch` is
/// called after each epoch (for logs written as the run goes).
pub fn train(
    cfg: &TrainConfig,
    prep: &Prepared,
    mut on_epoch: impl FnMut(&EpochLog),
) -> Result<Outcome> {
    cfg.validate(prep.train.features, prep.train.classes)?;
    let unit = cfg.unit;
    let lut = WeightLut::new(&unit);
    let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
    let mut net = Net::new(&cfg.layers, &mut rng);
    let mut opt = Optimizer::new(cfg.opt, &net, cfg.momentum, cfg.weight_decay);
    let n = prep.train.len();
    let features = prep.train.features;
    let steps_per_epoch = n.div_ceil(cfg.batch);
    let warmup_steps = (cfg.warmup_epochs * steps_per_epoch as f32).round() as usize;
    let nl = net.layers.len();
    let zero_t = |net: &Net| {
        net.layers
            .iter()
            .map(|l| vec![0i64; l.outputs])
            .collect::<Vec<_>>()
    };
    let mut thresholds = zero_t(&net);
    let mut stats: Option<Vec<Vec<u64>>> = None;
    let mut learned: Option<LearnedThresholds> = None;
    let mut shifts = vec![0u32; nl];
    let mut logs = Vec::new();
    let mut step = 0usize;
    let mut grads: Vec<Vec<f32>> = net
        .layers
        .iter()
        .flat_map(|l| [vec![0.0; l.w.len()], vec![0.0; l.b.len()]])
        .collect();
    let mut order: Vec<usize> = (0..n).collect();
    let mut xb = Vec::new();
    let mut xqb = Vec::new();
    let mut yb = Vec::new();
    for epoch in 1..=cfg.epochs {
        let t0 = Instant::now();
        let qat = cfg.qat_at(epoch);
        let im = cfg.im_at(epoch);
        let ims = cfg.ims_at(epoch);
        // The output layer may be sieved while the hidden ones are not.
        let sieving = ims.iter().any(|&r| r < 1.0);
        let old_shifts = std::mem::take(&mut shifts);
        shifts = quant::choose_shifts(
            &net,
            &unit,
            prep.in_mult,
            &prep.calib,
            cfg.act_percentile,
            cfg.weight_scale,
        );
        if qat {
            let q = quant::quantize(
                &net,
                &unit,
                prep.in_mult,
                &shifts,
                &thresholds,
                cfg.weight_scale,
            );
            if let Some(l) = learned.as_mut() {
                l.follow_shifts(&old_shifts, &shifts);
                thresholds = l.thresholds();
            } else if sieving {
                let s = match &stats {
                    Some(s) => s.clone(),
                    None => calibration_stats(&q, &lut, prep),
                };
                thresholds = thresholds_for(&q, &lut, &s, &ims, cfg.thresholds);
                if let (true, Some(l)) = (cfg.learn_at(epoch), cfg.learn) {
                    let t_max = unit.a_bits() as i64 - 1 + unit.planes() as i64;
                    let pairs = net.layers.iter().map(|l| l.inputs * l.outputs).sum();
                    if !net.layers.iter().all(|l| lut.narrow(&unit, l.inputs)) {
                        bail!(
                            "--learn-thresholds needs sums that fit 32 bits, and this unit's do \
                             not: use fewer --w-bits or --a-bits (or fewer inputs)"
                        );
                    }
                    let layers = cfg.learning_layers();
                    learned = Some(LearnedThresholds::new(
                        l,
                        &thresholds,
                        &layers,
                        t_max,
                        pairs,
                    ));
                }
            } else {
                thresholds = zero_t(&net);
            }
        }
        order.shuffle(&mut rng);
        let bar = if cfg.progress {
            let b = indicatif::ProgressBar::new(steps_per_epoch as u64);
            b.set_style(
                indicatif::ProgressStyle::with_template(
                    "epoch {prefix} [{bar:30}] {pos}/{len} {msg} ({elapsed})",
                )
                .unwrap()
                .progress_chars("=> "),
            );
            b.set_prefix(format!("{epoch}/{}", cfg.epochs));
            b
        } else {
            indicatif::ProgressBar::hidden()
        };
        let (mut loss_sum, mut correct) = (0f64, 0usize);
        let mut lr_now = cfg.lr;
        for (bi, chunk) in order.chunks(cfg.batch).enumerate() {
            let decay_epochs = (epoch - 1) as i32 - cfg.warmup_epochs.ceil() as i32;
            let lr = if step < warmup_steps {
                cfg.lr * (step + 1) as f32 / warmup_steps as f32
            } else {
                cfg.lr * cfg.lr_decay.powi(decay_epochs.max(0))
            };
            lr_now = lr;
            yb.clear();
            yb.extend(chunk.iter().map(|&i| prep.train.labels[i]));
            let (l, c) = if qat {
                xqb.clear();
                for &i in chunk {
                    xqb.extend_from_slice(&prep.train_q[i * features..(i + 1) * features]);
                }
                let running_sum = cfg.running_sum_at(epoch);
                let step = if running_sum {
                    None
                } else {
                    quant::quantize_step(
                        &net,
                        &unit,
                        prep.in_mult,
                        &shifts,
                        &thresholds,
                        cfg.weight_scale,
                        &lut,
                    )
                };
                let (fast, wq, scales) = match step {
                    Some(s) => (Forward::Batch(s.forward), s.wq, s.scales),
                    None => {
                        let q = quant::quantize(
                            &net,
                            &unit,
                            prep.in_mult,
                            &shifts,
                            &thresholds,
                            cfg.weight_scale,
                        );
                        let fast = if running_sum {
                            Forward::RunningSum(RunningSumMlp::new(&q.mlp, cfg.rs_rule()))
                        } else {
                            Forward::Static(FastMlp::with_lut(&q.mlp, &lut))
                        };
                        (fast, quant::dequantized_weights(&q), q.scales)
                    }
                };
                let learning = learned.as_ref().map_or_else(Vec::new, |l| l.layers());
                let (l, c, slopes) = qat_step(
                    &net, unit, &wq, &scales, &fast, &xqb, &yb, &mut grads, &learning,
                );
                if let Some(lt) = learned.as_mut() {
                    lt.step(&slopes, yb.len());
                    thresholds = lt.thresholds();
                }
                (l, c)
            } else {
                xb.clear();
                for &i in chunk {
                    xb.extend_from_slice(prep.train.row(i));
                }
                float_step(&net, &xb, &yb, &mut grads)
            };
            opt.step(&mut net, &grads, lr);
            loss_sum += l;
            correct += c;
            step += 1;
            if bi % 20 == 0 {
                bar.set_message(format!(
                    "loss {:.4}",
                    loss_sum / ((bi + 1) * cfg.batch).min(n) as f64
                ));
            }
            bar.inc(1);
        }
        bar.finish_and_clear();
        let train_seconds = t0.elapsed().as_secs_f64();
        if loss_sum.is_nan() {
            bail!(
                "epoch {epoch}: the loss is NaN: lower --lr (now {}) or raise --warmup-epochs",
                cfg.lr
            );
        }
        // Measure. A quantization-aware epoch is measured with the shifts
        // and thresholds it trained with; a float epoch gets fresh ones.
        if !qat {
            shifts = quant::choose_shifts(
                &net,
                &unit,
                prep.in_mult,
                &prep.calib,
                cfg.act_percentile,
                cfg.weight_scale,
            );
            let q0 = quant::quantize(
                &net,
                &unit,
                prep.in_mult,
                &shifts,
                &thresholds,
                cfg.weight_scale,
            );
            thresholds = calibrate_thresholds(&q0, &lut, prep, &ims, cfg.thresholds).0;
        }
        let q = quant::quantize(
            &net,
            &unit,
            prep.in_mult,
            &shifts,
            &thresholds,
            cfg.weight_scale,
        );
        // Exponent statistics of this epoch's final network, for the next
        // epoch's thresholds.
        stats = Some(calibration_stats(&q, &lut, prep));
        let rs = if cfg.running_sum_at(epoch) {
            Some(cfg.rs_rule())
        } else {
            None
        };
        let (exact, sieved, work) = measure_with(&q, &lut, prep, rs);
        let float_acc = accuracy(&net.predict(&prep.test.x, features), &prep.test.labels);
        let cost = |w: &Work| Cost::of(w, unit.planes(), prep.test.len() as u64);
        let log = EpochLog {
            epoch,
            mode: if !qat {
                "float"
            } else if sieving || rs.is_some() {
                "sieve"
            } else {
                "qat"
            }
            .into(),
            im,
            lr: lr_now,
            seconds: t0.elapsed().as_secs_f64(),
            train_seconds,
            train_loss: loss_sum / n as f64,
            train_acc: correct as f64 / n as f64,
            test_float_acc: float_acc,
            test_exact_acc: exact,
            test_sieved_acc: sieved,
            layers: work.iter().map(cost).collect(),
            total: cost(&Work::total(&work)),
            shifts: shifts.clone(),
        };
        on_epoch(&log);
        logs.push(log);
    }
    let quantized = quant::quantize(
        &net,
        &unit,
        prep.in_mult,
        &shifts,
        &thresholds,
        cfg.weight_scale,
    );
    Ok(Outcome {
        net,
        quantized,
        shifts,
        logs,
        exp_stats: stats.unwrap_or_default(),
    })
}
