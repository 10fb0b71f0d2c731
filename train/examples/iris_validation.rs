//! How the Iris defaults were chosen without looking at the test folds:
//! for each seed 1-5, the training part of that seed's split (120 samples)
//! is split again 75/25 three ways, and each configuration is trained on
//! the 90 and measured on the 30 validation samples. The test fold is never
//! used. `cargo run --release -p sievingnet-train --example iris_validation`.
use sievingnet_train::data::{load_iris, shipped_data_dir, stratified_split, Normalize, Split};
use sievingnet_train::net::OptKind;
use sievingnet_train::train::{train, Prepared, TrainConfig};

fn cfg(seed: u64, f: &dyn Fn(&mut TrainConfig)) -> TrainConfig {
    let mut c = TrainConfig {
        dataset: "iris".into(),
        layers: vec![4, 10, 3],
        epochs: 300,
        batch: 16,
        opt: OptKind::Adam,
        lr: 0.01,
        momentum: 0.9,
        weight_decay: 1e-3,
        warmup_epochs: 0.5,
        lr_decay: 0.995,
        normalize: Normalize::Zscore,
        seed,
        unit: sievingnet::UnitConfig::default(),
        qat_from: 120,
        sieve_from: 150,
        im_start: 1.0,
        im_delta: 0.01,
        im: 0.22,
        output_im: None,
        act_percentile: 99.9,
        calib_samples: 10000,
        thresholds: sievingnet_train::quant::ThresholdMode::Quantile,
        weight_scale: sievingnet_train::quant::WeightScale::Max,
        rule: sievingnet_train::train::Rule::Static,
        rs_alpha: 1.0,
        rs_beta: -6,
        learn: None,
        progress: false,
    };
    f(&mut c);
    c
}

fn cv(name: &str, f: &dyn Fn(&mut TrainConfig)) {
    let (mut fl, mut sv, mut sh, mut n) = (0.0, 0.0, 0.0, 0.0);
    for seed in 1..=5u64 {
        let split = load_iris(&shipped_data_dir(), seed).unwrap();
        // folds: split the training part again with different seeds
        for fold in 0..3u64 {
            let inner: Split =
                stratified_split("iris", &split.train, 0.25, 1000 + seed * 10 + fold);
            let c = cfg(seed * 100 + fold, f);
            let prep = Prepared::new(&inner, &c);
            let out = train(&c, &prep, |_| {}).unwrap();
            let l = out.logs.last().unwrap();
            fl += l.test_float_acc;
            sv += l.test_sieved_acc;
            sh += l.total.sieved_share;
            n += 1.0;
        }
    }
    println!(
        "{name:<30} validation: float {:.2}% sieved {:.2}% share {:.1}%",
        100.0 * fl / n,
        100.0 * sv / n,
        100.0 * sh / n
    );
}

fn main() {
    cv("weight decay 0 (before)", &|c| c.weight_decay = 0.0);
    cv("hidden 16", &|c| {
        c.weight_decay = 0.0;
        c.layers = vec![4, 16, 3];
    });
    cv("lr 0.003", &|c| {
        c.weight_decay = 0.0;
        c.lr = 0.003;
    });
    cv("batch 8", &|c| {
        c.weight_decay = 0.0;
        c.batch = 8;
    });
    cv("normalize max", &|c| {
        c.weight_decay = 0.0;
        c.normalize = Normalize::Max;
    });
    cv("weight decay 1e-3 (chosen)", &|c| c.weight_decay = 1e-3);
    cv("wd 3e-3", &|c| c.weight_decay = 3e-3);
    cv("wd 1e-3, hidden 16", &|c| {
        c.weight_decay = 1e-3;
        c.layers = vec![4, 16, 3];
    });
    cv("wd 1e-3, batch 8", &|c| {
        c.weight_decay = 1e-3;
        c.batch = 8;
    });
    cv("wd 1e-3, im 0.25", &|c| {
        c.weight_decay = 1e-3;
        c.im = 0.25;
    });
    cv("wd 1e-2", &|c| c.weight_decay = 1e-2);
}
