//! The accelerator's command lines: `export-mlp` (its manifest, the
//! counters, the flash board top), `infer --engine mlp` (counters, the
//! board top loaded from a simulated flash) and `area-mlp` (counters and
//! the board top placed), on the Iris fixture.

mod common;

use sievingnet::rom::read_rom;
use sievingnet::rom::Rom;
use sievingnet::rtl::mlp::load_stream;
use sievingnet::toolchain::lint::lint_verilog;
use std::path::Path;
use std::process::{Command, Output};

fn sievingnet() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sievingnet"))
}

/// `sievingnet export-mlp ARGS --rom IRIS --out OUT`.
fn export_iris(args: &[&str], out: &Path) -> Output {
    sievingnet()
        .arg("export-mlp")
        .args(args)
        .arg("--rom")
        .arg(iris_dir())
        .arg("--out")
        .arg(out)
        .output()
        .unwrap()
}

fn assert_ok(st: &Output) {
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
}

fn iris_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/iris_rom")
}

fn iris_fixture() -> Rom {
    read_rom(&iris_dir()).unwrap()
}

#[test]
fn export_mlp_writes_verilog_and_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("acc.v");
    let st = export_iris(
        &["--arch", "serial", "--lanes", "2", "--measure", "5"],
        &out,
    );
    assert_ok(&st);
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
    let out = dir.path().join("acc.v");
    let st = export_iris(&["--arch", "parallel", "--counters"], &out);
    assert_ok(&st);
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
    let st = export_iris(&["--arch", "mac", "--counters"], &out);
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
    let rom = iris_dir();
    let json = |args: &[&str]| -> serde_json::Value {
        let st = sievingnet()
            .arg("infer")
            .args(args)
            .arg("--rom")
            .arg(&rom)
            .output()
            .unwrap();
        assert_ok(&st);
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

/// `area-mlp --counters` measures the accelerator with its counters: the
/// timing wrapper keeps them (more LUTs than without), the clocks are the
/// same and the counters are checked on the samples it runs;
/// `--flash-offset` places the board top with the flash loader;
/// `--work-dir` keeps the intermediate files.
#[test]
fn area_mlp_measures_counters_and_the_board() {
    let dir = tempfile::tempdir().unwrap();
    let rom = iris_dir();
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
            // The board's intermediate files are kept (`--work-dir`).
            cmd.args(["--flash-offset", "0x100000", "--work-dir"])
                .arg(dir.path().join("work"));
        }
        let st = cmd.output().unwrap();
        assert_ok(&st);
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
    let kept = dir.path().join("work/hx8k-parallel");
    for file in ["sieve_mlp.v", "wrapper.v", "yosys.log", "pnr_seed1.log"] {
        assert!(
            kept.join(file).is_file(),
            "{file} not kept in {}",
            kept.display()
        );
    }
    let board_v = std::fs::read_to_string(kept.join("wrapper.v")).unwrap();
    assert!(board_v.contains("module sieve_mlp_board"));
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

/// `infer --engine mlp --flash-offset` runs the board top in Verilator,
/// loaded from a simulated SPI flash: the predictions and counters of the
/// load port's run, and the loader's clocks; other engines refuse it.
#[test]
fn infer_through_the_board_top() {
    let rom = iris_dir();
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
    assert_ok(&st);
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

/// `export-mlp --flash-offset`: the board top loads the accelerator from a
/// behavioural SPI flash holding the image at that offset (Icarus,
/// `sim/tb_sieve_mlp_flash.v`), then classifies every Iris test sample as
/// the ROM does; the files lint; `loaded` rises at the manifest's clock.
#[test]
fn the_board_top_loads_from_spi_flash() {
    let dir = tempfile::tempdir().unwrap();
    let rom = iris_fixture();
    let t = rom.test_set.as_ref().unwrap();
    let out = dir.path().join("sieve_mlp.v");
    let st = export_iris(&["--lanes", "3", "--flash-offset", "0x100000"], &out);
    assert_ok(&st);
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
    std::fs::write(
        dir.path().join("samples.mem"),
        common::samples_mem(&t.inputs),
    )
    .unwrap();
    let lines = common::run_icarus_testbench(
        dir.path(),
        "tb_sieve_mlp_flash",
        &[
            ("N_SAMPLES", t.inputs.len()),
            ("FEATURES", t.inputs[0].len()),
            ("A_BITS", rom.mlp.unit.a_bits() as usize),
            ("OFFSET", 0x100000),
            ("IMAGE_BYTES", image.len()),
        ],
        &["sieve_mlp.v", "sieve_mlp_flash.v"],
    );
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
    let st = export_iris(&["--flash-offset", "0xfffff0"], &out);
    assert!(!st.status.success());
    let err = String::from_utf8_lossy(&st.stderr);
    assert!(err.contains("end past the 16 MB"), "{err}");
    assert!(!out.exists() && !dir.path().join("far_flash.bin").exists());
}
