//! The command line on a trained ROM of the shipped Iris data
//! (`tests/data/iris_rom`, written by `sievingnet-train train --dataset iris
//! --seed 1 --rom tests/data/iris_rom`; any valid ROM serves, and reading
//! it checks it): `infer` through the golden model, the rust-hdl unit and
//! Verilator, and `dot` on the ROM's real layer streams through all three
//! engines. Also `presets`, which scripts read. Needs Verilator
//! (`scripts/install-eda.sh`).

use assert_cmd::Command;
use sievingnet::model::{run_stream, Pair};
use sievingnet::rom::read_rom;
use std::path::{Path, PathBuf};

fn sievingnet() -> Command {
    Command::cargo_bin("sievingnet").unwrap()
}

fn iris_rom() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/iris_rom")
}

#[test]
fn infer_runs_the_iris_rom_through_every_engine() {
    let mut summaries = Vec::new();
    for engine in ["model", "rtl", "verilog"] {
        let out = sievingnet()
            .args(["infer", "--engine", engine, "--rom"])
            .arg(iris_rom())
            .assert()
            .success();
        let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
        assert_eq!(v["engine"], engine);
        assert_eq!(v["predictions_match"], true, "{engine}: {v}");
        assert_eq!(v["samples"], 30, "{engine}");
        summaries.push(v);
    }
    // Every engine counts the same planes and scores the same.
    for v in &summaries[1..] {
        assert_eq!(v["layers"], summaries[0]["layers"]);
        assert_eq!(v["accuracy"], summaries[0]["accuracy"]);
        assert_eq!(v["pairs"], summaries[0]["pairs"]);
    }
    let sieved = summaries[0]["layers"][0]["sieved"].as_u64().unwrap();
    assert!(sieved > 0, "the trained thresholds sieve: {}", summaries[0]);
    // The cost figures are the golden model's (`evaluate_rom`, one
    // `IntMlp::infer` per sample), whichever engine ran the streams.
    let ev = sievingnet::rom::evaluate_rom(&read_rom(&iris_rom()).unwrap()).unwrap();
    let want = serde_json::to_value(ev.total_cost).unwrap();
    for v in &summaries {
        let got = v["cost_per_inference"].as_object().unwrap();
        assert_eq!(got.len(), want.as_object().unwrap().len());
        for (k, w) in want.as_object().unwrap() {
            let (g, w) = (got[k].as_f64().unwrap(), w.as_f64().unwrap());
            assert!(
                (g - w).abs() <= 1e-12 * w.abs().max(1.0),
                "{} {k}: {g} {w}",
                v["engine"]
            );
        }
    }
    assert!(
        ev.total_cost.kept_pairs > 0.0 && ev.total_cost.kept_pairs < ev.total_cost.active_pairs
    );
}

/// The first layer's streams of the first test samples, as `dot` input.
fn layer0_pairs(samples: usize) -> (String, Vec<Pair>) {
    let rom = read_rom(&iris_rom()).unwrap();
    let l = &rom.mlp.layers[0];
    let mut text = String::from("# layer 0 of tests/data/iris_rom\n");
    let mut pairs = Vec::new();
    for x in &rom.test_set.as_ref().unwrap().inputs[..samples] {
        for j in 0..l.outputs {
            for (i, &a) in x.iter().enumerate() {
                let p = Pair {
                    a,
                    w: l.weights[j * l.inputs + i],
                    thr: l.thresholds[j],
                    last: i + 1 == l.inputs,
                };
                text.push_str(&format!("{},{},{},{}\n", p.a, p.w, p.thr, p.last as u8));
                pairs.push(p);
            }
        }
    }
    (text, pairs)
}

#[test]
fn dot_on_real_layer_streams_is_the_same_on_every_engine() {
    let dir = tempfile::tempdir().unwrap();
    let (text, pairs) = layer0_pairs(10);
    let input = dir.path().join("layer0.txt");
    std::fs::write(&input, text).unwrap();
    let want: String = run_stream(&sievingnet::UnitConfig::default(), &pairs)
        .iter()
        .map(|r| r.json_line() + "\n")
        .collect();
    assert_eq!(want.lines().count(), 10 * 10);
    for engine in ["model", "rtl", "verilog"] {
        let out = sievingnet()
            .args(["dot", "--engine", engine, "--input"])
            .arg(&input)
            .assert()
            .success();
        assert_eq!(
            String::from_utf8(out.get_output().stdout.clone()).unwrap(),
            want,
            "{engine}"
        );
    }
}

#[test]
fn presets_list_the_table_and_the_shipped_designs() {
    let out = sievingnet().arg("presets").assert().success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(text.contains("a8w8-wrap"), "{text}");
    assert!(text.contains("(default)"), "{text}");
    let out = sievingnet()
        .args(["presets", "--shipped"])
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(
        text.lines().any(|l| l
            == "exact_mac_a8w8 --a-bits 8 --w-bits 8 --t-bits 8 --acc-bits 32 --cnt-bits 32 --coding ternary --arch mac"),
        "{text}"
    );
    let out = sievingnet().args(["presets", "--json"]).assert().success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(
        v.as_array().unwrap().len(),
        sievingnet::presets::PRESETS.len()
    );
    // A preset on the command line sets the widths.
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.txt");
    std::fs::write(&input, "32767,1,0,1\n").unwrap();
    sievingnet()
        .args(["dot", "--preset", "a16w16", "--input"])
        .arg(&input)
        .assert()
        .success();
    sievingnet()
        .args(["dot", "--input"])
        .arg(&input)
        .assert()
        .failure();
}

/// `dataflow` on the Iris ROM: its active pairs are the golden model's
/// kept pairs, the built dataflow streams every non-zero input through
/// every group, and the skipping ones never take more steps.
#[test]
fn dataflow_counts_the_golden_models_pairs() {
    let rom = read_rom(&iris_rom()).unwrap();
    let test = rom.test_set.as_ref().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("flows.json");
    let lanes = 3;
    let out = sievingnet()
        .args(["dataflow", "--lanes", &lanes.to_string(), "--rom"])
        .arg(iris_rom())
        .arg("--json")
        .arg(&json)
        .assert()
        .success();
    let table = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(table.contains("| group_skip |"), "{table}");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert!(v["command"].as_str().unwrap().contains("dataflow"));
    let layers = v["flows"]["layers"].as_array().unwrap();
    // The golden model, sample by sample.
    let mut kept = vec![0u64; rom.mlp.layers.len()];
    let mut kept_digits = vec![0u64; rom.mlp.layers.len()];
    let mut dense = vec![0u64; rom.mlp.layers.len()];
    for x in &test.inputs {
        let inf = rom.mlp.infer(x);
        for (li, k) in inf.kept_pairs.iter().enumerate() {
            kept[li] += k;
            kept_digits[li] += inf.counts[li].kept;
        }
        // Layer 0's non-zero inputs times its groups.
        let nz = x.iter().filter(|&&a| a != 0).count() as u64;
        dense[0] += nz * rom.mlp.layers[0].outputs.div_ceil(lanes) as u64;
    }
    for (li, l) in layers.iter().enumerate() {
        assert_eq!(l["active_pairs"].as_u64().unwrap(), kept[li], "layer {li}");
        let steps = |k: &str| l[k]["steps"].as_u64().unwrap();
        assert!(steps("ideal") <= steps("lane_prefix"), "{l}");
        assert!(steps("ideal") <= steps("filtered"), "{l}");
        assert!(steps("lane_prefix") <= steps("group_skip"), "{l}");
        assert!(steps("group_skip") <= steps("dense"), "{l}");
        assert!(steps("ideal") * lanes as u64 >= kept[li], "{l}");
        // plane_major's serial lanes take one kept digit per step.
        assert_eq!(
            l["kept_digits"].as_u64().unwrap(),
            kept_digits[li],
            "layer {li}"
        );
        assert!(
            steps("plane_major") * lanes as u64 >= kept_digits[li],
            "{l}"
        );
    }
    assert_eq!(layers[0]["dense"]["steps"].as_u64().unwrap(), dense[0]);
    // The sieve idles some group: group skipping saves steps on this ROM.
    let total = |k: &str| -> u64 { layers.iter().map(|l| l[k]["steps"].as_u64().unwrap()).sum() };
    assert!(total("group_skip") < total("dense"));

    let bad = sievingnet()
        .args(["dataflow", "--lanes", "0", "--rom"])
        .arg(iris_rom())
        .assert()
        .failure();
    let err = String::from_utf8_lossy(&bad.get_output().stderr).to_string();
    assert!(err.contains("--lanes 0 is out of range"), "{err}");
}
