//! Sieve-aware MLP training for SievingNet: the research experiment of
//! putting the sieve inside a neural network, made fast and reproducible.
//! It trains an MLP, quantizes it to the unit's formats, chooses per-neuron
//! sieve thresholds, counts what the sieve saves, and writes the weight ROM
//! (SPEC section 8) that the hardware consumes.
//!
//! * [`data`]: MNIST (IDX, plain or gzip), Iris and 8x8 digits (CSV).
//! * [`net`]: the float MLP and its optimizers.
//! * [`quant`]: quantization (scales, rounding, saturation) and thresholds.
//! * [`learned`]: per-neuron thresholds learned by descent.
//! * [`kernel`]: the fast batched integer inference, bit-exact with the
//!   golden model's `IntMlp::infer` (tested against it, never the reverse).
//! * [`config`]: a training run's configuration and schedule;
//!   [`train`]: the training loop and the per-epoch measurements;
//!   [`measure`]: test-set measurement, threshold calibration, the sieve
//!   applied after training.
//! * [`report`]: ROM, JSON and CSV logs. [`plots`]: SVG figures.
//!   [`bench`](mod@bench): the time of a training epoch in each mode.
//! * [`frontier`]: the study of accuracy against work over every family
//!   (exact networks of each precision, post-training sieve, truncation,
//!   sieve-aware training). [`args`]: a training run's command line.
//!
//! # Why these dependencies
//!
//! The machine this runs on has 2 cores and no BLAS. `matrixmultiply` is a
//! pure-Rust SGEMM with runtime AVX2/FMA kernels and optional threads; the
//! float passes are nothing but GEMMs, so it carries the float training.
//! `rayon` spreads the integer kernel (one sample per task, no shared state)
//! over the cores. `rand_chacha` gives seeded, portable random streams.
//! `flate2` reads the gzip MNIST files, `indicatif` draws the progress bar,
//! `plotters` (SVG backend only, no system fonts) draws the figures.

pub mod args;
pub mod bench;
pub mod config;
pub mod data;
pub mod frontier;
pub mod kernel;
pub mod learned;
pub mod measure;
pub mod net;
pub mod output;
pub mod plots;
pub mod quant;
pub mod report;
pub mod train;

use std::path::{Path, PathBuf};

/// The training configuration of the MNIST test ROM: 784-128-10, default
/// unit, 2 epochs (one float, one sieve-aware at `im = 0.25`).
pub fn mnist_test_config(seed: u64) -> train::TrainConfig {
    train::TrainConfig {
        dataset: "mnist".into(),
        layers: vec![784, 128, 10],
        epochs: 2,
        batch: 128,
        opt: net::OptKind::Adam,
        lr: 2e-3,
        momentum: 0.9,
        weight_decay: 0.0,
        warmup_epochs: 0.2,
        lr_decay: 0.5,
        normalize: data::Normalize::Max,
        seed,
        unit: sievingnet::UnitConfig::default(),
        qat_from: 2,
        sieve_from: 2,
        im_start: 0.25,
        im_delta: 0.0,
        im: 0.25,
        output_im: None,
        act_percentile: 99.9,
        calib_samples: 10_000,
        thresholds: quant::ThresholdMode::Quantile,
        weight_scale: quant::WeightScale::Max,
        rule: train::Rule::Static,
        rs_alpha: 1.0,
        rs_beta: -6,
        learn: None,
        progress: false,
    }
}

/// Trains the small MNIST network of [`mnist_test_config`] on the IDX files
/// in `mnist_dir` and writes its ROM (with the 10,000 test images, labels
/// and bit-exact predictions) to `rom_dir`, unless the ROM there was trained
/// with the same seed, configuration and code (its `training.key` file,
/// see [`mnist_test_key`]). For co-simulation with real trained weights;
/// about a minute on 2 cores. Returns the ROM directory.
pub fn train_mnist_rom_for_tests(mnist_dir: &Path, rom_dir: &Path) -> anyhow::Result<PathBuf> {
    train_mnist_rom_for_tests_with(
        mnist_dir,
        rom_dir,
        mnist_test_config(sievingnet::seed::from_env(1)),
    )
}

/// As [`train_mnist_rom_for_tests`], with another configuration (e.g. the
/// test network with narrower weights); cached by the same key.
pub fn train_mnist_rom_for_tests_with(
    mnist_dir: &Path,
    rom_dir: &Path,
    cfg: train::TrainConfig,
) -> anyhow::Result<PathBuf> {
    let key = mnist_test_key(&cfg);
    let key_file = rom_dir.join("training.key");
    let cached = std::fs::read_to_string(&key_file).is_ok_and(|k| k == key)
        && sievingnet::rom::read_rom(rom_dir).is_ok();
    if cached {
        return Ok(rom_dir.to_path_buf());
    }
    // The files this function adds beside the ROM go first, so that the ROM
    // writer finds nothing but a ROM to replace.
    for extra in ["training.key", "run.json", "epochs.csv"] {
        let _ = std::fs::remove_file(rom_dir.join(extra));
    }
    let split = data::load_mnist(mnist_dir)?;
    let prep = train::Prepared::new(&split, &cfg);
    let out = train::train(&cfg, &prep, |_| {})?;
    let rom = report::build_rom(&cfg, &prep, &out, 200)?;
    sievingnet::rom::write_rom(rom_dir, &rom)?;
    report::write_logs(rom_dir, &cfg, &out.logs, serde_json::Value::Null)?;
    sievingnet::files::write_atomic(&key_file, key.as_bytes())?;
    Ok(rom_dir.to_path_buf())
}

/// What a cached test ROM must have been trained with: the configuration
/// (seed included) and the hash of the training code, as one line.
pub fn mnist_test_key(cfg: &train::TrainConfig) -> String {
    format!(
        "{} {}\n",
        env!("SIEVINGNET_TRAIN_SOURCE_HASH"),
        serde_json::to_string(cfg).expect("the configuration serializes")
    )
}
