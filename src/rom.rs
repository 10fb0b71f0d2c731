//! The weight ROM of a trained network (SPEC section 8, `sievingnet-rom`
//! version 1): `model.json` plus `$readmemh` memory files.
//!
//! * [`write_rom`] writes a whole ROM directory atomically: every file goes
//!   into a fresh temporary directory next to the target, which is renamed
//!   into place only when all of it is written. On error nothing is left
//!   behind and an existing ROM at the target is untouched.
//! * [`read_rom`] validates everything (format, version, unit widths, layer
//!   shapes, file names, counts, hex digits, value ranges, labels) and every
//!   error names the file, the line and what to change.
//! * [`evaluate_rom`] runs the test set through the golden model
//!   ([`IntMlp::infer`]) and compares with the stored predictions.
//!
//! Memory files hold one value per line, the `bits`-wide two's complement
//! pattern in lower-case hex, zero-padded to `ceil(bits / 4)` digits (so `-1`
//! as an 8-bit weight is `ff`, as a 32-bit bias `ffffffff`). Reading accepts
//! upper-case digits too, but nothing else: no blank lines, comments or
//! `@address` records, so line `n` is always value `n - 1`.

use crate::config::{signed_range, Coding, UnitConfig};
use crate::model::mlp::{IntLayer, IntMlp};
use crate::model::sieve::PlaneCounts;
use anyhow::{anyhow, bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The `format` field of every `model.json`.
pub const FORMAT: &str = "sievingnet-rom";
/// The version of the format this code reads and writes.
pub const VERSION: u32 = 1;

/// A test set stored with the ROM: quantized samples, labels and the
/// predictions of the bit-exact integer inference.
#[derive(Clone, Debug, PartialEq)]
pub struct TestSet {
    /// One row per sample, `a_bits`-wide values, as long as the first layer's inputs.
    pub inputs: Vec<Vec<i64>>,
    /// The true class of each sample.
    pub labels: Vec<usize>,
    /// What the integer inference of the ROM predicts for each sample.
    pub predictions: Vec<usize>,
}

/// A whole ROM: the integer network, the trainer's description of how raw
/// features become `a_bits` integers, and optionally a test set.
#[derive(Clone, Debug, PartialEq)]
pub struct Rom {
    pub mlp: IntMlp,
    /// Free-form JSON written by the trainer (`"input"` of `model.json`).
    pub input: serde_json::Value,
    pub test_set: Option<TestSet>,
}

#[derive(Serialize, Deserialize)]
struct UnitJson {
    a_bits: u32,
    w_bits: u32,
    t_bits: u32,
    acc_bits: u32,
    /// Not part of the contract's header; 32 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cnt_bits: Option<u32>,
    coding: Coding,
}

#[derive(Serialize, Deserialize)]
struct LayerJson {
    inputs: usize,
    outputs: usize,
    weights: String,
    bias: String,
    thresholds: String,
    shift: u32,
    relu: bool,
}

#[derive(Serialize, Deserialize)]
struct TestSetJson {
    inputs: String,
    labels: String,
    predictions: String,
}

#[derive(Serialize, Deserialize)]
struct ModelJson {
    format: String,
    version: u32,
    unit: UnitJson,
    input: serde_json::Value,
    layers: Vec<LayerJson>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    test_set: Option<TestSetJson>,
}

/// Number of hex digits of a `bits`-wide value: `ceil(bits / 4)`.
pub fn hex_digits(bits: u32) -> usize {
    bits.div_ceil(4) as usize
}

/// The `$readmemh` line of `value` as a `bits`-wide two's complement number.
/// The value must fit (checked by the caller).
pub fn format_hex(value: i64, bits: u32) -> String {
    let pattern = if bits >= 64 {
        value as u64
    } else {
        (value as u64) & ((1u64 << bits) - 1)
    };
    format!("{:0width$x}", pattern, width = hex_digits(bits))
}

/// Parses one `$readmemh` line of a `bits`-wide two's complement value.
/// `Err` holds the reason, without the file and line (the caller adds them).
pub fn parse_hex(text: &str, bits: u32) -> std::result::Result<i64, String> {
    let digits = hex_digits(bits);
    if text.len() != digits || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!(
            "{text:?} is not a {digits}-digit hex value: write each {bits}-bit value as its \
             two's complement in exactly {digits} hex digits (e.g. {} for -1)",
            format_hex(-1, bits)
        ));
    }
    let pattern = u64::from_str_radix(text, 16).map_err(|e| format!("{text:?}: {e}"))?;
    if bits < 64 && pattern >> bits != 0 {
        return Err(format!(
            "0x{text} is out of range for a {bits}-bit value: the largest pattern is {} \
             (write only the low {bits} bits of the two's complement)",
            format_hex(-1, bits)
        ));
    }
    // Sign-extend the `bits`-wide pattern.
    let shift = 64 - bits;
    Ok(((pattern << shift) as i64) >> shift)
}

fn check_file_name(what: &str, name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains('/')
        && !name.contains('\\')
        && name != "model.json";
    if !ok {
        bail!(
            "model.json: {what} = {name:?} is not a plain file name: name a file inside the \
             ROM directory, such as \"layer0_w.mem\""
        );
    }
    Ok(())
}

/// Reads a text file as lines, naming the file on error.
fn read_lines(path: &Path) -> Result<Vec<String>> {
    let text = fs::read_to_string(path).with_context(|| {
        format!(
            "cannot read {}: the ROM's model.json names it; restore the file or rewrite the ROM",
            path.display()
        )
    })?;
    Ok(text
        .lines()
        .map(|l| l.trim_end_matches('\r').to_string())
        .collect())
}

/// Reads a memory file of exactly `count` values, each `bits` wide.
fn read_mem(path: &Path, bits: u32, count: usize, what: &str) -> Result<Vec<i64>> {
    let lines = read_lines(path)?;
    let name = path.display();
    if lines.len() != count {
        bail!(
            "{name}: has {} lines, expected {count} ({what}): one {bits}-bit hex value per line, \
             no blank lines; rewrite the file with the right number of values",
            lines.len()
        );
    }
    lines
        .iter()
        .enumerate()
        .map(|(n, line)| {
            parse_hex(line.trim(), bits).map_err(|e| anyhow!("{name} line {}: {e}", n + 1))
        })
        .collect()
}

/// Reads a file of one decimal class per line, each below `classes`.
fn read_classes(path: &Path, count: usize, classes: usize, what: &str) -> Result<Vec<usize>> {
    let lines = read_lines(path)?;
    let name = path.display();
    if lines.len() != count {
        bail!(
            "{name}: has {} lines, expected {count} ({what}, one per test sample): \
             write one decimal class per line",
            lines.len()
        );
    }
    lines
        .iter()
        .enumerate()
        .map(|(n, line)| {
            let t = line.trim();
            let v: usize = t.parse().map_err(|_| {
                anyhow!(
                    "{name} line {}: {t:?} is not a class: write one decimal class \
                     0..={} per line",
                    n + 1,
                    classes - 1
                )
            })?;
            if v >= classes {
                bail!(
                    "{name} line {}: class {v} is out of range: the last layer has {classes} \
                     outputs, so classes are 0..={}",
                    n + 1,
                    classes - 1
                );
            }
            Ok(v)
        })
        .collect()
}

/// Checks the shapes and value ranges of a network before it is written or
/// after it is read.
pub fn validate_mlp(mlp: &IntMlp) -> Result<()> {
    mlp.unit.validate().map_err(|e| anyhow!("unit: {e}"))?;
    if mlp.layers.is_empty() {
        bail!("the network has no layers: a ROM needs at least one layer");
    }
    let u = &mlp.unit;
    for (li, l) in mlp.layers.iter().enumerate() {
        if l.inputs == 0 || l.outputs == 0 {
            bail!(
                "layer {li}: inputs = {}, outputs = {}: both must be at least 1",
                l.inputs,
                l.outputs
            );
        }
        if li > 0 && mlp.layers[li - 1].outputs != l.inputs {
            bail!(
                "layer {li}: inputs = {} but layer {} has {} outputs: each layer's inputs must \
                 equal the previous layer's outputs",
                l.inputs,
                li - 1,
                mlp.layers[li - 1].outputs
            );
        }
        if l.shift > 64 {
            bail!(
                "layer {li}: shift = {} is out of range: allowed 0..=64",
                l.shift
            );
        }
        let n = l.inputs * l.outputs;
        if l.weights.len() != n || l.bias.len() != l.outputs || l.thresholds.len() != l.outputs {
            bail!(
                "layer {li}: {} weights, {} biases, {} thresholds; expected {n}, {}, {}",
                l.weights.len(),
                l.bias.len(),
                l.thresholds.len(),
                l.outputs,
                l.outputs
            );
        }
        for (what, values, bits) in [
            ("weight", &l.weights, u.w_bits),
            ("bias", &l.bias, u.acc_bits),
            ("threshold", &l.thresholds, u.t_bits),
        ] {
            let (lo, hi) = signed_range(bits);
            if let Some((i, v)) = values.iter().enumerate().find(|(_, &v)| v < lo || v > hi) {
                bail!("layer {li}: {what} {i} = {v} does not fit {bits} bits: allowed {lo}..={hi}");
            }
        }
    }
    Ok(())
}

fn validate_test_set(mlp: &IntMlp, t: &TestSet) -> Result<()> {
    let features = mlp.layers[0].inputs;
    let classes = mlp.layers.last().unwrap().outputs;
    let (lo, hi) = mlp.unit.a_range();
    if t.labels.len() != t.inputs.len() || t.predictions.len() != t.inputs.len() {
        bail!(
            "test set: {} samples, {} labels, {} predictions: all three must be equal",
            t.inputs.len(),
            t.labels.len(),
            t.predictions.len()
        );
    }
    for (s, row) in t.inputs.iter().enumerate() {
        if row.len() != features {
            bail!(
                "test set: sample {s} has {} values, the first layer has {features} inputs",
                row.len()
            );
        }
        if let Some(v) = row.iter().find(|&&v| v < lo || v > hi) {
            bail!("test set: sample {s} holds {v}, which does not fit a_bits: allowed {lo}..={hi}");
        }
    }
    for (what, v) in [("label", &t.labels), ("prediction", &t.predictions)] {
        if let Some((s, c)) = v.iter().enumerate().find(|(_, &c)| c >= classes) {
            bail!("test set: {what} of sample {s} is {c}, but there are only {classes} classes");
        }
    }
    Ok(())
}

fn write_file(dir: &Path, name: &str, body: &str) -> Result<()> {
    let path = dir.join(name);
    let mut f =
        fs::File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
    f.write_all(body.as_bytes())
        .and_then(|_| f.sync_all())
        .with_context(|| format!("cannot write {}", path.display()))
}

fn mem_body(values: &[i64], bits: u32) -> String {
    let mut s = String::with_capacity(values.len() * (hex_digits(bits) + 1));
    for &v in values {
        s.push_str(&format_hex(v, bits));
        s.push('\n');
    }
    s
}

fn classes_body(values: &[usize]) -> String {
    let mut s = String::with_capacity(values.len() * 2);
    for v in values {
        s.push_str(&v.to_string());
        s.push('\n');
    }
    s
}

/// Writes `rom` into directory `dir` atomically (see the module docs). An
/// existing `dir` is replaced only if it is empty or holds a `model.json`.
pub fn write_rom(dir: &Path, rom: &Rom) -> Result<()> {
    validate_mlp(&rom.mlp)?;
    if let Some(t) = &rom.test_set {
        validate_test_set(&rom.mlp, t)?;
    }
    if dir.exists() {
        if !dir.is_dir() {
            bail!(
                "{} exists and is not a directory: choose another ROM directory",
                dir.display()
            );
        }
        let empty = fs::read_dir(dir)?.next().is_none();
        if !empty && !dir.join("model.json").exists() {
            bail!(
                "refusing to replace {}: it exists and holds no model.json, so it is not a ROM; \
                 choose a new directory or remove it",
                dir.display()
            );
        }
    }
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).with_context(|| format!("cannot create {}", parent.display()))?;
    let tmp = tempfile::Builder::new()
        .prefix(".rom-tmp-")
        .tempdir_in(&parent)
        .with_context(|| {
            format!(
                "cannot create a temporary directory in {}",
                parent.display()
            )
        })?;

    let u = rom.mlp.unit;
    let mut layers = Vec::new();
    for (li, l) in rom.mlp.layers.iter().enumerate() {
        let lj = LayerJson {
            inputs: l.inputs,
            outputs: l.outputs,
            weights: format!("layer{li}_w.mem"),
            bias: format!("layer{li}_b.mem"),
            thresholds: format!("layer{li}_t.mem"),
            shift: l.shift,
            relu: l.relu,
        };
        write_file(tmp.path(), &lj.weights, &mem_body(&l.weights, u.w_bits))?;
        write_file(tmp.path(), &lj.bias, &mem_body(&l.bias, u.acc_bits))?;
        write_file(
            tmp.path(),
            &lj.thresholds,
            &mem_body(&l.thresholds, u.t_bits),
        )?;
        layers.push(lj);
    }
    let test_set = match &rom.test_set {
        None => None,
        Some(t) => {
            let tj = TestSetJson {
                inputs: "test_inputs.mem".into(),
                labels: "test_labels.txt".into(),
                predictions: "test_predictions.txt".into(),
            };
            let flat: Vec<i64> = t.inputs.iter().flatten().copied().collect();
            write_file(tmp.path(), &tj.inputs, &mem_body(&flat, u.a_bits))?;
            write_file(tmp.path(), &tj.labels, &classes_body(&t.labels))?;
            write_file(tmp.path(), &tj.predictions, &classes_body(&t.predictions))?;
            Some(tj)
        }
    };
    let model = ModelJson {
        format: FORMAT.into(),
        version: VERSION,
        unit: UnitJson {
            a_bits: u.a_bits,
            w_bits: u.w_bits,
            t_bits: u.t_bits,
            acc_bits: u.acc_bits,
            cnt_bits: None,
            coding: u.coding,
        },
        input: rom.input.clone(),
        layers,
        test_set,
    };
    let mut json = serde_json::to_string_pretty(&model)?;
    json.push('\n');
    write_file(tmp.path(), "model.json", &json)?;

    // Swap into place: move an old ROM aside, rename the new one, drop the old.
    let tmp_path = tmp.keep();
    let old = if dir.exists() {
        let aside = parent.join(format!(
            ".rom-old-{}-{}",
            std::process::id(),
            dir.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        ));
        if let Err(e) = fs::rename(dir, &aside) {
            let _ = fs::remove_dir_all(&tmp_path);
            return Err(e)
                .with_context(|| format!("cannot move the old ROM {} aside", dir.display()));
        }
        Some(aside)
    } else {
        None
    };
    if let Err(e) = fs::rename(&tmp_path, dir) {
        let _ = fs::remove_dir_all(&tmp_path);
        if let Some(aside) = &old {
            let _ = fs::rename(aside, dir);
        }
        return Err(e).with_context(|| format!("cannot rename the new ROM into {}", dir.display()));
    }
    if let Some(aside) = old {
        let _ = fs::remove_dir_all(aside);
    }
    Ok(())
}

/// Reads and validates a ROM directory.
pub fn read_rom(dir: &Path) -> Result<Rom> {
    let mj = dir.join("model.json");
    let text = fs::read_to_string(&mj).with_context(|| {
        format!(
            "cannot read {}: a ROM directory must hold model.json (SPEC section 8)",
            mj.display()
        )
    })?;
    let model: ModelJson = serde_json::from_str(&text).map_err(|e| {
        anyhow!(
            "{} line {}: {e}: the file must follow SPEC section 8 (format, version, unit, input, \
             layers, test_set)",
            mj.display(),
            e.line()
        )
    })?;
    if model.format != FORMAT {
        bail!(
            "{}: format = {:?}, expected {FORMAT:?}",
            mj.display(),
            model.format
        );
    }
    if model.version != VERSION {
        bail!(
            "{}: version = {} is not supported: this build reads version {VERSION}",
            mj.display(),
            model.version
        );
    }
    let uj = &model.unit;
    let unit = UnitConfig::new(
        uj.a_bits,
        uj.w_bits,
        uj.t_bits,
        uj.acc_bits,
        uj.cnt_bits.unwrap_or(32),
        uj.coding,
    )
    .map_err(|e| anyhow!("{}: unit: {e}", mj.display()))?;
    if model.layers.is_empty() {
        bail!(
            "{}: layers is empty: a ROM needs at least one layer",
            mj.display()
        );
    }
    let mut layers = Vec::new();
    for (li, lj) in model.layers.iter().enumerate() {
        for (what, name) in [
            ("weights", &lj.weights),
            ("bias", &lj.bias),
            ("thresholds", &lj.thresholds),
        ] {
            check_file_name(&format!("layers[{li}].{what}"), name)?;
        }
        if lj.inputs == 0 || lj.outputs == 0 {
            bail!(
                "{}: layers[{li}] has inputs = {}, outputs = {}: both must be at least 1",
                mj.display(),
                lj.inputs,
                lj.outputs
            );
        }
        if li > 0 && model.layers[li - 1].outputs != lj.inputs {
            bail!(
                "{}: layers[{li}].inputs = {} but layers[{}].outputs = {}: they must be equal",
                mj.display(),
                lj.inputs,
                li - 1,
                model.layers[li - 1].outputs
            );
        }
        if lj.shift > 64 {
            bail!(
                "{}: layers[{li}].shift = {} is out of range: allowed 0..=64",
                mj.display(),
                lj.shift
            );
        }
        let n = lj.inputs * lj.outputs;
        let weights = read_mem(
            &dir.join(&lj.weights),
            unit.w_bits,
            n,
            &format!(
                "layer {li}: {} outputs x {} inputs, neuron-major",
                lj.outputs, lj.inputs
            ),
        )?;
        let bias = read_mem(
            &dir.join(&lj.bias),
            unit.acc_bits,
            lj.outputs,
            &format!("layer {li}: one bias per output"),
        )?;
        let thresholds = read_mem(
            &dir.join(&lj.thresholds),
            unit.t_bits,
            lj.outputs,
            &format!("layer {li}: one threshold per output"),
        )?;
        layers.push(IntLayer {
            inputs: lj.inputs,
            outputs: lj.outputs,
            weights,
            bias,
            thresholds,
            shift: lj.shift,
            relu: lj.relu,
        });
    }
    let mlp = IntMlp { unit, layers };
    let test_set = match &model.test_set {
        None => None,
        Some(tj) => {
            for (what, name) in [
                ("inputs", &tj.inputs),
                ("labels", &tj.labels),
                ("predictions", &tj.predictions),
            ] {
                check_file_name(&format!("test_set.{what}"), name)?;
            }
            let features = mlp.layers[0].inputs;
            let classes = mlp.layers.last().unwrap().outputs;
            let path = dir.join(&tj.inputs);
            let lines = read_lines(&path)?;
            if lines.is_empty() || lines.len() % features != 0 {
                bail!(
                    "{}: has {} lines, expected a non-zero multiple of {features} (the first layer's \
                     inputs; samples are stored one after the other)",
                    path.display(),
                    lines.len()
                );
            }
            let flat = read_mem(&path, unit.a_bits, lines.len(), "test samples")?;
            let samples = flat.len() / features;
            let inputs: Vec<Vec<i64>> = flat.chunks(features).map(|c| c.to_vec()).collect();
            let labels = read_classes(&dir.join(&tj.labels), samples, classes, "labels")?;
            let predictions =
                read_classes(&dir.join(&tj.predictions), samples, classes, "predictions")?;
            Some(TestSet {
                inputs,
                labels,
                predictions,
            })
        }
    };
    Ok(Rom {
        mlp,
        input: model.input,
        test_set,
    })
}

/// A sample whose stored prediction differs from the golden model's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Mismatch {
    pub sample: usize,
    pub stored: usize,
    pub model: usize,
}

/// What [`evaluate_rom`] found.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RomEvaluation {
    pub samples: usize,
    /// Samples whose golden-model prediction equals the label.
    pub correct: usize,
    pub accuracy: f64,
    /// Plane counts per layer, summed over the test set.
    pub counts: Vec<PlaneCounts>,
    /// `sieved / (sieved + kept)` per layer.
    pub sieved_share: Vec<f64>,
    /// Samples where some output stream of some layer overflowed.
    pub overflow_samples: usize,
    /// Stored predictions that disagree with the golden model (all of them).
    pub mismatches: Vec<Mismatch>,
}

impl RomEvaluation {
    pub fn predictions_match(&self) -> bool {
        self.mismatches.is_empty()
    }
}

/// Runs the ROM's test set through [`IntMlp::infer`] (the golden model, on
/// all cores via `std::thread::scope`) and compares with the stored labels
/// and predictions. Fails if the ROM has no test set.
pub fn evaluate_rom(rom: &Rom) -> Result<RomEvaluation> {
    let t = rom.test_set.as_ref().ok_or_else(|| {
        anyhow!("the ROM has no test_set: write it with its test samples to evaluate it")
    })?;
    let n = t.inputs.len();
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(n.max(1));
    let chunk = n.div_ceil(threads);
    let results: Vec<(usize, Vec<PlaneCounts>, bool)> = std::thread::scope(|s| {
        let handles: Vec<_> = t
            .inputs
            .chunks(chunk.max(1))
            .map(|rows| {
                s.spawn(move || {
                    rows.iter()
                        .map(|x| {
                            let r = rom.mlp.infer(x);
                            (r.prediction, r.counts, r.overflow.iter().any(|&o| o))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("inference thread panicked"))
            .collect()
    });
    let layers = rom.mlp.layers.len();
    let mut counts = vec![PlaneCounts::default(); layers];
    let mut correct = 0;
    let mut overflow_samples = 0;
    let mut mismatches = Vec::new();
    for (s, (pred, c, ovf)) in results.iter().enumerate() {
        for (acc, c) in counts.iter_mut().zip(c) {
            acc.accumulate(c);
        }
        if *pred == t.labels[s] {
            correct += 1;
        }
        if *ovf {
            overflow_samples += 1;
        }
        if *pred != t.predictions[s] {
            mismatches.push(Mismatch {
                sample: s,
                stored: t.predictions[s],
                model: *pred,
            });
        }
    }
    let sieved_share = counts
        .iter()
        .map(|c| {
            let eff = c.sieved + c.kept;
            if eff == 0 {
                0.0
            } else {
                c.sieved as f64 / eff as f64
            }
        })
        .collect();
    Ok(RomEvaluation {
        samples: n,
        correct,
        accuracy: if n == 0 {
            0.0
        } else {
            correct as f64 / n as f64
        },
        counts,
        sieved_share,
        overflow_samples,
        mismatches,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn seed() -> u64 {
        std::env::var("SIEVINGNET_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(5)
    }

    /// A random 6-4-3 network on a 6-bit-weight unit (bit widths not a
    /// multiple of 4, to exercise padding), with a test set whose
    /// predictions come from the golden model.
    fn random_rom(seed: u64) -> Rom {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let unit = UnitConfig::builder()
            .a_bits(8)
            .w_bits(6)
            .t_bits(5)
            .acc_bits(21)
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
        assert!(e.contains("holds no model.json"), "{e}");
        assert!(tmp.path().join("notes.txt").exists());
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
}
