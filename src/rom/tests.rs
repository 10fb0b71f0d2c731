//! The ROM's round trip and every kind of bad file.

use super::*;
use crate::config::{Coding, UnitConfig};
use crate::model::mlp::IntLayer;
use rand::Rng;
use std::fs;
use std::path::{Path, PathBuf};

fn seed() -> u64 {
    crate::seed::from_env(5)
}

/// A random 6-4-3 network on a 6-bit-weight unit (bit widths not a
/// multiple of 4, to exercise padding), with a test set whose
/// predictions come from the golden model.
fn random_rom(seed: u64) -> Rom {
    let mut rng = crate::seed::rng(seed, 0);
    let unit = UnitConfig::builder()
        .a_bits(8)
        .w_bits(6)
        .t_bits(5)
        .acc_bits(21)
        .cnt_bits(16)
        .coding(Coding::Ternary)
        .build()
        .unwrap();
    let mut layers = Vec::new();
    for (li, (i, o)) in [(6usize, 4usize), (4, 3)].into_iter().enumerate() {
        layers.push(IntLayer {
            inputs: i,
            outputs: o,
            weights: (0..i * o).map(|_| rng.gen_range(-32..=31)).collect(),
            bias: (0..o)
                .map(|_| rng.gen_range(-(1 << 20)..(1 << 20)))
                .collect(),
            thresholds: (0..o).map(|_| rng.gen_range(-16..=15)).collect(),
            shift: if li == 0 { 4 } else { 0 },
            relu: li == 0,
        });
    }
    let mlp = IntMlp { unit, layers };
    let inputs: Vec<Vec<i64>> = (0..20)
        .map(|_| (0..6).map(|_| rng.gen_range(-128..=127)).collect())
        .collect();
    let predictions = inputs.iter().map(|x| mlp.infer(x).prediction).collect();
    let labels = (0..20).map(|_| rng.gen_range(0..3)).collect();
    Rom {
        mlp,
        input: serde_json::json!({"note": "test"}),
        test_set: Some(TestSet {
            inputs,
            labels,
            predictions,
        }),
    }
}

fn written(seed: u64) -> (tempfile::TempDir, PathBuf, Rom) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("rom");
    let rom = random_rom(seed);
    write_rom(&dir, &rom).unwrap_or_else(|e| panic!("seed {seed}: {e:#}"));
    (tmp, dir, rom)
}

fn err_of(dir: &Path) -> String {
    format!("{:#}", read_rom(dir).unwrap_err())
}

fn edit(dir: &Path, file: &str, f: impl FnOnce(&mut Vec<String>)) {
    let p = dir.join(file);
    let mut lines: Vec<String> = fs::read_to_string(&p)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    f(&mut lines);
    fs::write(&p, lines.join("\n") + "\n").unwrap();
}

#[test]
fn hex_round_trip_every_width() {
    for bits in [2u32, 3, 4, 5, 6, 8, 13, 16, 17, 32, 40, 64] {
        let (lo, hi) = signed_range(bits);
        for v in [lo, lo + 1, -1, 0, 1, hi - 1, hi] {
            let s = format_hex(v, bits);
            assert_eq!(s.len(), hex_digits(bits));
            assert_eq!(parse_hex(&s, bits), Ok(v), "bits {bits} value {v}");
        }
    }
    assert_eq!(format_hex(-1, 8), "ff");
    assert_eq!(format_hex(-128, 8), "80");
    assert_eq!(format_hex(-1, 6), "3f");
    assert_eq!(format_hex(-2, 32), "fffffffe");
    assert_eq!(parse_hex("FF", 8), Ok(-1));
}

#[test]
fn round_trip() {
    let s = seed();
    let (_tmp, dir, rom) = written(s);
    let back = read_rom(&dir).unwrap();
    assert_eq!(back, rom, "seed {s}");
    let w0 = fs::read_to_string(dir.join("layer0_w.mem")).unwrap();
    assert!(
        w0.lines().all(|l| l.len() == 2),
        "6-bit weights use 2 digits"
    );
    let b0 = fs::read_to_string(dir.join("layer0_b.mem")).unwrap();
    assert!(
        b0.lines().all(|l| l.len() == 6),
        "21-bit biases use 6 digits"
    );
    let ev = evaluate_rom(&back).unwrap();
    assert!(ev.predictions_match(), "seed {s}");
    assert_eq!(ev.samples, 20);
    // Each pair has P = 7 planes.
    assert_eq!(ev.counts[0].total(), 20 * 6 * 4 * 7);
}

#[test]
fn rewrite_replaces_an_existing_rom() {
    let (_tmp, dir, _) = written(seed());
    let other = random_rom(seed() + 1);
    write_rom(&dir, &other).unwrap();
    assert_eq!(read_rom(&dir).unwrap(), other);
    let leftovers: Vec<_> = fs::read_dir(dir.parent().unwrap()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "no temporary directories remain");
}

#[test]
fn refuses_to_replace_a_directory_that_is_not_a_rom() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("notes.txt"), "keep me").unwrap();
    let e = format!("{:#}", write_rom(tmp.path(), &random_rom(1)).unwrap_err());
    assert!(e.contains("holds no readable ROM model.json"), "{e}");
    assert!(tmp.path().join("notes.txt").exists());
}

/// Issue 9, fault 1: a directory with a stray `model.json` beside other
/// files and folders was wiped. Now nothing of it is touched.
#[test]
fn refuses_to_replace_a_directory_with_foreign_files_beside_a_model_json() {
    let tmp = tempfile::tempdir().unwrap();
    let proj = tmp.path().join("proj");
    fs::create_dir_all(proj.join("sub")).unwrap();
    fs::write(proj.join("model.json"), "{}").unwrap();
    fs::write(proj.join("keep.txt"), "hi").unwrap();
    let e = format!("{:#}", write_rom(&proj, &random_rom(1)).unwrap_err());
    assert!(e.starts_with("refusing to replace"), "{e}");
    assert!(proj.join("keep.txt").exists() && proj.join("sub").is_dir());
    assert_eq!(fs::read_to_string(proj.join("model.json")).unwrap(), "{}");

    // A real ROM with one extra file is refused too, naming the file.
    let (_t, dir, _) = written(seed());
    fs::write(dir.join("notes.md"), "mine").unwrap();
    let e = format!("{:#}", write_rom(&dir, &random_rom(2)).unwrap_err());
    assert!(
        e.contains("it also holds notes.md, which the ROM does not name"),
        "{e}"
    );
    assert!(dir.join("notes.md").exists());
}

#[test]
fn invalid_network_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("rom");
    let mut rom = random_rom(2);
    rom.mlp.layers[1].weights[3] = 32; // does not fit w_bits = 6
    let e = format!("{:#}", write_rom(&dir, &rom).unwrap_err());
    assert_eq!(
        e,
        "layer 1: weight 3 = 32 does not fit 6 bits: allowed -32..=31"
    );
    assert!(!dir.exists());
    assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 0);
}

#[test]
fn wrong_count_names_file_and_expected_count() {
    let (_tmp, dir, _) = written(seed());
    edit(&dir, "layer0_w.mem", |l| {
        l.pop();
    });
    let e = err_of(&dir);
    assert!(e.contains("layer0_w.mem: has 23 lines, expected 24"), "{e}");
    assert!(e.contains("4 outputs x 6 inputs"), "{e}");
}

#[test]
fn bad_hex_names_file_and_line() {
    let (_tmp, dir, _) = written(seed());
    edit(&dir, "layer1_t.mem", |l| l[1] = "g1".into());
    let e = err_of(&dir);
    assert!(
        e.contains("layer1_t.mem line 2: \"g1\" is not a 2-digit hex value"),
        "{e}"
    );
    let (_tmp, dir, _) = written(seed());
    edit(&dir, "layer0_b.mem", |l| l[0] = "1".into());
    let e = err_of(&dir);
    assert!(
        e.contains("layer0_b.mem line 1: \"1\" is not a 6-digit hex value"),
        "{e}"
    );
}

#[test]
fn value_out_of_range_names_file_and_line() {
    let (_tmp, dir, _) = written(seed());
    edit(&dir, "layer0_w.mem", |l| l[4] = "40".into());
    let e = err_of(&dir);
    assert!(
        e.contains("layer0_w.mem line 5: 0x40 is out of range for a 6-bit value: the largest pattern is 3f"),
        "{e}"
    );
}

#[test]
fn bad_labels_and_predictions() {
    let (_tmp, dir, _) = written(seed());
    edit(&dir, "test_labels.txt", |l| l[3] = "7".into());
    let e = err_of(&dir);
    assert!(
        e.contains("test_labels.txt line 4: class 7 is out of range"),
        "{e}"
    );
    let (_tmp, dir, _) = written(seed());
    edit(&dir, "test_predictions.txt", |l| l[0] = "x".into());
    let e = err_of(&dir);
    assert!(
        e.contains("test_predictions.txt line 1: \"x\" is not a class"),
        "{e}"
    );
    let (_tmp, dir, _) = written(seed());
    edit(&dir, "test_inputs.mem", |l| {
        l.pop();
    });
    let e = err_of(&dir);
    assert!(
        e.contains("test_inputs.mem: has 119 lines, expected a non-zero multiple of 6"),
        "{e}"
    );
}

#[test]
fn bad_model_json() {
    let (_tmp, dir, _) = written(seed());
    let p = dir.join("model.json");
    let text = fs::read_to_string(&p).unwrap();
    fs::write(&p, text.replace("\"version\": 1", "\"version\": 2")).unwrap();
    assert!(err_of(&dir).contains("version = 2 is not supported"));
    fs::write(&p, text.replace("\"a_bits\": 8", "\"a_bits\": 17")).unwrap();
    assert!(err_of(&dir).contains("unit: a_bits = 17 is out of range: allowed 2..=16"));
    fs::write(&p, text.replace("layer0_w.mem", "../layer0_w.mem")).unwrap();
    assert!(err_of(&dir).contains("is not a plain file name"));
    fs::write(&p, text.replace("\"inputs\": 4", "\"inputs\": 5")).unwrap();
    assert!(err_of(&dir).contains("layers[1].inputs = 5 but layers[0].outputs = 4"));
    // Issue 9, fault 12: sizes whose product overflows are too large, not
    // "expected 0 lines".
    let huge = text
        .replace("\"inputs\": 6", "\"inputs\": 1099511627776")
        .replace("\"outputs\": 4", "\"outputs\": 1099511627776");
    fs::write(&p, huge).unwrap();
    let e = err_of(&dir);
    assert!(
        e.contains("layers[0] has 1099511627776 inputs x 1099511627776 outputs, too large a layer"),
        "{e}"
    );
    fs::write(&p, "{").unwrap();
    assert!(err_of(&dir).contains("model.json line 1"));
    fs::remove_file(&p).unwrap();
    assert!(err_of(&dir).contains("must hold model.json"));
}

#[test]
fn stale_predictions_are_reported() {
    let (_tmp, dir, rom) = written(seed());
    let p0 = rom.test_set.as_ref().unwrap().predictions[0];
    edit(&dir, "test_predictions.txt", |l| {
        l[0] = ((p0 + 1) % 3).to_string()
    });
    let ev = evaluate_rom(&read_rom(&dir).unwrap()).unwrap();
    assert_eq!(
        ev.mismatches,
        vec![Mismatch {
            sample: 0,
            stored: (p0 + 1) % 3,
            model: p0
        }]
    );
}
