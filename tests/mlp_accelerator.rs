//! The whole-network accelerator (SPEC section 9) against the golden model:
//! random networks that reach the requantizer's corners (shifts 0, 33, 34
//! and 64, biases near the 32-bit limits, layers without ReLU, uneven
//! groups of lanes) in the rust-hdl simulation with random idle cycles on
//! both ports; the exported Verilog linted and run in Verilator; the
//! `export-mlp` command line. Trained Iris and 8x8 digits networks run in
//! `train/tests/shipped_data_hardware.rs`, MNIST in
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
use sievingnet::rtl::mlp::{load_stream, MlpShape, DSP_LANES};
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
            let lanes = if arch == Arch::Mac && round % 3 == 0 {
                rng.gen_range(DSP_LANES + 1..=DSP_LANES + 4)
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
            } else {
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
        let samples = &rom.test_set.as_ref().unwrap().inputs;
        // 10 MAC lanes: lanes 8 and 9 multiply by shift-adds (DSP_LANES).
        // Sieving lanes with and without counters.
        for (arch, lanes, counters) in [
            (Arch::Parallel, 3, false),
            (Arch::Parallel, 2, true),
            (Arch::Serial, 4, false),
            (Arch::Serial, 3, true),
            (Arch::Mac, 2, false),
            (Arch::Mac, 10, false),
        ] {
            let mut shape = MlpShape::of_rom(&rom, arch, lanes).unwrap();
            if counters {
                shape = shape.with_counters().unwrap();
            }
            let top = format!(
                "mlp_{name}_{}_{lanes}{}",
                arch.name(),
                if counters { "_counters" } else { "" }
            );
            let text = generate_mlp(&shape, &top).unwrap();
            let path = dir.path().join(format!("{top}.v"));
            std::fs::write(&path, &text).unwrap();
            lint_verilog(&path, &top).unwrap_or_else(|e| panic!("{top}: {e:#}"));
            let pacing = MlpPacing {
                gap_probability: 0.2,
                seed: common::seed(),
            };
            let (run, _) =
                run_verilator(&text, &top, &shape, &load_stream(&rom), samples, &pacing).unwrap();
            let expected = expected_predictions(&rom, arch, samples.len()).unwrap();
            assert_eq!(run.predictions, expected, "{top}, seed {}", common::seed());
            if counters {
                let want = expected_counts(&rom, samples, 32);
                assert_eq!(run.counts, want, "{top}, seed {}", common::seed());
            } else {
                assert!(run.counts.is_empty(), "{top}");
            }
            // The same cycles as the rust-hdl simulation under the same pacing
            // rules, back to back.
            let hdl = run_mlp(&shape, &load_stream(&rom), samples, &MlpPacing::default()).unwrap();
            let (vl, _) = run_verilator(
                &text,
                &top,
                &shape,
                &load_stream(&rom),
                samples,
                &MlpPacing::default(),
            )
            .unwrap();
            assert_eq!(hdl.result_cycles, vl.result_cycles, "{top}");
            assert_eq!(hdl.first_cycles, vl.first_cycles, "{top}");
            assert_eq!(hdl.counts, vl.counts, "{top}");
        }
    }
}

fn sievingnet() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sievingnet"))
}

#[test]
fn export_mlp_writes_verilog_and_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("acc.v");
    let rom = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/iris_rom");
    let st = sievingnet()
        .args([
            "export-mlp",
            "--arch",
            "serial",
            "--lanes",
            "2",
            "--measure",
            "5",
            "--rom",
        ])
        .arg(&rom)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("module sieve_mlp(clock,reset,load_valid,load_ready,load_data,in_valid,in_ready,in_x,in_last,out_valid,out_class);"));
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("acc.json")).unwrap())
            .unwrap();
    assert_eq!(m["arch"], "serial");
    assert_eq!(m["lanes"], 2);
    // 4-10-3: each neuron takes its weights, a bias and a threshold.
    assert_eq!(m["load_words"], 10 * (4 + 2) + 3 * (10 + 2));
    assert_eq!(m["cycles"]["measured_samples"], 5);
    assert!(m["cycles"]["measured_cycles_per_sample"].as_f64().unwrap() > 4.0);
    assert_eq!(m["synth_ice40_options"], "-device u -spram -dsp");
}

/// `--counters` adds the four counter ports after SPEC section 9's and
/// names them in the manifest; `mac` lanes have nothing to count.
#[test]
fn export_mlp_with_counters() {
    let dir = tempfile::tempdir().unwrap();
    let rom = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/iris_rom");
    let out = dir.path().join("acc.v");
    let st = sievingnet()
        .args(["export-mlp", "--arch", "parallel", "--counters", "--rom"])
        .arg(&rom)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("module sieve_mlp(clock,reset,load_valid,load_ready,load_data,in_valid,in_ready,in_x,in_last,out_valid,out_class,out_zero_a,out_zero_w,out_sieved,out_kept);"));
    assert!(text.contains("    output reg  [31:0] out_sieved;"));
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("acc.json")).unwrap())
            .unwrap();
    assert_eq!(
        m["counter_ports"],
        serde_json::json!(["out_zero_a", "out_zero_w", "out_sieved", "out_kept"])
    );

    let out = dir.path().join("mac.v");
    let st = sievingnet()
        .args(["export-mlp", "--arch", "mac", "--counters", "--rom"])
        .arg(&rom)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(!st.status.success());
    let err = String::from_utf8_lossy(&st.stderr);
    assert!(err.contains("the exact `mac` lanes have none"), "{err}");
    assert!(!out.exists() && !dir.path().join("mac.json").exists());
}

/// `infer --engine mlp-rtl` reports the accelerator's counters, checked
/// sample by sample, and their totals are the golden model's layer counts
/// summed (as `infer --engine model` reports them).
#[test]
fn infer_on_the_accelerator_reports_the_models_counters() {
    let rom = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/iris_rom");
    let json = |args: &[&str]| -> serde_json::Value {
        let st = sievingnet()
            .arg("infer")
            .args(args)
            .arg("--rom")
            .arg(&rom)
            .output()
            .unwrap();
        assert!(
            st.status.success(),
            "{}",
            String::from_utf8_lossy(&st.stderr)
        );
        serde_json::from_slice(&st.stdout).unwrap()
    };
    let model = json(&["--engine", "model"]);
    let acc = json(&["--engine", "mlp-rtl", "--arch", "serial", "--lanes", "3"]);
    let c = &acc["counters"];
    assert_eq!(c["samples_match"], true);
    assert_eq!(c["mismatched_samples"], 0);
    for key in ["zero_a", "zero_w", "sieved", "kept"] {
        let layers: u64 = model["layers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l[key].as_u64().unwrap())
            .sum();
        assert!(layers > 0, "{key}");
        assert_eq!(c["total"][key].as_u64(), Some(layers), "{key}");
    }
    let mac = json(&["--engine", "mlp-rtl", "--arch", "mac"]);
    assert!(mac["counters"].is_null());
}

#[test]
fn export_mlp_rejects_what_it_cannot_build() {
    let dir = tempfile::tempdir().unwrap();
    let rom = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/iris_rom");
    for (lanes, want) in [
        ("0", "--lanes 0 cannot be built: allowed 1 to 16"),
        ("17", "--lanes 17 cannot be built: allowed 1 to 16"),
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
    let tb = Path::new(env!("CARGO_MANIFEST_DIR")).join("sim/tb_sieve_mlp.v");
    for (arch, lanes) in [(Arch::Parallel, 4), (Arch::Serial, 3), (Arch::Mac, 1)] {
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
        let samples_hex: String = t
            .inputs
            .iter()
            .flatten()
            .map(|&x| format!("{:04x}\n", x as u16))
            .collect();
        std::fs::write(dir.path().join("samples.mem"), samples_hex).unwrap();
        let st = Command::new("iverilog")
            .current_dir(dir.path())
            .args(["-g2005", "-o", "sim.vvp"])
            .arg(format!("-Ptb_sieve_mlp.N_LOAD={}", load.len()))
            .arg(format!("-Ptb_sieve_mlp.N_SAMPLES={}", t.inputs.len()))
            .arg(format!("-Ptb_sieve_mlp.FEATURES={}", t.inputs[0].len()))
            .arg(format!("-Ptb_sieve_mlp.A_BITS={}", rom.mlp.unit.a_bits()))
            .arg(&tb)
            .arg("sieve_mlp.v")
            .output()
            .expect("iverilog runs (scripts/install-eda.sh)");
        assert!(
            st.status.success(),
            "{}",
            String::from_utf8_lossy(&st.stderr)
        );
        let run = Command::new("vvp")
            .current_dir(dir.path())
            .args(["-n", "sim.vvp"])
            .output()
            .unwrap();
        let log = String::from_utf8_lossy(&run.stdout);
        assert!(run.status.success() && !log.contains("error"), "{log}");
        let classes: Vec<usize> = std::fs::read_to_string(dir.path().join("classes.txt"))
            .unwrap()
            .lines()
            .map(|l| l.split_whitespace().nth(1).unwrap().parse().unwrap())
            .collect();
        let expected = expected_predictions(&rom, arch, t.inputs.len()).unwrap();
        assert_eq!(classes, expected, "{arch:?} x{lanes}");
    }
}

/// `area-mlp --counters` measures the accelerator with its counters: the
/// timing wrapper keeps them (more LUTs than without), the clocks are the
/// same and the counters are checked on the samples it runs;
/// `--flash-offset` places the board top with the flash loader.
#[test]
fn area_mlp_measures_counters_and_the_board() {
    let dir = tempfile::tempdir().unwrap();
    let rom = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/iris_rom");
    let report = |counters: bool, flash: bool| -> serde_json::Value {
        let out = dir.path().join(format!("counters-{counters}-{flash}"));
        let mut cmd = sievingnet();
        cmd.args(["area-mlp", "--arch", "parallel", "--lanes", "2"])
            .args([
                "--devices",
                "hx8k",
                "--seeds",
                "1",
                "--samples",
                "30",
                "--rom",
            ])
            .arg(&rom)
            .arg("--out")
            .arg(&out);
        if counters {
            cmd.arg("--counters");
        }
        if flash {
            cmd.args(["--flash-offset", "0x100000"]);
        }
        let st = cmd.output().unwrap();
        assert!(
            st.status.success(),
            "{}",
            String::from_utf8_lossy(&st.stderr)
        );
        let text = std::fs::read_to_string(out.join("accelerator.json")).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        v["accelerators"][0].clone()
    };
    let with = report(true, false);
    let without = report(false, false);
    let board = report(false, true);
    assert_eq!(with["counters"], true);
    assert_eq!(without["counters"], false);
    assert_eq!(board["flash_offset"], 0x100000);
    assert!(without["flash_offset"].is_null());
    // 96 load values, 65 clocks each after the wake-up and the command.
    assert_eq!(board["flash_load_clocks"], 1 + 16 + 1 + 256 + 64 + 65 * 96);
    for r in [&with, &without, &board] {
        assert_eq!(r["predictions_match"], true);
        assert!(r["logic_cells"].as_u64().unwrap() > 0, "{r}");
    }
    // The board top is placed: the accelerator itself is the same.
    assert_eq!(board["lut4"], without["lut4"]);
    assert_eq!(with["cycles_per_sample"], without["cycles_per_sample"]);
    let (a, b) = (
        with["lut4"].as_u64().unwrap(),
        without["lut4"].as_u64().unwrap(),
    );
    assert!(a > b + 100, "with counters {a} LUT4, without {b}");
}

/// `export-mlp --flash-offset`: the board top loads the accelerator from a
/// behavioural SPI flash holding the image at that offset (Icarus,
/// `sim/tb_sieve_mlp_flash.v`), then classifies every Iris test sample as
/// the ROM does; the files lint; `loaded` rises at the manifest's clock.
#[test]
fn the_board_top_loads_from_spi_flash() {
    let dir = tempfile::tempdir().unwrap();
    let rom_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/iris_rom");
    let rom = iris_fixture();
    let t = rom.test_set.as_ref().unwrap();
    let out = dir.path().join("sieve_mlp.v");
    let st = sievingnet()
        .args([
            "export-mlp",
            "--lanes",
            "3",
            "--flash-offset",
            "0x100000",
            "--rom",
        ])
        .arg(&rom_dir)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("sieve_mlp.json")).unwrap())
            .unwrap();
    let flash = &m["flash"];
    assert_eq!(flash["board_top"], "sieve_mlp_board");
    assert_eq!(flash["offset"], 0x100000);
    let image = std::fs::read(dir.path().join("sieve_mlp_flash.bin")).unwrap();
    let load = load_stream(&rom);
    assert_eq!(image.len(), 4 * load.len());
    assert_eq!(flash["image_bytes"], image.len());
    for (v, b) in load.iter().zip(image.chunks(4)) {
        assert_eq!(*v as i32, i32::from_le_bytes(b.try_into().unwrap()));
    }
    // Lint the two files as one.
    let both = dir.path().join("both.v");
    let text = std::fs::read_to_string(&out).unwrap()
        + &std::fs::read_to_string(dir.path().join("sieve_mlp_flash.v")).unwrap();
    std::fs::write(&both, text).unwrap();
    lint_verilog(&both, "sieve_mlp_board").unwrap();

    let bytes: String = image.iter().map(|b| format!("{b:02x}\n")).collect();
    std::fs::write(dir.path().join("flash.mem"), bytes).unwrap();
    let samples_hex: String = t
        .inputs
        .iter()
        .flatten()
        .map(|&x| format!("{:04x}\n", x as u16))
        .collect();
    std::fs::write(dir.path().join("samples.mem"), samples_hex).unwrap();
    let tb = Path::new(env!("CARGO_MANIFEST_DIR")).join("sim/tb_sieve_mlp_flash.v");
    let st = Command::new("iverilog")
        .current_dir(dir.path())
        .args(["-g2005", "-o", "sim.vvp"])
        .arg(format!("-Ptb_sieve_mlp_flash.N_SAMPLES={}", t.inputs.len()))
        .arg(format!(
            "-Ptb_sieve_mlp_flash.FEATURES={}",
            t.inputs[0].len()
        ))
        .arg(format!(
            "-Ptb_sieve_mlp_flash.A_BITS={}",
            rom.mlp.unit.a_bits()
        ))
        .arg(format!("-Ptb_sieve_mlp_flash.OFFSET={}", 0x100000))
        .arg(format!("-Ptb_sieve_mlp_flash.IMAGE_BYTES={}", image.len()))
        .arg(&tb)
        .args(["sieve_mlp.v", "sieve_mlp_flash.v"])
        .output()
        .expect("iverilog runs (scripts/install-eda.sh)");
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    let run = Command::new("vvp")
        .current_dir(dir.path())
        .args(["-n", "sim.vvp"])
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success() && !log.contains("error"), "{log}");
    let lines = std::fs::read_to_string(dir.path().join("classes.txt")).unwrap();
    let mut lines = lines.lines();
    // The testbench counts the 4 reset clocks.
    let loaded = lines.next().unwrap();
    assert_eq!(
        loaded,
        format!("loaded {}", flash["load_clocks"].as_u64().unwrap() + 4)
    );
    let classes: Vec<usize> = lines
        .map(|l| l.split_whitespace().nth(1).unwrap().parse().unwrap())
        .collect();
    assert_eq!(classes, t.predictions);

    // An image that would end past 16 MB: an error, no file written.
    let out = dir.path().join("far.v");
    let st = sievingnet()
        .args(["export-mlp", "--flash-offset", "0xfffff0", "--rom"])
        .arg(&rom_dir)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(!st.status.success());
    let err = String::from_utf8_lossy(&st.stderr);
    assert!(err.contains("end past the 16 MB"), "{err}");
    assert!(!out.exists() && !dir.path().join("far_flash.bin").exists());
}

/// `infer --engine mlp --flash-offset` runs the board top in Verilator,
/// loaded from a simulated SPI flash: the predictions and counters of the
/// load port's run, and the loader's clocks; other engines refuse it.
#[test]
fn infer_through_the_board_top() {
    let rom = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/iris_rom");
    let run = |args: &[&str]| {
        sievingnet()
            .arg("infer")
            .args(args)
            .arg("--rom")
            .arg(&rom)
            .output()
            .unwrap()
    };
    let st = run(&["--engine", "mlp", "--lanes", "3", "--flash-offset", "4096"]);
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    let board: serde_json::Value = serde_json::from_slice(&st.stdout).unwrap();
    let st = run(&["--engine", "mlp", "--lanes", "3"]);
    let port: serde_json::Value = serde_json::from_slice(&st.stdout).unwrap();
    assert_eq!(board["predictions_match"], true);
    assert_eq!(board["counters"], port["counters"]);
    assert_eq!(board["cycles_per_sample"], port["cycles_per_sample"]);
    assert_eq!(board["flash_offset"], 4096);
    // 96 values: wake-up, command, 65 clocks each.
    assert_eq!(board["load_cycles"], 1 + 16 + 1 + 256 + 64 + 65 * 96);
    let st = run(&["--engine", "model", "--flash-offset", "4096"]);
    assert!(!st.status.success());
    assert!(String::from_utf8_lossy(&st.stderr).contains("use it with --engine mlp"));
}
