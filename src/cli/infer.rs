//! `sievingnet infer`: runs a weight ROM's test set through the hardware
//! (rust-hdl simulation or exported Verilog), every dot product streamed
//! through the unit, and checks every vector against the golden model and
//! every prediction against the ROM's predictions file.

use super::dot::{compute, Engine};
use anyhow::{bail, Context, Result};
use clap::Args;
use sievingnet::model::mlp::{argmax_first, requantize};
use sievingnet::model::{run_stream, Pair, PlaneCounts};
use sievingnet::rom::read_rom;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct InferArgs {
    /// ROM directory (SPEC section 8) with a test set, e.g. written by `sievingnet-train`.
    #[arg(long)]
    pub rom: PathBuf,
    /// Which implementation computes the dot products.
    #[arg(long, value_enum, default_value_t = Engine::Rtl)]
    pub engine: Engine,
    /// Use only the first N test samples (the RTL simulation streams every
    /// input of every neuron: about 1 million pairs per MNIST sample).
    #[arg(long)]
    pub limit: Option<usize>,
}

pub fn run(args: InferArgs) -> Result<()> {
    let rom = read_rom(&args.rom).with_context(|| format!("cannot read the ROM in {}", args.rom.display()))?;
    let tests = rom
        .test_set
        .as_ref()
        .context("the ROM has no test_set: nothing to run")?;
    let n = args.limit.unwrap_or(tests.inputs.len()).min(tests.inputs.len());
    if n == 0 {
        bail!("--limit 0 leaves no sample to run");
    }
    let mlp = &rom.mlp;
    let cfg = mlp.unit;
    let mut acts: Vec<Vec<i64>> = tests.inputs[..n].to_vec();
    let mut counts = vec![PlaneCounts::default(); mlp.layers.len()];
    let mut logits: Vec<Vec<i128>> = Vec::new();
    let mut pairs_total = 0usize;
    for (li, layer) in mlp.layers.iter().enumerate() {
        // One stream for the whole layer: sample-major, then output-major.
        let mut pairs = Vec::with_capacity(n * layer.outputs * layer.inputs);
        for x in &acts {
            for j in 0..layer.outputs {
                let row = &layer.weights[j * layer.inputs..(j + 1) * layer.inputs];
                for (i, (&a, &w)) in x.iter().zip(row).enumerate() {
                    pairs.push(Pair { a, w, thr: layer.thresholds[j], last: i + 1 == layer.inputs });
                }
            }
        }
        pairs_total += pairs.len();
        let got = compute(&cfg, args.engine, &pairs)?;
        let want = run_stream(&cfg, &pairs);
        if let Some(k) = got.iter().zip(&want).position(|(g, w)| g != w) {
            bail!(
                "layer {li}, sample {}, output {}: the {:?} engine gave {:?}, the golden model {:?}",
                k / layer.outputs,
                k % layer.outputs,
                args.engine,
                got[k],
                want[k]
            );
        }
        if got.len() != want.len() {
            bail!("layer {li}: {} results from the engine, {} expected", got.len(), want.len());
        }
        let mut next = Vec::with_capacity(n);
        for chunk in got.chunks(layer.outputs) {
            let mut ys = Vec::with_capacity(layer.outputs);
            for (j, r) in chunk.iter().enumerate() {
                counts[li].zero_a += r.zero_a;
                counts[li].zero_w += r.zero_w;
                counts[li].sieved += r.sieved;
                counts[li].kept += r.kept;
                let mut y = r.sum as i128 + layer.bias[j] as i128;
                if layer.relu {
                    y = y.max(0);
                }
                ys.push(y);
            }
            if li + 1 == mlp.layers.len() {
                logits.push(ys);
            } else {
                next.push(ys.iter().map(|&y| requantize(y, layer.shift, cfg.a_bits)).collect());
            }
        }
        acts = next;
    }
    let predictions: Vec<usize> = logits.iter().map(|l| argmax_first(l)).collect();
    let mismatches = (0..n).filter(|&s| predictions[s] != tests.predictions[s]).count();
    let correct = (0..n).filter(|&s| predictions[s] == tests.labels[s]).count();
    let layers: Vec<serde_json::Value> = counts
        .iter()
        .map(|c| {
            let eff = (c.sieved + c.kept).max(1) as f64;
            serde_json::json!({"zero_a": c.zero_a, "zero_w": c.zero_w, "sieved": c.sieved, "kept": c.kept,
                               "sieved_share": c.sieved as f64 / eff})
        })
        .collect();
    let summary = serde_json::json!({
        "rom": args.rom.display().to_string(),
        "engine": format!("{:?}", args.engine).to_lowercase(),
        "unit": cfg,
        "samples": n,
        "pairs": pairs_total,
        "accuracy": correct as f64 / n as f64,
        "predictions_match": mismatches == 0,
        "vectors_match_model": true,
        "layers": layers,
    });
    println!("{}", serde_json::to_string_pretty(&summary)?);
    if mismatches > 0 {
        bail!("{mismatches} of {n} predictions differ from the ROM's predictions file");
    }
    Ok(())
}
