//! The accelerator's toggle report: `power-mlp.json` (everything, with the
//! configuration, tool versions, commit and seed), `power-mlp.md` and
//! `power-mlp.svg` (toggles per inference by kind of cell, and memory reads
//! per inference by primitive).

use super::accelerator::MlpToggles;
use super::report::{thousands, Network, Provenance};
use crate::eda::plot::escape;
use crate::files::write_atomic_all;
use anyhow::Result;
use serde::Serialize;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// What the figures are, recorded in every report.
pub const MLP_MEANING: &str = "Toggles of the whole accelerator's mapped UP5K netlist (synth_ice40 \
-device u -spram -dsp, Yosys's cell models, Verilator toggle coverage), samples back to back after \
the ROM is loaded (the loading is not counted): every change of every net, counted once at the cell \
that drives it, memory cells' output nets included; the clock and the top-level inputs are not \
counted; every prediction equals the golden model's (a run that differs is refused). A relative \
proxy for dynamic energy, not milliwatts. Toggles do not see inside a memory: \
every memory cell's reads and writes are counted separately (one per clock edge with the cell \
enabled), since a read costs far more than a net's toggle and the two cannot be added without \
per-device figures.";

/// One accelerator on one network.
#[derive(Clone, Debug, Serialize)]
pub struct MlpPowerRun {
    pub network: String,
    pub arch: String,
    pub lanes: usize,
    pub counts: MlpToggles,
    pub toggles_per_inference: f64,
    pub cycles_per_inference: f64,
    /// Reads per inference of the SPRAM and block RAM cells.
    pub spram_reads_per_inference: f64,
    pub ebr_reads_per_inference: f64,
    pub ebr_writes_per_inference: f64,
}

impl MlpPowerRun {
    pub fn new(network: &str, arch: &str, lanes: usize, counts: MlpToggles) -> Self {
        let n = counts.samples.max(1) as f64;
        let ebr_writes: u64 = counts
            .memories
            .iter()
            .filter(|m| m.cell == "SB_RAM40_4K")
            .map(|m| m.writes)
            .sum();
        MlpPowerRun {
            network: network.to_string(),
            arch: arch.to_string(),
            lanes,
            toggles_per_inference: counts.per_inference(),
            cycles_per_inference: counts.cycles as f64 / n,
            spram_reads_per_inference: counts.reads_per_inference("SB_SPRAM256KA"),
            ebr_reads_per_inference: counts.reads_per_inference("SB_RAM40_4K"),
            ebr_writes_per_inference: ebr_writes as f64 / n,
            counts,
        }
    }

    fn key(&self) -> String {
        format!("{} x {} on {}", self.lanes, self.arch, self.network)
    }
}

/// A ratio the report states (`null` in the JSON where the exact
/// accelerator has none of that access).
#[derive(Clone, Debug, Serialize)]
pub struct MlpRatio {
    pub what: String,
    pub toggles: f64,
    pub spram_reads: f64,
    pub ebr_reads: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct MlpPowerReport {
    #[serde(flatten)]
    pub provenance: Provenance,
    pub device: String,
    pub networks: Vec<Network>,
    pub runs: Vec<MlpPowerRun>,
    pub ratios: Vec<MlpRatio>,
}

/// Each sieving accelerator against every `mac` accelerator (its own
/// network's exact form, and every exact network).
pub fn mlp_ratios(runs: &[MlpPowerRun]) -> Vec<MlpRatio> {
    let mut out = Vec::new();
    let div = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::NAN };
    for s in runs.iter().filter(|r| r.arch != "mac") {
        for m in runs.iter().filter(|r| r.arch == "mac") {
            out.push(MlpRatio {
                what: format!("{} / {}", s.key(), m.key()),
                toggles: div(s.toggles_per_inference, m.toggles_per_inference),
                spram_reads: div(s.spram_reads_per_inference, m.spram_reads_per_inference),
                ebr_reads: div(s.ebr_reads_per_inference, m.ebr_reads_per_inference),
            });
        }
    }
    out
}

/// The report's tables.
pub fn mlp_markdown(r: &MlpPowerReport) -> String {
    let p = &r.provenance;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# Accelerator switching activity ({})\n\n{}\n\nCommand: `{}`  \ncommit {}, sievingnet {}, {}, {}, seed {}, {} test samples per network.\n",
        r.device,
        p.meaning,
        p.command,
        p.commit,
        p.sievingnet_version,
        p.yosys_version,
        p.verilator_version,
        p.seed,
        p.samples
    );
    let _ = writeln!(
        s,
        "| network | unit | accuracy | exact |\n|---|---|---|---|"
    );
    for n in &r.networks {
        let _ = writeln!(
            s,
            "| {} | {} | {:.2}% | {} |",
            n.label,
            n.unit,
            100.0 * n.accuracy,
            if n.exact { "yes" } else { "no" }
        );
    }
    let _ = writeln!(
        s,
        "\nPer inference:\n\n| accelerator | network | toggles | LUT | carry | FF | DSP | memory outputs | clocks | SPRAM reads | block RAM reads | block RAM writes |\n|---|---|---|---|---|---|---|---|---|---|---|---|"
    );
    for x in &r.runs {
        let n = x.counts.samples.max(1) as f64;
        let k = |kind: &str| thousands(x.counts.by_kind.get(kind).copied().unwrap_or(0) as f64 / n);
        let mem = (x.counts.by_kind.get("ram").copied().unwrap_or(0)
            + x.counts.by_kind.get("spram").copied().unwrap_or(0)) as f64
            / n;
        let _ = writeln!(
            s,
            "| {} x {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            x.lanes,
            x.arch,
            x.network,
            thousands(x.toggles_per_inference),
            k("lut"),
            k("carry"),
            k("ff"),
            k("dsp"),
            thousands(mem),
            thousands(x.cycles_per_inference),
            thousands(x.spram_reads_per_inference),
            thousands(x.ebr_reads_per_inference),
            thousands(x.ebr_writes_per_inference)
        );
    }
    let _ = writeln!(
        s,
        "\nMemory accesses per inference, by memory (`wstore`: weights, `tstore`: thresholds, `bmem`: biases, `nz_*`: the non-zero activation buffers):\n\n| accelerator | network | memory | primitive | cells | reads | writes |\n|---|---|---|---|---|---|---|"
    );
    for x in &r.runs {
        let n = x.counts.samples.max(1) as f64;
        for m in &x.counts.memories {
            let _ = writeln!(
                s,
                "| {} x {} | {} | `{}` | {} | {} | {} | {} |",
                x.lanes,
                x.arch,
                x.network,
                m.memory,
                m.cell,
                m.cells,
                thousands(m.reads as f64 / n),
                thousands(m.writes as f64 / n)
            );
        }
    }
    if !r.ratios.is_empty() {
        let _ = writeln!(
            s,
            "\nRatios per inference (sieving accelerator / exact MAC accelerator):\n\n| comparison | toggles | SPRAM reads | block RAM reads |\n|---|---|---|---|"
        );
        let times = |v: f64| {
            if v.is_finite() {
                format!("{v:.2}x")
            } else {
                "-".to_string()
            }
        };
        for q in &r.ratios {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} |",
                q.what,
                times(q.toggles),
                times(q.spram_reads),
                times(q.ebr_reads)
            );
        }
    }
    s
}

const KINDS: [(&str, &str); 6] = [
    ("lut", "#1f77b4"),
    ("carry", "#ff7f0e"),
    ("ff", "#2ca02c"),
    ("dsp", "#d62728"),
    ("ram", "#9467bd"),
    ("spram", "#8c564b"),
];

/// One row of a bar panel: its label, its `(value, color)` segments and the
/// text after the bar.
type BarRow<'a> = (String, Vec<(f64, &'a str)>, String);

/// Layout of the bar panels: label column, bar length, row height, the
/// first row's offset below the panel's top.
const LABEL_W: f64 = 300.0;
const BAR_W: f64 = 380.0;
const ROW_H: f64 = 20.0;
const FIRST_ROW: f64 = 40.0;

/// A panel at `y0`: `title`, one stacked bar per row scaled to the longest,
/// and the `legend` of the segments' colors. Returns the panel's height.
fn bar_panel(
    svg: &mut String,
    y0: f64,
    title: &str,
    rows: &[BarRow],
    legend: &[(&str, &str)],
) -> f64 {
    let _ = writeln!(
        svg,
        r#"<text x="10" y="{:.1}" font-size="14">{}</text>"#,
        y0 + 22.0,
        escape(title)
    );
    let total = |row: &BarRow| row.1.iter().map(|(v, _)| v).sum::<f64>();
    let max = rows.iter().map(total).fold(0.0, f64::max).max(1e-9);
    for (i, row) in rows.iter().enumerate() {
        let y = y0 + FIRST_ROW + ROW_H * i as f64;
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="end">{}</text>"#,
            LABEL_W - 6.0,
            y + 13.0,
            escape(&row.0)
        );
        let mut x0 = LABEL_W;
        for &(v, color) in row.1.iter().filter(|(v, _)| *v > 0.0) {
            let w = BAR_W * v / max;
            let _ = writeln!(
                svg,
                r#"<rect x="{x0:.1}" y="{:.1}" width="{w:.1}" height="{:.1}" fill="{color}"/>"#,
                y + 2.0,
                ROW_H - 4.0
            );
            x0 += w;
        }
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" font-size="11">{}</text>"#,
            x0 + 4.0,
            y + 13.0,
            row.2
        );
    }
    let ly = y0 + FIRST_ROW + ROW_H * rows.len() as f64 + 20.0;
    for (k, (name, color)) in legend.iter().enumerate() {
        let x = LABEL_W + 80.0 * k as f64;
        let _ = writeln!(
            svg,
            r#"<rect x="{x:.1}" y="{:.1}" width="12" height="12" fill="{color}"/><text x="{:.1}" y="{ly:.1}" font-size="12">{name}</text>"#,
            ly - 10.0,
            x + 16.0
        );
    }
    FIRST_ROW + ROW_H * rows.len() as f64 + 40.0
}

/// Two panels of bars, one row per accelerator: toggles per inference
/// stacked by kind of driving cell, and memory reads per inference (SPRAM,
/// block RAM).
pub fn mlp_svg(r: &MlpPowerReport) -> String {
    let toggles: Vec<BarRow> = r
        .runs
        .iter()
        .map(|x| {
            let n = x.counts.samples.max(1) as f64;
            let segments = KINDS
                .iter()
                .map(|&(kind, color)| {
                    let v = x.counts.by_kind.get(kind).copied().unwrap_or(0) as f64;
                    (v / n, color)
                })
                .collect();
            (x.key(), segments, thousands(x.toggles_per_inference))
        })
        .collect();
    let reads_legend = [("SPRAM", "#8c564b"), ("block RAM", "#9467bd")];
    let reads: Vec<BarRow> = r
        .runs
        .iter()
        .map(|x| {
            let (spram, ebr) = (x.spram_reads_per_inference, x.ebr_reads_per_inference);
            let segments = vec![(spram, reads_legend[0].1), (ebr, reads_legend[1].1)];
            let text = format!("{} + {}", thousands(spram), thousands(ebr));
            (x.key(), segments, text)
        })
        .collect();
    let mut body = String::new();
    let title = format!(
        "Toggles per inference ({} test samples, {}), by kind of driving cell",
        r.provenance.samples, r.device
    );
    let h = bar_panel(&mut body, 0.0, &title, &toggles, &KINDS);
    let title = "Memory reads per inference (each cell's read counted)";
    let h = h + bar_panel(&mut body, h, title, &reads, &reads_legend);
    let (width, height) = (LABEL_W + BAR_W + 130.0, h + 20.0);
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" font-family=\"sans-serif\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n{body}</svg>\n"
    )
}

/// Writes `power-mlp.json`, `power-mlp.md` and `power-mlp.svg` in `dir`,
/// all or none.
pub fn write_mlp_report(r: &MlpPowerReport, dir: &Path) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let files = [
        (
            dir.join("power-mlp.json"),
            (serde_json::to_string_pretty(r)? + "\n").into_bytes(),
        ),
        (dir.join("power-mlp.md"), mlp_markdown(r).into_bytes()),
        (dir.join("power-mlp.svg"), mlp_svg(r).into_bytes()),
    ];
    let refs: Vec<(&Path, &[u8])> = files
        .iter()
        .map(|(p, b)| (p.as_path(), b.as_slice()))
        .collect();
    write_atomic_all(&refs)?;
    Ok(files.into_iter().map(|(p, _)| p).collect())
}
