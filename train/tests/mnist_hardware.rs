//! Real data through the hardware: the trained MNIST network's layers,
//! every dot product of the first test images streamed through the rust-hdl
//! unit and through the exported Verilog in Verilator, each vector (sum,
//! overflow, four counters) checked against the golden model and each
//! prediction against the ROM's predictions file.
//!
//! Needs `SIEVINGNET_MNIST_DIR` (ignored with that reason otherwise) and,
//! for the Verilog half, Verilator (`scripts/install-eda.sh`).

use sievingnet::design::Design;
use sievingnet::engine::infer::run_rom;
use sievingnet::engine::Engine;
use sievingnet::rom::read_rom;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn mnist_dir() -> PathBuf {
    PathBuf::from(
        std::env::var("SIEVINGNET_MNIST_DIR")
            .expect("set SIEVINGNET_MNIST_DIR to the MNIST folder (../shared/data/mnist)"),
    )
}

/// Trained once per test process (the tests of this file run in parallel
/// and share the folder), or reused from an earlier run.
fn trained_mnist_rom() -> PathBuf {
    static ROM: OnceLock<PathBuf> = OnceLock::new();
    ROM.get_or_init(|| {
        // Same folder as tests/trained.rs: whichever test binary runs first trains.
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("mnist-rom");
        sievingnet_train::train_mnist_rom_for_tests(&mnist_dir(), &dir)
            .unwrap_or_else(|e| panic!("seed {}: {e:#}", sievingnet::seed::from_env(1)))
    })
    .clone()
}

/// Keeps `n` of the ROM's test samples, a seeded choice in a seeded order
/// (`stream` tells the tests' draws apart).
fn keep_seeded_subset(rom: &mut sievingnet::rom::Rom, seed: u64, stream: u64, n: usize) {
    use rand::seq::SliceRandom;
    let t = rom.test_set.as_mut().unwrap();
    let mut order: Vec<usize> = (0..t.inputs.len()).collect();
    order.shuffle(&mut sievingnet::seed::rng(seed, stream));
    order.truncate(n);
    t.inputs = order.iter().map(|&i| t.inputs[i].clone()).collect();
    t.labels = order.iter().map(|&i| t.labels[i]).collect();
    t.predictions = order.iter().map(|&i| t.predictions[i]).collect();
}

/// The trained network stays accurate through the accelerator (a floor
/// well under its accuracy: the bit-exact check is the predictions').
fn check_accuracy(what: &str, run: &sievingnet::engine::mlp::AcceleratorRun, min_correct: usize) {
    let n = run.samples;
    assert!(
        run.correct() >= min_correct,
        "{what}: {} / {n} right",
        run.correct()
    );
    eprintln!(
        "accelerator {what}: {:.0} clocks per sample (with 5% idle input cycles), {} / {n} right",
        run.run.cycles_per_sample(),
        run.correct()
    );
}

#[test]
#[cfg_attr(
    not(has_mnist),
    ignore = "set SIEVINGNET_MNIST_DIR to the MNIST folder (../shared/data/mnist) to run"
)]
fn trained_mnist_layers_through_rtl_and_verilog() {
    let rom = read_rom(&trained_mnist_rom()).unwrap();
    // rust-hdl runs about 10^5 pairs per second: 4 images = 406,528 pairs.
    let parallel = Design::Sieve { counters: true };
    let rtl = run_rom(&rom, Engine::Rtl, parallel, Some(4)).unwrap();
    assert_eq!(rtl.mismatches, 0);
    assert_eq!(rtl.pairs, 4 * (784 * 128 + 128 * 10));
    // The trained thresholds really sieve: the check is not vacuous.
    assert!(
        rtl.counts[0].sieved > 0 && rtl.counts[0].kept > 0,
        "{:?}",
        rtl.counts
    );
    assert!(rtl.counts[1].sieved + rtl.counts[1].kept > 0);
    // Verilator: 300 images = 30 million pairs.
    let verilog = run_rom(&rom, Engine::Verilog, parallel, Some(300)).unwrap();
    assert_eq!(verilog.mismatches, 0);
    assert_eq!(&verilog.predictions[..4], &rtl.predictions[..]);
    assert!(
        verilog.correct >= 270,
        "accuracy of the trained ROM: {} / 300",
        verilog.correct
    );
    // The serial unit on the same real streams, each result at its cycle.
    let serial = run_rom(
        &rom,
        Engine::Verilog,
        Design::Serial { counters: true },
        Some(100),
    )
    .unwrap();
    assert_eq!(serial.mismatches, 0);
    assert_eq!(&serial.predictions[..], &verilog.predictions[..100]);
    let cycles: u64 = serial.cycles.iter().sum();
    eprintln!(
        "serial unit: {:.3} clocks per pair on 100 MNIST images",
        cycles as f64 / serial.pairs as f64
    );
    eprintln!(
        "MNIST through the hardware: rtl {} pairs, verilog {} pairs, {} / {} correct, layer 0 sieved {} kept {}",
        rtl.pairs, verilog.pairs, verilog.correct, verilog.samples, verilog.counts[0].sieved, verilog.counts[0].kept
    );
}

/// The trained MNIST network in the whole-network accelerator (SPEC section
/// 9): the exported Verilog of every arch, 8 lanes, in Verilator on a
/// seeded subset of 300 test images, every prediction equal to the ROM's
/// (the exact network's for `mac`); and the parallel one with counters on
/// its board top, loaded from a simulated SPI flash, every sample's
/// counters equal to the golden model's. All 10,000 images:
/// `sievingnet infer --rom DIR --engine mlp --arch parallel --lanes 8`
/// (BENCHMARKS.md).
#[test]
#[cfg_attr(
    not(has_mnist),
    ignore = "set SIEVINGNET_MNIST_DIR to the MNIST folder (../shared/data/mnist) to run"
)]
fn trained_mnist_through_the_accelerator() {
    use sievingnet::design::Arch;
    use sievingnet::engine::mlp::{run_accelerator, MlpEngine};
    use sievingnet::rtl::mlp::sim::MlpPacing;
    use sievingnet::rtl::mlp::MlpShape;

    let mut rom = read_rom(&trained_mnist_rom()).unwrap();
    let seed = sievingnet::seed::from_env(1);
    keep_seeded_subset(&mut rom, seed, 77, 300);
    let counted = MlpShape::of_rom(&rom, Arch::Parallel, 8)
        .unwrap()
        .with_counters()
        .unwrap();
    let shapes = Arch::ALL
        .iter()
        .map(|&arch| MlpShape::of_rom(&rom, arch, 8).unwrap())
        .chain([counted]);
    for shape in shapes {
        let arch = shape.arch;
        let pacing = MlpPacing {
            gap_probability: 0.05,
            seed,
        };
        // The counting accelerator runs on its board top, loaded from a
        // simulated SPI flash.
        let engine = if shape.counters {
            MlpEngine::VerilatorFlash(0x10_0000)
        } else {
            MlpEngine::Verilator
        };
        let run = run_accelerator(&rom, &shape, engine, None, &pacing)
            .unwrap_or_else(|e| panic!("{arch:?}, seed {seed}: {e:#}"));
        assert_eq!(run.mismatches(), 0, "{arch:?}, seed {seed}");
        if shape.counters {
            let words = shape.load_words() as u64;
            assert_eq!(
                run.run.load_done_cycle + 1,
                sievingnet::rtl::mlp::flash::flash_load_clocks(words)
            );
            assert_eq!(run.run.counts.len(), 300);
            assert_eq!(run.count_mismatches(), 0, "counters, seed {seed}");
            let [_, _, sieved, kept] = run.count_totals();
            eprintln!("accelerator counters on 300 images: sieved {sieved}, kept {kept}");
        }
        check_accuracy(&format!("{arch:?} x 8"), &run, 270);
    }
}

/// Real trained weights narrower than a nibble-aligned field: the test
/// network trained with 5-bit weights, 12 lanes of exact MACs and of
/// masked sieving lanes, the weights packed 12 to a 64-bit word and written
/// by read-modify-write (SPRAM's write mask is by nibble), in Verilator on
/// a seeded subset of 300 test images, every prediction equal to the
/// ROM's (the exact network's for `mac`).
#[test]
#[cfg_attr(
    not(has_mnist),
    ignore = "set SIEVINGNET_MNIST_DIR to the MNIST folder (../shared/data/mnist) to run"
)]
fn trained_5bit_weights_packed_through_the_accelerator() {
    use sievingnet::design::Arch;
    use sievingnet::engine::mlp::{run_accelerator, MlpEngine};
    use sievingnet::rtl::mlp::sim::MlpPacing;
    use sievingnet::rtl::mlp::MlpShape;

    let seed = sievingnet::seed::from_env(1);
    let mut cfg = sievingnet_train::mnist_test_config(seed);
    cfg.unit = sievingnet::UnitConfig::builder().w_bits(5).build().unwrap();
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("mnist-rom-w5");
    let dir = sievingnet_train::train_mnist_rom_for_tests_with(&mnist_dir(), &dir, cfg)
        .unwrap_or_else(|e| panic!("seed {seed}: {e:#}"));
    let mut rom = read_rom(&dir).unwrap();
    assert_eq!(rom.mlp.unit.w_bits(), 5);
    keep_seeded_subset(&mut rom, seed, 78, 300);
    for arch in [Arch::Mac, Arch::Masked] {
        let shape = MlpShape::of_rom(&rom, arch, 12).unwrap();
        let pacing = MlpPacing {
            gap_probability: 0.05,
            seed,
        };
        let run = run_accelerator(&rom, &shape, MlpEngine::Verilator, None, &pacing)
            .unwrap_or_else(|e| panic!("{arch:?}, seed {seed}: {e:#}"));
        assert_eq!(run.mismatches(), 0, "{arch:?}, seed {seed}");
        check_accuracy(&format!("{arch:?} x 12, 5-bit weights packed"), &run, 255);
    }
}
