//! `sievingnet export-mlp`: the accelerator's Verilog and its manifest
//! (SPEC section 9).

use super::manifest_path;
use crate::design::Arch;
use crate::files::write_atomic_all;
use crate::rom::Rom;
use crate::rtl::mlp::counters::COUNT_BITS;
use crate::rtl::mlp::flash::{flash_image, flash_load_clocks};
use crate::rtl::mlp::generate::{generate_flash_board, generate_mlp, COUNTER_PORTS};
use crate::rtl::mlp::sim::{run_mlp, MlpPacing};
use crate::rtl::mlp::{load_stream, LayerShape, MemoryDepths, MlpShape};
use anyhow::{bail, Result};
use serde::Serialize;
use std::path::Path;

/// The `synth_ice40` options the accelerator is built with on the UP5K
/// (SPRAM and DSP inference); on the HX8K it needs none.
pub const SYNTH_OPTIONS_UP5K: &str = "-device u -spram -dsp";

/// One memory of the accelerator.
#[derive(Clone, Debug, Serialize)]
pub struct MemoryEntry {
    pub name: &'static str,
    pub count: usize,
    pub words: usize,
    pub bits: usize,
    pub holds: &'static str,
}

/// Cycles per sample: the formula, and what the rust-hdl simulation
/// measured on the first test samples (back to back).
#[derive(Clone, Debug, Serialize)]
pub struct CyclesEntry {
    pub formula: String,
    pub measured_samples: usize,
    pub measured_cycles_per_sample: Option<f64>,
}

/// The flash loader files of `--flash-offset`.
#[derive(Clone, Debug, Serialize)]
pub struct FlashEntry {
    /// `{top}_board`, in `verilog` (compiled with the accelerator's file).
    pub board_top: String,
    pub verilog: String,
    /// The image to write at `offset` (e.g. `iceprog -o OFFSET IMAGE`).
    pub image: String,
    pub offset: u64,
    pub image_bytes: usize,
    /// Clocks from reset to the last value (the SPI clock at half the
    /// system clock): the wake-up, the command, 65 clocks per value.
    pub load_clocks: u64,
}

/// What `export-mlp` writes next to the Verilog as `PATH.json`.
#[derive(Clone, Debug, Serialize)]
pub struct MlpManifest {
    pub format: &'static str,
    pub spec_version: u32,
    pub top: String,
    pub verilog: String,
    pub arch: Arch,
    pub lanes: usize,
    pub a_bits: u32,
    pub w_bits: u32,
    pub lane_w_bits: u32,
    pub t_bits: u32,
    pub acc_bits: u32,
    pub coding: crate::config::Coding,
    pub layers: Vec<LayerShape>,
    pub load_words: usize,
    /// The counter outputs after SPEC section 9's ports (`--counters`):
    /// the sample's plane counts over every layer, valid with `out_valid`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub counter_ports: Vec<&'static str>,
    pub memories: Vec<MemoryEntry>,
    /// With `--flash-offset`: the board top that loads from SPI flash.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flash: Option<FlashEntry>,
    pub synth_ice40_options: &'static str,
    pub cycles: CyclesEntry,
    pub generator: String,
}

fn memories(shape: &MlpShape, d: &MemoryDepths) -> Vec<MemoryEntry> {
    vec![
        MemoryEntry {
            name: "wstore",
            count: 1,
            words: d.weights.next_power_of_two(),
            bits: shape.lanes * shape.w_bits as usize,
            holds: "weights, one word per group and input: lane b's field (the ROM's w_bits, sign-extended to the lane's on reads) holds neuron j = b mod lanes (SPRAM on the UP5K with -spram)",
        },
        MemoryEntry {
            name: "tstore",
            count: 1,
            words: d.thresholds.next_power_of_two(),
            bits: shape.lanes * 8,
            holds: "thresholds, one word per group: lane b's field holds neuron j = b mod lanes (block RAM)",
        },
        MemoryEntry {
            name: "bmem",
            count: 1,
            words: d.biases,
            bits: 32,
            holds: "biases, by neuron of the whole network",
        },
        MemoryEntry {
            name: "nz_idx, nz_val (input)",
            count: 2,
            words: d.input,
            bits: crate::rtl::mlp::INDEX_BITS + shape.a_bits as usize,
            holds: "non-zero input features (index, value): one buffer fills while layer 0 reads the other",
        },
        MemoryEntry {
            name: "nz_idx, nz_val (hidden)",
            count: 2,
            words: d.hidden,
            bits: crate::rtl::mlp::INDEX_BITS + shape.a_bits as usize,
            holds: "non-zero activations of the hidden layers, ping-pong",
        },
    ]
}

/// The cycle formula in words.
pub fn cycles_formula(shape: &MlpShape) -> String {
    let lane = match shape.arch {
        Arch::Parallel => format!(
            "L = {} (the parallel unit's latency) and S_l = nz_l",
            3 + crate::rtl::ceil_log2(shape.lane_w_bits() as usize)
        ),
        Arch::Mac => "L = 1 (the exact lean lane's latency) and S_l = nz_l".to_string(),
        Arch::Masked => "L = 2 (the masked lane's latency) and S_l = nz_l".to_string(),
        Arch::Serial => "L = 2 and S_l = sum over the non-zero inputs i of max over the group's lanes of max(1, kept digits of (a_i, w_ji))".to_string(),
    };
    format!(
        "compute clocks per sample, approximately (a model not checked clock by clock; the measured figure is the record) = \
         2 + sum over layers l of [1 + G_l * (S_l + 8 + L) + outputs_l], \
         G_l = ceil(outputs_l / {lanes}) groups, nz_l = non-zero inputs of layer l, {lane}; \
         the input port takes one feature per clock into the other input buffer meanwhile, \
         so samples back to back take max(inputs_0, compute) clocks each",
        lanes = shape.lanes
    )
}

/// Generates the accelerator for `rom` and its manifest in memory; the
/// rust-hdl simulation measures the cycles on the first `measure` test
/// samples (checking their predictions).
pub fn export_mlp(
    rom: &Rom,
    shape: &MlpShape,
    top: &str,
    verilog_name: &str,
    measure: usize,
) -> Result<(String, MlpManifest)> {
    let arch = shape.arch;
    let text = generate_mlp(shape, top)?;
    let mut measured = None;
    let mut measured_samples = 0;
    if let Some(t) = rom.test_set.as_ref() {
        let n = measure.min(t.inputs.len());
        if n > 0 {
            let run = run_mlp(
                shape,
                &load_stream(rom),
                &t.inputs[..n],
                &MlpPacing::default(),
            )?;
            let expected = crate::rom::expected_predictions(rom, arch, n)?;
            if run.predictions != expected {
                bail!("the accelerator's rust-hdl simulation disagrees with the model on the first {n} test samples: a bug, please report it");
            }
            if shape.counters
                && run.counts != crate::rom::expected_counts(rom, &t.inputs[..n], COUNT_BITS as u32)
            {
                bail!("the accelerator's counters disagree with the model on the first {n} test samples: a bug, please report it");
            }
            measured = Some(run.cycles_per_sample());
            measured_samples = n;
        }
    }
    let depths = shape.memory_depths();
    let manifest = MlpManifest {
        format: "sievingnet-mlp-verilog",
        spec_version: 2,
        top: top.to_string(),
        verilog: verilog_name.to_string(),
        arch,
        lanes: shape.lanes,
        a_bits: shape.a_bits,
        w_bits: shape.w_bits,
        lane_w_bits: shape.lane_w_bits(),
        t_bits: 8,
        acc_bits: 32,
        coding: shape.coding,
        layers: shape.layers.clone(),
        load_words: shape.load_words(),
        counter_ports: if shape.counters {
            COUNTER_PORTS.to_vec()
        } else {
            Vec::new()
        },
        memories: memories(shape, &depths),
        flash: None,
        synth_ice40_options: SYNTH_OPTIONS_UP5K,
        cycles: CyclesEntry {
            formula: cycles_formula(shape),
            measured_samples,
            measured_cycles_per_sample: measured,
        },
        generator: format!("sievingnet {} (rust-hdl 0.46)", env!("CARGO_PKG_VERSION")),
    };
    Ok((text, manifest))
}

/// The board files of `--flash-offset` beside `out` (`X.v`): `X_flash.v`
/// and `X_flash.bin`.
pub fn flash_paths(out: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let stem = out
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("sieve_mlp");
    (
        out.with_file_name(format!("{stem}_flash.v")),
        out.with_file_name(format!("{stem}_flash.bin")),
    )
}

/// Exports to `out` (`.v`) and its `.json` manifest, and with
/// `flash_offset` the board files of [`flash_paths`]: all or none.
pub fn export_mlp_to(
    rom: &Rom,
    shape: &MlpShape,
    top: &str,
    out: &Path,
    measure: usize,
    flash_offset: Option<u64>,
) -> Result<MlpManifest> {
    if out.extension().and_then(|e| e.to_str()) != Some("v") {
        bail!(
            "--out {} must end in .v (the manifest goes next to it as .json)",
            out.display()
        );
    }
    let name = |p: &Path| {
        p.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("sieve_mlp.v")
            .to_string()
    };
    let (text, mut manifest) = export_mlp(rom, shape, top, &name(out), measure)?;
    let mut files = Vec::new();
    let (board_path, image_path) = flash_paths(out);
    if let Some(offset) = flash_offset {
        let board = generate_flash_board(shape, top, offset)?;
        let image = flash_image(&load_stream(rom));
        manifest.flash = Some(FlashEntry {
            board_top: format!("{top}_board"),
            verilog: name(&board_path),
            image: name(&image_path),
            offset,
            image_bytes: image.len(),
            load_clocks: flash_load_clocks(shape.load_words() as u64),
        });
        files.push((board_path, board.into_bytes()));
        files.push((image_path, image));
    }
    let json = serde_json::to_string_pretty(&manifest)? + "\n";
    files.push((manifest_path(out), json.into_bytes()));
    files.push((out.to_path_buf(), text.into_bytes()));
    let refs: Vec<(&Path, &[u8])> = files
        .iter()
        .map(|(p, b)| (p.as_path(), b.as_slice()))
        .collect();
    write_atomic_all(&refs)?;
    Ok(manifest)
}
