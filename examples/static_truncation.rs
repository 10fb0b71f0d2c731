//! How much of a sieve-aware network's sieve is static? Each layer's inputs
//! over the ROM's test set have a largest exponent `e_max`; a digit plane
//! `k < T_j - e_max` is sieved for every input, so neuron `j` only ever uses
//! the weight `w_kept(e_max)` (its planes `k >= T_j - e_max`). This runs the
//! ROM's network with those truncated weights and no sieve (an exact network
//! of fewer levels) beside the sieved one, on the whole test set.
//!
//!   cargo run --release --example static_truncation -- ROM_DIR

use anyhow::{Context, Result};
use sievingnet::model::exponent::exponent;
use sievingnet::model::sieve::sieve_pair;
use sievingnet::rom::{evaluate_rom, read_rom};
use std::collections::BTreeSet;
use std::path::PathBuf;

fn main() -> Result<()> {
    let dir: PathBuf = std::env::args_os()
        .nth(1)
        .context("usage: static_truncation ROM_DIR")?
        .into();
    let rom = read_rom(&dir)?;
    let test = rom.test_set.as_ref().context("the ROM has no test set")?;
    let unit = rom.mlp.unit;
    let (t_min, _) = unit.t_range();
    // Each layer's largest input exponent over the test set (the sieved
    // network's activations).
    let mut e_max = vec![0u32; rom.mlp.layers.len()];
    for x in &test.inputs {
        for (e, act) in e_max.iter_mut().zip(rom.mlp.layer_inputs(x)) {
            *e = act.iter().filter_map(|&a| exponent(a)).fold(*e, u32::max);
        }
    }
    let mut truncated = rom.clone();
    for (li, layer) in truncated.mlp.layers.iter_mut().enumerate() {
        let probe = 1i64 << e_max[li];
        let mut levels = BTreeSet::new();
        for j in 0..layer.outputs {
            let t = layer.thresholds[j];
            for w in &mut layer.weights[j * layer.inputs..(j + 1) * layer.inputs] {
                *w = sieve_pair(&unit, probe, *w, t).product >> e_max[li];
                levels.insert(*w);
            }
        }
        let thresholds: BTreeSet<i64> = layer.thresholds.iter().copied().collect();
        println!(
            "layer {li}: thresholds {thresholds:?}, largest input exponent {}, weights kept at it: {} levels {levels:?}",
            e_max[li],
            levels.len()
        );
        layer.thresholds.iter_mut().for_each(|t| *t = t_min);
    }
    // The sieved network against its stored predictions, then the truncated
    // one against the same: its mismatches are the predictions that differ.
    let sieved = evaluate_rom(&rom)?;
    anyhow::ensure!(
        sieved.predictions_match(),
        "the ROM's stored predictions are not its golden model's"
    );
    let exact = evaluate_rom(&truncated)?;
    println!(
        "{} test samples: sieved {:.2}%, statically truncated without sieve {:.2}% ({} predictions differ)",
        test.labels.len(),
        100.0 * sieved.accuracy,
        100.0 * exact.accuracy,
        exact.mismatches.len()
    );
    Ok(())
}
