//! The validating ROM reader: every error names the file, the line and
//! what to change.

use super::hex::parse_hex;
use super::{ModelJson, Rom, TestSet, FORMAT, VERSION};
use crate::config::UnitConfig;
use crate::model::mlp::{IntLayer, IntMlp};
use anyhow::{anyhow, bail, Context, Result};
use std::fs;
use std::path::Path;

/// The most weights a layer may have (2^32, far beyond any FPGA's memory):
/// sizes from a file are checked against it before anything is allocated.
pub const MAX_WEIGHTS: usize = 1 << 32;

pub(crate) fn check_file_name(what: &str, name: &str) -> Result<()> {
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
        let n = lj
            .inputs
            .checked_mul(lj.outputs)
            .filter(|&n| n <= MAX_WEIGHTS)
            .with_context(|| {
                format!(
                    "{}: layers[{li}] has {} inputs x {} outputs, too large a layer: at most \
                     {MAX_WEIGHTS} weights per layer",
                    mj.display(),
                    lj.inputs,
                    lj.outputs
                )
            })?;
        let weights = read_mem(
            &dir.join(&lj.weights),
            unit.w_bits(),
            n,
            &format!(
                "layer {li}: {} outputs x {} inputs, neuron-major",
                lj.outputs, lj.inputs
            ),
        )?;
        let bias = read_mem(
            &dir.join(&lj.bias),
            unit.acc_bits(),
            lj.outputs,
            &format!("layer {li}: one bias per output"),
        )?;
        let thresholds = read_mem(
            &dir.join(&lj.thresholds),
            unit.t_bits(),
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
            let flat = read_mem(&path, unit.a_bits(), lines.len(), "test samples")?;
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
