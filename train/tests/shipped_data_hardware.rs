//! The data shipped in the repository (Iris, 8x8 digits) through the whole
//! chain in the default `cargo test`: trained with the sieve, written as a
//! ROM, and its test set run by `engine::infer::run_rom` through the golden
//! model, and the parallel and serial units in rust-hdl and as exported
//! Verilog in Verilator, every vector (sum, overflow, four counters), its
//! cycle, and every prediction checked.
//! Needs Verilator for the Verilog half (`scripts/install-eda.sh`).

use sievingnet::design::{Arch, Design};
use sievingnet::engine::infer::run_rom;
use sievingnet::engine::mlp::{run_accelerator, MlpEngine};
use sievingnet::engine::Engine;
use sievingnet::rom::{evaluate_rom, read_rom, write_rom, Rom};
use sievingnet::rtl::mlp::sim::MlpPacing;
use sievingnet::rtl::mlp::MlpShape;
use sievingnet::seed::from_env as seed_from_env;
use sievingnet_train::data::{load_digits, load_iris, shipped_data_dir, Normalize, Split};
use sievingnet_train::net::OptKind;
use sievingnet_train::report;
use sievingnet_train::train::{train, Prepared, TrainConfig};

/// A short sieve-aware training run (enough for a network that sieves and
/// mostly classifies right; the accuracy targets live in BENCHMARKS.md).
fn short_config(dataset: &str, layers: Vec<usize>, seed: u64) -> TrainConfig {
    TrainConfig {
        dataset: dataset.into(),
        layers,
        epochs: 30,
        batch: 32,
        opt: OptKind::Adam,
        lr: 0.01,
        momentum: 0.9,
        weight_decay: 0.0,
        warmup_epochs: 1.0,
        lr_decay: 0.97,
        normalize: if dataset == "iris" {
            Normalize::Zscore
        } else {
            Normalize::Max
        },
        seed,
        unit: sievingnet::UnitConfig::default(),
        qat_from: 10,
        sieve_from: 15,
        im_start: 1.0,
        im_delta: 0.05,
        im: 0.3,
        output_im: None,
        act_percentile: 99.9,
        calib_samples: 1000,
        thresholds: sievingnet_train::quant::ThresholdMode::Quantile,
        weight_scale: sievingnet_train::quant::WeightScale::Max,
        rule: sievingnet_train::train::Rule::Static,
        rs_alpha: 1.0,
        rs_beta: -6,
        learn: None,
        progress: false,
    }
}

/// Trains, writes and reads back the ROM (through the files, as a user's
/// ROM would come).
fn trained_rom(cfg: &TrainConfig, split: &Split) -> (tempfile::TempDir, Rom) {
    let prep = Prepared::new(split, cfg);
    let out = train(cfg, &prep, |_| {}).unwrap();
    let rom = report::build_rom(cfg, &prep, &out, usize::MAX).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("rom");
    write_rom(&dir, &rom).unwrap();
    let back = read_rom(&dir).unwrap();
    (tmp, back)
}

/// The ROM's first `limit` test samples through every engine: each engine's
/// vectors equal the golden model's (`run_rom` fails otherwise, and the
/// `rtl` and `verilog` engines also hold each result to the latency), the
/// predictions equal the ROM's file, and the counters agree everywhere.
fn through_every_engine(name: &str, rom: &Rom, limit: usize, seed: u64) {
    let ev = evaluate_rom(rom).unwrap();
    assert!(ev.predictions_match(), "{name}, seed {seed}");
    let parallel = Design::Sieve { counters: true };
    let serial = Design::Serial { counters: true };
    let model = run_rom(rom, Engine::Model, parallel, Some(limit)).unwrap();
    assert_eq!(model.mismatches, 0, "{name}, seed {seed}");
    // The sieve is on, so the check is not vacuous.
    let sieved: u64 = model.counts.iter().map(|c| c.sieved).sum();
    let kept: u64 = model.counts.iter().map(|c| c.kept).sum();
    assert!(
        sieved > 0 && kept > 0,
        "{name}, seed {seed}: {:?}",
        model.counts
    );
    for (engine, design) in [
        (Engine::Rtl, parallel),
        (Engine::Verilog, parallel),
        (Engine::Rtl, serial),
        (Engine::Verilog, serial),
    ] {
        let run = run_rom(rom, engine, design, Some(limit)).unwrap_or_else(|e| {
            panic!(
                "{name}, {} engine, {}, seed {seed}: {e:#}",
                engine.name(),
                design.name()
            )
        });
        assert_eq!(
            run.mismatches,
            0,
            "{name}, {} engine, seed {seed}",
            engine.name()
        );
        assert_eq!(run.predictions, model.predictions, "{name}, seed {seed}");
        assert_eq!(run.counts, model.counts, "{name}, seed {seed}");
        assert_eq!(run.pairs, model.pairs, "{name}, seed {seed}");
        if design == serial {
            // One clock per kept digit, at least one per pair.
            let kept: u64 = run.counts.iter().map(|c| c.kept).sum();
            let cycles: u64 = run.cycles.iter().sum();
            assert!(cycles >= run.pairs as u64 && cycles <= run.pairs as u64 + kept);
        } else {
            assert_eq!(run.cycles.iter().sum::<u64>(), run.pairs as u64);
        }
    }
    through_the_accelerator(name, rom, limit, seed);
    let n = limit.min(rom.test_set.as_ref().unwrap().inputs.len());
    assert!(
        model.correct * 2 > n,
        "{name}, seed {seed}: {} of {n} right",
        model.correct
    );
}

#[test]
fn iris_rom_through_model_rtl_and_verilog() {
    let seed = seed_from_env(1);
    let split = load_iris(&shipped_data_dir(), seed).unwrap();
    let (_tmp, rom) = trained_rom(&short_config("iris", vec![4, 10, 3], seed), &split);
    through_every_engine("iris", &rom, usize::MAX, seed);
}

#[test]
fn digits_rom_through_model_rtl_and_verilog() {
    let seed = seed_from_env(1);
    let split = load_digits(&shipped_data_dir(), seed).unwrap();
    let (_tmp, rom) = trained_rom(&short_config("digits", vec![64, 32, 10], seed), &split);
    // rust-hdl runs about 10^5 pairs per second: 40 samples = 94,720 pairs.
    through_every_engine("digits", &rom, 40, seed);
}

/// The whole network in the accelerator (SPEC section 9), every arch, one
/// lane and several: rust-hdl with random idle cycles, and the exported
/// Verilog in Verilator (the sieving arches with counters); predictions
/// equal the ROM's (the exact network's for `mac`), and every sample's
/// counters the golden model's.
fn through_the_accelerator(name: &str, rom: &Rom, limit: usize, seed: u64) {
    let t = rom.test_set.as_ref().unwrap();
    let n = limit.min(t.inputs.len());
    for arch in Arch::ALL {
        for lanes in [1, 5] {
            let mut shape = MlpShape::of_rom(rom, arch, lanes).unwrap();
            // The Verilog of the sieving arches with counters.
            if lanes > 1 && arch.counts() {
                shape = shape.with_counters().unwrap();
            }
            let pacing = MlpPacing {
                gap_probability: 0.1,
                seed,
            };
            let engine = if lanes == 1 {
                MlpEngine::Rtl
            } else {
                MlpEngine::Verilator
            };
            let run = run_accelerator(rom, &shape, engine, Some(n), &pacing)
                .unwrap_or_else(|e| panic!("{name}, {arch:?} x{lanes}, seed {seed}: {e:#}"));
            assert_eq!(
                run.mismatches(),
                0,
                "{name}, {arch:?} x{lanes}, seed {seed}"
            );
            if arch != Arch::Mac {
                assert_eq!(
                    run.run.predictions,
                    t.predictions[..n],
                    "{name}, seed {seed}"
                );
            }
            if shape.counters {
                assert_eq!(run.run.counts.len(), n, "{name}, {arch:?} x{lanes}");
                assert_eq!(
                    run.count_mismatches(),
                    0,
                    "{name}, {arch:?} x{lanes}, seed {seed}"
                );
            }
        }
    }
}
