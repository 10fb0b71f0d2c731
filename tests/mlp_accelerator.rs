//! The whole-network accelerator (SPEC section 9) against the golden model:
//! random networks that reach the requantizer's corners (shifts 0, 33, 34
//! and 64, biases near the 32-bit limits, layers without ReLU, uneven
//! groups of lanes) in the rust-hdl simulation with random idle cycles on
//! both ports, with and without counters; the exported Verilog linted and
//! run in Verilator and Icarus; what `export-mlp` refuses. The command
//! lines are in `mlp_commands.rs`; trained Iris and 8x8 digits networks
//! run in `train/tests/shipped_data_hardware.rs`, MNIST in
//! `train/tests/mnist_hardware.rs`.

mod common;

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use sievingnet::config::{signed_range, Coding, UnitConfig};
use sievingnet::design::Arch;
use sievingnet::engine::mlp::run_verilator;
use sievingnet::model::mlp::{exact_prediction, IntLayer, IntMlp};
use sievingnet::rom::{expected_counts, expected_predictions, read_rom, Rom, TestSet};
use sievingnet::rtl::mlp::generate::generate_mlp;
use sievingnet::rtl::mlp::sim::{run_mlp, MlpPacing};
use sievingnet::rtl::mlp::{load_stream, MlpShape, DSP_LANES, MAX_LANES};
use sievingnet::toolchain::lint::lint_verilog;
use std::path::Path;
use std::process::Command;

const SHIFTS: [u32; 9] = [0, 1, 3, 7, 12, 33, 34, 40, 64];

fn value(rng: &mut ChaCha8Rng, bits: u32) -> i64 {
    common::value(rng, signed_range(bits))
}

/// A random network on `cfg` with layer widths `dims`, and `samples` random
/// inputs (40% zeros) whose predictions come from the golden model.
fn random_rom(rng: &mut ChaCha8Rng, cfg: UnitConfig, dims: &[usize], samples: usize) -> Rom {
    let (tlo, thi) = cfg.t_range();
    let top = (cfg.a_bits() + cfg.w_bits()) as i64;
    let layers = dims
        .windows(2)
        .enumerate()
        .map(|(li, d)| {
            // Biases near the 32-bit limits in hidden layers (y = acc + b
            // needs 34 bits); small ones in the last, so that the inputs
            // still decide the argmax.
            let extreme = if li + 2 < dims.len() { 0.2 } else { 0.0 };
            let (inputs, outputs) = (d[0], d[1]);
            // Mostly a shift that keeps activations flowing (and samples
            // apart), sometimes a corner of the requantizer.
            let shift = if rng.gen_bool(0.75) {
                cfg.w_bits() - 1 + rng.gen_range(0..3)
            } else {
                SHIFTS[rng.gen_range(0..SHIFTS.len())]
            };
            let typical = if li + 2 < dims.len() {
                1i64 << shift.clamp(4, 20)
            } else {
                1i64 << cfg.w_bits()
            };
            IntLayer {
                inputs,
                outputs,
                weights: (0..inputs * outputs)
                    .map(|_| value(rng, cfg.w_bits()))
                    .collect(),
                bias: (0..outputs)
                    .map(|_| {
                        if rng.gen_bool(extreme) {
                            value(rng, 32)
                        } else {
                            rng.gen_range(-typical..=typical)
                        }
                    })
                    .collect(),
                thresholds: (0..outputs)
                    .map(|_| rng.gen_range((-2).max(tlo)..=(top + 1).min(thi)))
                    .collect(),
                shift,
                relu: rng.gen_bool(0.6),
            }
        })
        .collect();
    let mlp = IntMlp { unit: cfg, layers };
    let inputs: Vec<Vec<i64>> = (0..samples)
        .map(|_| {
            (0..dims[0])
                .map(|_| {
                    if rng.gen_bool(0.4) {
                        0
                    } else {
                        value(rng, cfg.a_bits())
                    }
                })
                .collect()
        })
        .collect();
    let predictions: Vec<usize> = inputs.iter().map(|x| mlp.infer(x).prediction).collect();
    Rom {
        mlp,
        input: serde_json::json!({}),
        test_set: Some(TestSet {
            inputs,
            labels: predictions.clone(),
            predictions,
        }),
    }
}

fn config(rng: &mut ChaCha8Rng) -> UnitConfig {
    let a = [4, 8][rng.gen_range(0..2)];
    let w = rng.gen_range(2..=8);
    let coding = if rng.gen_bool(0.5) {
        Coding::Ternary
    } else {
        Coding::Binary
    };
    UnitConfig::new(a, w, 8, 32, 32, coding).unwrap()
}

/// The exact reference of `mac` equals the golden model with every
/// threshold at its minimum (nothing sieved).
#[test]
fn exact_reference_is_the_model_without_sieve() {
    let mut rng = common::rng(901);
    for _ in 0..20 {
        let cfg = config(&mut rng);
        let mut rom = random_rom(&mut rng, cfg, &[9, 7, 4], 10);
        let exact: Vec<usize> = rom
            .test_set
            .as_ref()
            .unwrap()
            .inputs
            .iter()
            .map(|x| exact_prediction(&rom.mlp, x))
            .collect();
        for l in &mut rom.mlp.layers {
            l.thresholds.iter_mut().for_each(|t| *t = cfg.t_range().0);
        }
        let unsieved: Vec<usize> = rom
            .test_set
            .as_ref()
            .unwrap()
            .inputs
            .iter()
            .map(|x| rom.mlp.infer(x).prediction)
            .collect();
        assert_eq!(exact, unsieved, "seed {}", common::seed());
    }
}

/// Random networks, every arch, 1 to 6 lanes, random idle cycles on both
/// ports: every prediction equals the model's (the exact network's for
/// `mac`); with counters, every sample's counts equal the model's.
#[test]
fn random_networks_in_rust_hdl_match_the_model() {
    let mut rng = common::rng(902);
    let mut sieving_differs = false;
    let mut narrow_lanes = false;
    let mut varied = 0;
    for round in 0..12 {
        let cfg = config(&mut rng);
        let depth = rng.gen_range(2..=4);
        // Layers of one neuron now and then (a group of one lane in use).
        let dims: Vec<usize> = (0..depth)
            .map(|_| {
                if rng.gen_bool(0.1) {
                    1
                } else {
                    rng.gen_range(3..=9)
                }
            })
            .collect();
        let rom = random_rom(&mut rng, cfg, &dims, 12);
        let samples = &rom.test_set.as_ref().unwrap().inputs;
        let predictions = &rom.test_set.as_ref().unwrap().predictions;
        if predictions.iter().any(|&p| p != predictions[0]) {
            varied += 1;
        }
        for arch in Arch::ALL {
            // Every third round, more MAC lanes than the UP5K has DSPs: the
            // lanes beyond them multiply by shift-adds.
            let lanes = if matches!(arch, Arch::Mac | Arch::Masked) && round % 3 == 0 {
                rng.gen_range(DSP_LANES + 1..=MAX_LANES)
            } else {
                rng.gen_range(1..=6)
            };
            let shape = MlpShape::of_rom(&rom, arch, lanes).unwrap();
            let pacing = MlpPacing {
                gap_probability: [0.0, 0.3][round % 2],
                seed: rng.gen(),
            };
            let run = run_mlp(&shape, &load_stream(&rom), samples, &pacing).unwrap();
            let expected = expected_predictions(&rom, arch, samples.len()).unwrap();
            assert_eq!(
                run.predictions,
                expected,
                "round {round}, {} {dims:?} {arch:?} x{lanes}, seed {}",
                cfg.tag(),
                common::seed()
            );
            if arch == Arch::Mac {
                sieving_differs |= expected != rom.test_set.as_ref().unwrap().predictions;
            } else if arch.counts() {
                // With counters: the golden counts of every sample, and the
                // same clocks.
                let counted = shape.clone().with_counters().unwrap();
                let with = run_mlp(&counted, &load_stream(&rom), samples, &pacing).unwrap();
                let what = format!("round {round}, {} {dims:?} {arch:?} x{lanes}", cfg.tag());
                assert_eq!(
                    with.predictions,
                    expected,
                    "{what}, seed {}",
                    common::seed()
                );
                assert_eq!(
                    with.counts,
                    expected_counts(&rom, samples, 32),
                    "{what}, seed {}",
                    common::seed()
                );
                assert_eq!(with.result_cycles, run.result_cycles, "{what}");
                narrow_lanes |= shape.lane_w_bits() > cfg.w_bits();
            }
        }
    }
    // Some networks run on lanes wider than their weights (the zero_w
    // correction of the counters is exercised).
    assert!(narrow_lanes, "seed {}", common::seed());
    // The thresholds sieve enough to change predictions somewhere, so the
    // sieve arches are not passing as exact ones.
    assert!(sieving_differs, "seed {}", common::seed());
    // The inputs matter: most networks do not predict a constant.
    assert!(varied >= 6, "{varied} of 12, seed {}", common::seed());
}

fn iris_fixture() -> Rom {
    read_rom(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/iris_rom")).unwrap()
}

/// The exported Verilog of every arch (the sieving ones also with counters)
/// passes the SPEC's lint and runs in Verilator with random idle cycles, on
/// the Iris fixture and on a random three-layer network with 4-bit
/// activations and 3-bit weights (on 4-bit lanes: the counters take back
/// the extra plane).
#[test]
fn exported_verilog_lints_and_matches_in_verilator() {
    let mut rng = common::rng(903);
    let cfg = UnitConfig::new(4, 3, 8, 32, 32, Coding::Ternary).unwrap();
    let random = random_rom(&mut rng, cfg, &[11, 9, 6, 5], 40);
    let dir = tempfile::tempdir().unwrap();
    for (name, rom) in [("iris", iris_fixture()), ("random", random)] {
        // 10 MAC and masked lanes: lanes 8 and 9 multiply by shift-adds
        // (DSP_LANES).
        // Sieving lanes with and without counters.
        for (arch, lanes, counters) in [
            (Arch::Parallel, 3, false),
            (Arch::Parallel, 2, true),
            (Arch::Serial, 4, false),
            (Arch::Serial, 3, true),
            (Arch::Mac, 2, false),
            (Arch::Mac, 10, false),
            (Arch::Masked, 3, false),
            (Arch::Masked, 10, false),
        ] {
            check_in_verilator(name, &rom, arch, lanes, counters, dir.path());
        }
    }
}

/// `rom` through the exported Verilog of `lanes` lanes of `arch`: the
/// SPEC's lint, then Verilator with random idle cycles against the model,
/// and back to back with the same clocks (and counts) as rust-hdl.
fn check_in_verilator(name: &str, rom: &Rom, arch: Arch, lanes: usize, counters: bool, dir: &Path) {
    let samples = &rom.test_set.as_ref().unwrap().inputs;
    let mut shape = MlpShape::of_rom(rom, arch, lanes).unwrap();
    if counters {
        shape = shape.with_counters().unwrap();
    }
    let top = format!(
        "mlp_{name}_{}_{lanes}{}",
        arch.name(),
        if counters { "_counters" } else { "" }
    );
    let text = generate_mlp(&shape, &top).unwrap();
    let path = dir.join(format!("{top}.v"));
    std::fs::write(&path, &text).unwrap();
    lint_verilog(&path, &top).unwrap_or_else(|e| panic!("{top}: {e:#}"));
    let pacing = MlpPacing {
        gap_probability: 0.2,
        seed: common::seed(),
    };
    let (run, _) = run_verilator(&text, &top, &shape, &load_stream(rom), samples, &pacing).unwrap();
    let expected = expected_predictions(rom, arch, samples.len()).unwrap();
    assert_eq!(run.predictions, expected, "{top}, seed {}", common::seed());
    if counters {
        let want = expected_counts(rom, samples, 32);
        assert_eq!(run.counts, want, "{top}, seed {}", common::seed());
    } else {
        assert!(run.counts.is_empty(), "{top}");
    }
    // The same cycles as the rust-hdl simulation under the same pacing
    // rules, back to back.
    let hdl = run_mlp(&shape, &load_stream(rom), samples, &MlpPacing::default()).unwrap();
    let (vl, _) = run_verilator(
        &text,
        &top,
        &shape,
        &load_stream(rom),
        samples,
        &MlpPacing::default(),
    )
    .unwrap();
    assert_eq!(hdl.result_cycles, vl.result_cycles, "{top}");
    assert_eq!(hdl.first_cycles, vl.first_cycles, "{top}");
    assert_eq!(hdl.counts, vl.counts, "{top}");
}

/// More lanes than 16, over several groups, and weights packed at their
/// own width: 5-bit fields on 8-bit lanes, written by read-modify-write
/// (not whole nibbles), in the exported Verilog as in rust-hdl.
#[test]
fn wide_lanes_and_packed_weights_match_in_verilator() {
    let mut rng = common::rng(905);
    let cfg = UnitConfig::new(8, 5, 8, 32, 32, Coding::Binary).unwrap();
    let rom = random_rom(&mut rng, cfg, &[30, 45, 7], 30);
    let dir = tempfile::tempdir().unwrap();
    for (arch, lanes) in [(Arch::Mac, 20), (Arch::Masked, 17)] {
        let shape = MlpShape::of_rom(&rom, arch, lanes).unwrap();
        assert_eq!(shape.memory_depths().weights, 30 * 3 + 45, "{arch:?}");
        check_in_verilator("packed", &rom, arch, lanes, false, dir.path());
    }
}

fn sievingnet() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sievingnet"))
}

#[test]
fn export_mlp_rejects_what_it_cannot_build() {
    let dir = tempfile::tempdir().unwrap();
    let rom = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/iris_rom");
    for (lanes, want) in [
        ("0", "--lanes 0 cannot be built: allowed 1 to 32"),
        ("33", "--lanes 33 cannot be built: allowed 1 to 32"),
    ] {
        let out = dir.path().join("x.v");
        let st = sievingnet()
            .args(["export-mlp", "--lanes", lanes, "--rom"])
            .arg(&rom)
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        assert!(!st.status.success());
        assert!(
            String::from_utf8_lossy(&st.stderr).contains(want),
            "{}",
            String::from_utf8_lossy(&st.stderr)
        );
        assert!(!out.exists() && !dir.path().join("x.json").exists());
    }
    // A last layer of more than 256 outputs.
    let mut rng = common::rng(904);
    let cfg = UnitConfig::new(8, 8, 8, 32, 32, Coding::Ternary).unwrap();
    let rom = random_rom(&mut rng, cfg, &[3, 257], 1);
    let e = MlpShape::of_rom(&rom, Arch::Parallel, 4)
        .unwrap_err()
        .to_string();
    assert!(e.contains("at most 256"), "{e}");
    let cfg = UnitConfig::new(16, 8, 8, 32, 32, Coding::Ternary).unwrap();
    let rom = random_rom(&mut rng, cfg, &[3, 2], 1);
    let e = MlpShape::of_rom(&rom, Arch::Parallel, 4)
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "the accelerator builds a_bits 4 or 8; this ROM has a_bits = 16"
    );
}

/// The exported file also simulates in Icarus (SPEC section 9), with
/// `sim/tb_sieve_mlp.v`: every arch on the Iris fixture, the same
/// predictions.
#[test]
fn exported_verilog_runs_in_icarus() {
    let rom = iris_fixture();
    let t = rom.test_set.as_ref().unwrap();
    for (arch, lanes) in [
        (Arch::Parallel, 4),
        (Arch::Serial, 3),
        (Arch::Mac, 1),
        (Arch::Masked, 9),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let shape = MlpShape::of_rom(&rom, arch, lanes).unwrap();
        std::fs::write(
            dir.path().join("sieve_mlp.v"),
            generate_mlp(&shape, "sieve_mlp").unwrap(),
        )
        .unwrap();
        let load = load_stream(&rom);
        let load_hex: String = load
            .iter()
            .map(|&v| format!("{:08x}\n", v as u32))
            .collect();
        std::fs::write(dir.path().join("load.mem"), load_hex).unwrap();
        std::fs::write(
            dir.path().join("samples.mem"),
            common::samples_mem(&t.inputs),
        )
        .unwrap();
        let classes = common::run_icarus_testbench(
            dir.path(),
            "tb_sieve_mlp",
            &[
                ("N_LOAD", load.len()),
                ("N_SAMPLES", t.inputs.len()),
                ("FEATURES", t.inputs[0].len()),
                ("A_BITS", rom.mlp.unit.a_bits() as usize),
            ],
            &["sieve_mlp.v"],
        );
        let classes: Vec<usize> = classes
            .lines()
            .map(|l| l.split_whitespace().nth(1).unwrap().parse().unwrap())
            .collect();
        let expected = expected_predictions(&rom, arch, t.inputs.len()).unwrap();
        assert_eq!(classes, expected, "{arch:?} x{lanes}");
    }
}
