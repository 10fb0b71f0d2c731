//! Trained networks against the golden model, and the command line.
//!
//! The Iris tests need nothing outside the repository. The MNIST tests read
//! the IDX files from `SIEVINGNET_MNIST_DIR` and are ignored when it is
//! unset; the first of them to run trains a 784-128-10 network (2 epochs)
//! and writes its ROM to `$CARGO_TARGET_TMPDIR/mnist-rom`, which the others
//! reuse.

use sievingnet::model::mlp::IntMlp;
use sievingnet::rom::{evaluate_rom, read_rom, write_rom};
use sievingnet::seed::from_env as seed_from_env;
use sievingnet_train::data::{load_iris, shipped_data_dir, Normalize};
use sievingnet_train::kernel::FastMlp;
use sievingnet_train::net::OptKind;
use sievingnet_train::report;
use sievingnet_train::train::{train, Prepared, TrainConfig};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sievingnet-train"))
}

fn iris_config(seed: u64) -> TrainConfig {
    TrainConfig {
        dataset: "iris".into(),
        layers: vec![4, 10, 3],
        epochs: 120,
        batch: 16,
        opt: OptKind::Adam,
        lr: 0.01,
        momentum: 0.9,
        weight_decay: 0.0,
        warmup_epochs: 1.0,
        lr_decay: 0.99,
        normalize: Normalize::Zscore,
        seed,
        unit: sievingnet::UnitConfig::default(),
        qat_from: 40,
        sieve_from: 60,
        im_start: 1.0,
        im_delta: 0.02,
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

/// Every sample of `inputs`: the fast kernel equals `IntMlp::infer` in
/// logits, prediction, all four counters of every layer and overflow flags.
fn assert_fast_equals_golden(mlp: &IntMlp, inputs: &[Vec<i64>], seed: u64) {
    let fast = FastMlp::new(mlp);
    for (s, x) in inputs.iter().enumerate() {
        let g = mlp.infer(x);
        let x32: Vec<i32> = x.iter().map(|&v| v as i32).collect();
        let f = fast.infer(&x32);
        assert_eq!(f.logits, g.logits, "seed {seed}, sample {s}: logits");
        assert_eq!(
            f.prediction, g.prediction,
            "seed {seed}, sample {s}: prediction"
        );
        assert_eq!(f.counts, g.counts, "seed {seed}, sample {s}: counters");
        assert_eq!(f.overflow, g.overflow, "seed {seed}, sample {s}: overflow");
    }
}

#[test]
fn iris_trained_network_is_bit_exact_and_its_rom_round_trips() {
    let seed = seed_from_env(3);
    let cfg = iris_config(seed);
    let split = load_iris(&shipped_data_dir(), seed).unwrap();
    let prep = Prepared::new(&split, &cfg);
    let out = train(&cfg, &prep, |_| {}).unwrap();
    let last = out.logs.last().unwrap();
    assert!(
        last.test_exact_acc >= 0.8,
        "seed {seed}: exact accuracy {}",
        last.test_exact_acc
    );
    assert!(
        last.total.sieved_share > 0.3,
        "seed {seed}: the sieve is on at im 0.3"
    );
    let rom = report::build_rom(&cfg, &prep, &out, usize::MAX).unwrap();
    let test = rom.test_set.as_ref().unwrap();
    assert_fast_equals_golden(&rom.mlp, &test.inputs, seed);
    // The logged sieved accuracy is the golden model's.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("iris-rom");
    write_rom(&dir, &rom).unwrap();
    let back = read_rom(&dir).unwrap();
    assert_eq!(back.mlp, rom.mlp, "seed {seed}");
    assert_eq!(back.test_set, rom.test_set, "seed {seed}");
    assert_eq!(
        back.input["multiplier"], rom.input["multiplier"],
        "seed {seed}"
    );
    let ev = evaluate_rom(&back).unwrap();
    assert!(ev.predictions_match(), "seed {seed}");
    assert!(
        (ev.accuracy - last.test_sieved_acc).abs() < 1e-12,
        "seed {seed}"
    );
    let share: f64 = {
        let (s, k) = ev
            .counts
            .iter()
            .fold((0, 0), |(s, k), c| (s + c.sieved, k + c.kept));
        s as f64 / (s + k) as f64
    };
    assert!(
        (share - last.total.sieved_share).abs() < 1e-12,
        "seed {seed}"
    );
}

#[test]
fn the_output_layer_takes_its_own_acceptance_rate() {
    let seed = seed_from_env(3);
    let split = load_iris(&shipped_data_dir(), seed).unwrap();
    let cfg = iris_config(seed);
    let prep = Prepared::new(&split, &cfg);
    // The schedule: both layers from im 1 down, each to its own floor.
    let per_layer = TrainConfig {
        output_im: Some(0.8),
        ..cfg.clone()
    };
    assert_eq!(per_layer.ims_at(cfg.sieve_from - 1), vec![1.0, 1.0]);
    assert_eq!(per_layer.ims_at(cfg.sieve_from + 4), vec![0.9, 0.9]);
    assert_eq!(per_layer.ims_at(cfg.epochs), vec![0.3, 0.8]);
    assert_eq!(cfg.ims_at(cfg.epochs), vec![0.3, 0.3]);
    // Sieved shares per layer: the hidden layer's is the same schedule's
    // either way, the output layer's falls when it is sieved less.
    let share = |c: &TrainConfig| -> Vec<f64> {
        let out = train(c, &prep, |_| {}).unwrap();
        let last = out.logs.last().unwrap();
        last.layers.iter().map(|l| l.sieved_share).collect()
    };
    let (same, gentle) = (share(&cfg), share(&per_layer));
    assert!(
        gentle[1] < same[1] * 0.75,
        "seed {seed}: output layer sieved {} at im 0.8, {} at 0.3",
        gentle[1],
        same[1]
    );
    assert!(
        gentle[0] > 0.3,
        "seed {seed}: hidden layer sieved {}",
        gentle[0]
    );
    // Only the output layer sieved: the sieve is on although `im` is 1.
    let only_output = share(&TrainConfig {
        im: 1.0,
        output_im: Some(0.3),
        ..cfg.clone()
    });
    assert_eq!(only_output[0], 0.0, "seed {seed}: hidden layer at im 1");
    assert!(
        only_output[1] > 0.3,
        "seed {seed}: output layer sieved {}",
        only_output[1]
    );
    let bad = TrainConfig {
        output_im: Some(1.5),
        ..cfg.clone()
    };
    let err = bad.validate(4, 3).unwrap_err().to_string();
    assert!(err.contains("--output-im 1.5"), "{err}");
}

#[test]
fn learned_thresholds_trade_loss_for_work_and_stay_bit_exact() {
    use sievingnet_train::config::ThresholdLearning;
    let seed = seed_from_env(3);
    let split = load_iris(&shipped_data_dir(), seed).unwrap();
    let cfg = iris_config(seed);
    let prep = Prepared::new(&split, &cfg);
    let learning = |cost: f64| TrainConfig {
        learn: Some(ThresholdLearning { cost, lr: 0.05 }),
        ..cfg.clone()
    };
    // Learning starts at the first epoch at the final rate.
    let first = (cfg.sieve_from..=cfg.epochs)
        .find(|&e| cfg.ims_at(e) == vec![0.3, 0.3])
        .unwrap();
    assert!(!learning(1.0).learn_at(first - 1) && learning(1.0).learn_at(first));
    assert!(!cfg.learn_at(first));
    let run = |c: &TrainConfig| {
        let out = train(c, &prep, |_| {}).unwrap();
        // The network as it ends (and as the ROM gets it) is the one the
        // last epoch measured, and the golden model agrees with it.
        let inputs: Vec<Vec<i64>> = prep
            .test_q
            .chunks(prep.test.features)
            .map(|r| r.iter().map(|&v| v as i64).collect())
            .collect();
        assert_fast_equals_golden(&out.quantized.mlp, &inputs, seed);
        let preds: Vec<usize> = inputs
            .iter()
            .map(|x| out.quantized.mlp.infer(x).prediction)
            .collect();
        let hits = preds
            .iter()
            .zip(&prep.test.labels)
            .filter(|(p, l)| **p == **l as usize)
            .count();
        let last = out.logs.last().unwrap().clone();
        assert_eq!(hits as f64 / inputs.len() as f64, last.test_sieved_acc);
        (out.quantized.mlp, last.total.kept_terms)
    };
    let (quantile, k_quantile) = run(&cfg);
    let (cheap, k_cheap) = run(&learning(100.0));
    let (careful, k_careful) = run(&learning(0.0));
    assert!(
        k_cheap < k_quantile && k_quantile < k_careful,
        "seed {seed}: kept terms {k_cheap} (cost 100), {k_quantile} (quantiles), {k_careful} (cost 0)"
    );
    let thresholds =
        |m: &IntMlp| -> Vec<i64> { m.layers.iter().flat_map(|l| l.thresholds.clone()).collect() };
    assert_ne!(thresholds(&cheap), thresholds(&quantile));
    assert_ne!(thresholds(&careful), thresholds(&quantile));
    // Sums wider than 32 bits have no batched kernel to take slopes from.
    let wide = TrainConfig {
        unit: sievingnet::UnitConfig::builder()
            .a_bits(16)
            .w_bits(16)
            .build()
            .unwrap(),
        ..learning(1.0)
    };
    let err = train(&wide, &prep, |_| {})
        .err()
        .expect("refused")
        .to_string();
    assert!(
        err.contains("--learn-thresholds needs sums that fit 32 bits"),
        "{err}"
    );
    // What cannot be learned is refused, naming the flag.
    for (bad, flag) in [
        (
            TrainConfig {
                rule: sievingnet_train::train::Rule::RunningSum,
                ..learning(1.0)
            },
            "--rule static",
        ),
        (learning(-1.0), "--threshold-cost -1"),
        (
            TrainConfig {
                im: 1.0,
                ..learning(1.0)
            },
            "no layer is sieved",
        ),
    ] {
        let err = bad.validate(4, 3).unwrap_err().to_string();
        assert!(err.contains(flag), "{err}");
    }
}

#[test]
fn cli_default_run_writes_rom_logs_and_plots_and_eval_rom_checks_it() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    let st = bin()
        .args([
            "train",
            "--dataset",
            "iris",
            "--epochs",
            "60",
            "--qat-from",
            "20",
            "--sieve-from",
            "30",
        ])
        .args(["--im-delta", "0.05", "--quiet", "--seed", "7", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    for f in [
        "run.json",
        "epochs.csv",
        "exponents.svg",
        "learning_curves.svg",
        "savings.svg",
        "rom/model.json",
    ] {
        assert!(out.join(f).exists(), "{f} missing");
    }
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(run["seed"], 7);
    assert!(run["versions"]["dependencies"]["matrixmultiply"].is_string());
    let csv = std::fs::read_to_string(out.join("epochs.csv")).unwrap();
    assert_eq!(csv.lines().count(), 61);
    assert!(csv.starts_with("epoch,mode,im,lr,seconds,train_seconds,train_loss,train_acc,test_float_acc,test_exact_acc,test_sieved_acc"));
    let svg = std::fs::read_to_string(out.join("learning_curves.svg")).unwrap();
    assert!(svg.starts_with("<svg"));
    let svg = std::fs::read_to_string(out.join("savings.svg")).unwrap();
    for kind in [
        "a = 0",
        "weight digit 0",
        "sieved",
        "kept",
        "layer 1",
        "network",
    ] {
        assert!(svg.contains(kind), "savings.svg has no {kind:?}");
    }

    let rom = out.join("rom");
    let st = bin().arg("eval-rom").arg(&rom).output().unwrap();
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    assert!(String::from_utf8_lossy(&st.stdout).contains("sieved share"));

    // A stale prediction: non-zero exit naming the file and the sample.
    let p = rom.join("test_predictions.txt");
    let text = std::fs::read_to_string(&p).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    lines[2] = ((lines[2].parse::<usize>().unwrap() + 1) % 3).to_string();
    std::fs::write(&p, lines.join("\n") + "\n").unwrap();
    let st = bin().arg("eval-rom").arg(&rom).output().unwrap();
    assert!(!st.status.success());
    let err = String::from_utf8_lossy(&st.stderr);
    assert!(
        err.contains("test_predictions.txt: 1 of 30 stored predictions differ"),
        "{err}"
    );
    assert!(err.contains("sample 2 (line 3)"), "{err}");
}

#[test]
fn cli_bad_input_names_the_problem_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    let cases: [(&[&str], &str); 4] = [
        (
            &["--dataset", "mnist"],
            "--dataset mnist needs --data-dir DIR",
        ),
        (
            &["--layers", "5,10,3"],
            "--layers starts with 5 but the iris data has 4 features: start with 4",
        ),
        (
            &["--a-bits", "17"],
            "a_bits = 17 is out of range: allowed 2..=16",
        ),
        (
            &["--dataset", "mnist", "--data-dir", "/nonexistent"],
            "no train-images-idx3-ubyte or train-images-idx3-ubyte.gz",
        ),
    ];
    for (args, want) in cases {
        let st = bin()
            .arg("train")
            .args(args)
            .arg("--quiet")
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        assert!(!st.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&st.stderr);
        assert!(err.contains(want), "{args:?}: {err}");
        assert!(!out.exists(), "{args:?}: nothing may be written");
    }
    let st = bin()
        .arg("eval-rom")
        .arg(tmp.path().join("none"))
        .output()
        .unwrap();
    assert!(!st.status.success());
    assert!(String::from_utf8_lossy(&st.stderr).contains("must hold model.json"));
}

fn mnist_dir() -> PathBuf {
    PathBuf::from(
        std::env::var("SIEVINGNET_MNIST_DIR")
            .expect("set SIEVINGNET_MNIST_DIR to the MNIST folder (../shared/data/mnist)"),
    )
}

/// The shared trained MNIST ROM (trained once per test process, or reused
/// from an earlier run).
fn mnist_rom() -> &'static Path {
    static ROM: OnceLock<PathBuf> = OnceLock::new();
    ROM.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("mnist-rom");
        sievingnet_train::train_mnist_rom_for_tests(&mnist_dir(), &dir)
            .unwrap_or_else(|e| panic!("seed {}: {e:#}", seed_from_env(1)))
    })
}

#[test]
#[cfg_attr(
    not(has_mnist),
    ignore = "set SIEVINGNET_MNIST_DIR to the MNIST folder (../shared/data/mnist) to run"
)]
fn mnist_trained_rom_golden_model_agrees_on_all_10000() {
    let rom = read_rom(mnist_rom()).unwrap();
    let test = rom.test_set.as_ref().unwrap();
    assert_eq!(test.inputs.len(), 10_000);
    assert_eq!(
        rom.mlp.layers.iter().map(|l| l.outputs).collect::<Vec<_>>(),
        vec![128, 10]
    );
    let ev = evaluate_rom(&rom).unwrap();
    assert!(
        ev.predictions_match(),
        "{} mismatches, e.g. {:?}",
        ev.mismatches.len(),
        ev.mismatches.first()
    );
    assert!(ev.accuracy > 0.95, "accuracy {}", ev.accuracy);
    assert!(
        ev.sieved_share[0] > 0.6,
        "sieved share {:?}",
        ev.sieved_share
    );
}

#[test]
#[cfg_attr(
    not(has_mnist),
    ignore = "set SIEVINGNET_MNIST_DIR to the MNIST folder (../shared/data/mnist) to run"
)]
fn mnist_trained_rom_fast_kernel_equals_golden_bit_for_bit() {
    let rom = read_rom(mnist_rom()).unwrap();
    let test = rom.test_set.as_ref().unwrap();
    assert_fast_equals_golden(&rom.mlp, &test.inputs[..500], seed_from_env(1));
}

#[test]
#[cfg_attr(
    not(has_mnist),
    ignore = "set SIEVINGNET_MNIST_DIR to the MNIST folder (../shared/data/mnist) to run"
)]
fn mnist_idx_loader_reads_the_real_files() {
    let s = sievingnet_train::data::load_mnist(&mnist_dir()).unwrap();
    assert_eq!(
        (s.train.len(), s.test.len(), s.train.features),
        (60_000, 10_000, 784)
    );
    let mut counts = [0usize; 10];
    s.test.labels.iter().for_each(|&l| counts[l as usize] += 1);
    assert_eq!(
        counts,
        [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    );
}

#[test]
fn cli_sweep_and_bench_infer() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("sweep");
    let st = bin()
        .args([
            "sweep",
            "--dataset",
            "iris",
            "--epochs",
            "30",
            "--qat-from",
            "20",
            "--sieve-from",
            "0",
        ])
        .args([
            "--ims",
            "1,0.5,0.2",
            "--rs-betas=-6,-4",
            "--quiet",
            "--seed",
            "4",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(
        rows[0],
        "coding,im_or_beta,sieved_share,exact_acc,sieved_acc"
    );
    assert_eq!(rows.len(), 1 + 2 * (3 + 2));
    assert!(rows[1].starts_with("binary,1,0.000000,"), "{}", rows[1]);
    assert!(rows
        .iter()
        .any(|r| r.starts_with("ternary running-sum,-4,")));
    assert!(std::fs::read_to_string(out.join("sweep.svg"))
        .unwrap()
        .starts_with("<svg"));

    let run = tmp.path().join("run");
    let st = bin()
        .args([
            "train",
            "--epochs",
            "5",
            "--qat-from",
            "3",
            "--sieve-from",
            "4",
            "--quiet",
            "--no-plots",
            "--out",
        ])
        .arg(&run)
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    let st = bin()
        .args(["bench-infer", "--repeat", "2"])
        .arg(run.join("rom"))
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    assert!(String::from_utf8_lossy(&st.stdout).contains("predictions equal the ROM's"));
}
