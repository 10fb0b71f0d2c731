//! The weight ROM of a trained network (SPEC section 8, `sievingnet-rom`
//! version 1): `model.json` plus `$readmemh` memory files.
//!
//! Files along the format's seams: `hex` (the `$readmemh` codec),
//! `read` (the validating reader), `write` (the atomic writer) and
//! `eval` (the golden-model evaluation of a ROM's test set).
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

mod eval;
mod hex;
mod read;
#[cfg(test)]
mod tests;
mod write;

pub use eval::{evaluate_rom, expected_counts, expected_predictions, Mismatch, RomEvaluation};
pub use hex::{format_hex, hex_digits, parse_hex};
pub use read::read_rom;
pub use write::{check_replaceable, write_rom};

use crate::config::{signed_range, Coding};
use crate::model::mlp::IntMlp;
use anyhow::{bail, Result};
use serde::{Deserialize, Serialize};

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
pub(crate) struct UnitJson {
    pub(crate) a_bits: u32,
    pub(crate) w_bits: u32,
    pub(crate) t_bits: u32,
    pub(crate) acc_bits: u32,
    /// Not part of the contract's header; 32 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) cnt_bits: Option<u32>,
    pub(crate) coding: Coding,
}

#[derive(Serialize, Deserialize)]
pub(crate) struct LayerJson {
    pub(crate) inputs: usize,
    pub(crate) outputs: usize,
    pub(crate) weights: String,
    pub(crate) bias: String,
    pub(crate) thresholds: String,
    pub(crate) shift: u32,
    pub(crate) relu: bool,
}

#[derive(Serialize, Deserialize)]
pub(crate) struct TestSetJson {
    pub(crate) inputs: String,
    pub(crate) labels: String,
    pub(crate) predictions: String,
}

#[derive(Serialize, Deserialize)]
pub(crate) struct ModelJson {
    pub(crate) format: String,
    pub(crate) version: u32,
    pub(crate) unit: UnitJson,
    pub(crate) input: serde_json::Value,
    pub(crate) layers: Vec<LayerJson>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) test_set: Option<TestSetJson>,
}

/// Checks the shapes and value ranges of a network before it is written or
/// after it is read.
pub fn validate_mlp(mlp: &IntMlp) -> Result<()> {
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
            ("weight", &l.weights, u.w_bits()),
            ("bias", &l.bias, u.acc_bits()),
            ("threshold", &l.thresholds, u.t_bits()),
        ] {
            let (lo, hi) = signed_range(bits);
            if let Some((i, v)) = values.iter().enumerate().find(|(_, &v)| v < lo || v > hi) {
                bail!("layer {li}: {what} {i} = {v} does not fit {bits} bits: allowed {lo}..={hi}");
            }
        }
    }
    Ok(())
}

pub(crate) fn validate_test_set(mlp: &IntMlp, t: &TestSet) -> Result<()> {
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
