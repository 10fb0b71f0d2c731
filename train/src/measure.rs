//! Measuring a quantized network on the test set, choosing its thresholds
//! from calibration data, and the sieve applied after training. Every
//! accuracy here comes from the fast kernel, bit-exact with the golden model.

use crate::kernel::{FastMlp, RunningSumMlp, WeightLut};
use crate::quant::{self, Quantized};
use crate::train::{Outcome, Prepared, TrainConfig};
use sievingnet::model::running_sum::RunningSumRule;
use sievingnet::model::Work;
use sievingnet::UnitConfig;

/// The share of `pred` equal to `labels`.
pub fn accuracy(pred: &[usize], labels: &[u8]) -> f64 {
    let ok = pred
        .iter()
        .zip(labels)
        .filter(|(p, l)| **p == **l as usize)
        .count();
    ok as f64 / labels.len().max(1) as f64
}

/// Measures a quantized network on the test set: (exact acc, sieved acc,
/// the sieved network's work per layer).
pub fn measure(q: &Quantized, lut: &WeightLut, prep: &Prepared) -> (f64, f64, Vec<Work>) {
    measure_with(q, lut, prep, None)
}

/// [`measure`], with the running-sum rule in place of the thresholds if given.
pub fn measure_with(
    q: &Quantized,
    lut: &WeightLut,
    prep: &Prepared,
    rs: Option<RunningSumRule>,
) -> (f64, f64, Vec<Work>) {
    let mut exact = q.mlp.clone();
    for l in &mut exact.layers {
        l.thresholds.iter_mut().for_each(|t| *t = 0);
    }
    let f = prep.test.features;
    let e = FastMlp::with_lut(&exact, lut).infer_batch(&prep.test_q, f);
    let s = match rs {
        None => FastMlp::with_lut(&q.mlp, lut).infer_batch(&prep.test_q, f),
        Some(rule) => RunningSumMlp::new(&exact, rule).infer_batch(&prep.test_q, f),
    };
    (
        accuracy(&e.predictions, &prep.test.labels),
        accuracy(&s.predictions, &prep.test.labels),
        s.work(),
    )
}

/// The trained network of `outcome` quantized to `unit` with every
/// threshold 0 (nothing sieved).
pub fn quantize_unsieved(
    cfg: &TrainConfig,
    prep: &Prepared,
    outcome: &Outcome,
    unit: &UnitConfig,
) -> Quantized {
    let zero: Vec<Vec<i64>> = outcome
        .net
        .layers
        .iter()
        .map(|l| vec![0; l.outputs])
        .collect();
    quant::quantize(
        &outcome.net,
        unit,
        prep.in_mult,
        &outcome.shifts,
        &zero,
        cfg.weight_scale,
    )
}

/// The sieve applied after training: thresholds calibrated at `im` on the
/// unsieved network `q0` (of [`quantize_unsieved`]), the network
/// requantized with them and measured like [`measure`].
pub fn post_training_sieve(
    cfg: &TrainConfig,
    prep: &Prepared,
    outcome: &Outcome,
    q0: &Quantized,
    lut: &WeightLut,
    im: f64,
) -> (f64, f64, Vec<Work>) {
    let ims = vec![im; q0.mlp.layers.len()];
    let (t, _) = calibrate_thresholds(q0, lut, prep, &ims, cfg.thresholds);
    let q = quant::quantize(
        &outcome.net,
        &q0.mlp.unit,
        prep.in_mult,
        &outcome.shifts,
        &t,
        cfg.weight_scale,
    );
    measure(&q, lut, prep)
}

/// Chooses every layer's thresholds for its acceptance rate (`ims`, one per
/// layer) from exponent statistics.
pub fn thresholds_for(
    q: &Quantized,
    lut: &WeightLut,
    stats: &[Vec<u64>],
    ims: &[f64],
    mode: quant::ThresholdMode,
) -> Vec<Vec<i64>> {
    assert_eq!(
        ims.len(),
        q.mlp.layers.len(),
        "one acceptance rate per layer"
    );
    q.mlp
        .layers
        .iter()
        .zip(stats)
        .zip(ims)
        .map(|((l, s), &im)| quant::choose_thresholds(&q.mlp.unit, lut, l, s, im, mode))
        .collect()
}

/// Re-derives thresholds from a fresh calibration pass (thresholds `from`
/// in place while collecting) and returns them with the statistics.
pub fn calibrate_thresholds(
    q: &Quantized,
    lut: &WeightLut,
    prep: &Prepared,
    ims: &[f64],
    mode: quant::ThresholdMode,
) -> (Vec<Vec<i64>>, Vec<Vec<u64>>) {
    let stats = calibration_stats(q, lut, prep);
    (thresholds_for(q, lut, &stats, ims, mode), stats)
}

/// The exponent statistics of a calibration pass of `q` (what
/// [`thresholds_for`] takes).
pub fn calibration_stats(q: &Quantized, lut: &WeightLut, prep: &Prepared) -> Vec<Vec<u64>> {
    FastMlp::with_lut(&q.mlp, lut).exp_stats_batch(&prep.calib_q, prep.calib.features)
}
