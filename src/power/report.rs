//! The toggle report: `power.json` (everything, with the configuration, the
//! tool versions, the commit and the seed), `power.md` (the tables) and
//! `power.svg` (toggles per inference by design, by kind of cell; and
//! against the sieved share when several sieving networks were run).

use super::streams::{rom_is_exact, StreamFacts};
use crate::config::UnitConfig;
use crate::eda::plot::{escape, nice_max};
use crate::files::write_atomic_all;
use crate::rom::Rom;
use crate::toolchain::{source_commit, tool_version};
use anyhow::{Context, Result};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// What the figure is, recorded in every report.
pub const MEANING: &str = "Toggles of the mapped iCE40 netlist (synth_ice40, Yosys's cell models, \
Verilator toggle coverage): every change of every net, counted once at the cell that drives it; the \
clock and the top-level inputs (driven by the testbench) are not counted. A relative proxy for dynamic \
energy, not milliwatts: all nets weigh alike, routing is not seen, and nothing inside a DSP block is \
seen beyond its outputs. The units hold no memory (weights come in on ports): no memory read is counted. \
Counters are off. Per block from a second netlist that keeps the blocks (not optimized across them).";

/// A network whose streams were run.
#[derive(Clone, Debug, Serialize)]
pub struct Network {
    /// A short label: the ROM folder's name, or `random`.
    pub label: String,
    pub rom: String,
    /// The ROM's widths, e.g. `a8w8 binary`.
    pub unit: String,
    /// The ROM's own test accuracy (its predictions file over its labels).
    pub accuracy: f64,
    /// Every threshold `<= 0`: the network never sieves.
    pub exact: bool,
}

impl Network {
    /// The network of the ROM read from `dir`, labelled after its folder
    /// (its parent's name when it is `rom`), made unique among `taken`.
    pub fn of_rom(dir: &Path, rom: &Rom, taken: &[Network]) -> Result<Network> {
        let name = |p: &Path| p.file_name().map(|n| n.to_string_lossy().into_owned());
        let mut label = match name(dir) {
            Some(n) if n == "rom" => dir.parent().and_then(name).unwrap_or(n),
            Some(n) => n,
            None => dir.display().to_string(),
        };
        if taken.iter().any(|n| n.label == label) {
            label = format!("{label}-{}", taken.len() + 1);
        }
        let tests = rom
            .test_set
            .as_ref()
            .with_context(|| format!("the ROM {} has no test set to run", dir.display()))?;
        let accuracy = tests
            .predictions
            .iter()
            .zip(&tests.labels)
            .filter(|(p, l)| p == l)
            .count() as f64
            / tests.labels.len().max(1) as f64;
        Ok(Network {
            label,
            rom: dir.display().to_string(),
            unit: unit_name(&rom.mlp.unit),
            accuracy,
            exact: rom_is_exact(rom),
        })
    }
}

/// A unit's widths and coding, e.g. `a8w4 ternary`.
pub fn unit_name(cfg: &UnitConfig) -> String {
    format!("a{}w{} {}", cfg.a_bits(), cfg.w_bits(), cfg.coding())
}

/// One design on one stream.
#[derive(Clone, Debug, Serialize)]
pub struct PowerRun {
    pub design: String,
    /// The unit's widths, e.g. `a8w4 ternary`.
    pub unit: String,
    pub network: String,
    pub stream: StreamFacts,
    pub cells: BTreeMap<String, u64>,
    /// Clock cycles, reset excluded.
    pub cycles: u64,
    pub toggles: u64,
    pub toggles_by_kind: BTreeMap<String, u64>,
    /// From the netlist that keeps its blocks (empty when not run).
    pub toggles_by_block: BTreeMap<String, u64>,
    pub toggles_per_pair: f64,
    /// `None` for random streams.
    pub toggles_per_inference: Option<f64>,
    pub cycles_per_inference: Option<f64>,
}

/// A ratio the report states.
#[derive(Clone, Debug, Serialize)]
pub struct Ratio {
    pub what: String,
    pub numerator: f64,
    pub denominator: f64,
    pub ratio: f64,
}

/// Where a toggle report comes from: the first fields of every report's
/// JSON (flattened into it).
#[derive(Clone, Debug, Serialize)]
pub struct Provenance {
    pub meaning: String,
    pub command: String,
    pub commit: String,
    pub sievingnet_version: String,
    pub yosys_version: String,
    pub verilator_version: String,
    /// Seed of the driver (initial register state) and of the random streams.
    pub seed: u64,
    /// Test samples per network.
    pub samples: usize,
}

impl Provenance {
    /// Taken when a run starts: the sources measured are those of the start
    /// (the tree may change during a long run). Errors, naming the fix, if
    /// Yosys or Verilator is missing.
    pub fn at_start(meaning: &str, command: String, seed: u64, samples: usize) -> Result<Self> {
        let commit = source_commit();
        Ok(Provenance {
            meaning: meaning.to_string(),
            command,
            commit,
            sievingnet_version: env!("CARGO_PKG_VERSION").to_string(),
            yosys_version: tool_version("yosys", "the toggle flow (synth_ice40)")?,
            verilator_version: tool_version("verilator", "the toggle flow (simulation)")?,
            seed,
            samples,
        })
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct PowerReport {
    #[serde(flatten)]
    pub provenance: Provenance,
    pub networks: Vec<Network>,
    pub runs: Vec<PowerRun>,
    pub ratios: Vec<Ratio>,
}

impl PowerRun {
    fn key(&self) -> String {
        format!(
            "{} ({}), {}, sieve {}",
            self.design,
            self.unit,
            self.network,
            if self.stream.sieve { "on" } else { "off" }
        )
    }
}

/// The ratios the issue asks for: each sieving design with the sieve on
/// against off on the same network, and the cheapest sieving run against
/// every exact design on each exact network.
pub fn ratios(networks: &[Network], runs: &[PowerRun]) -> Vec<Ratio> {
    let mut out = Vec::new();
    let per_inf = |r: &PowerRun| r.toggles_per_inference;
    for on in runs.iter().filter(|r| r.stream.sieve) {
        if let Some(off) = runs.iter().find(|r| {
            !r.stream.sieve && r.design == on.design && r.network == on.network && r.unit == on.unit
        }) {
            let (a, b) = match (per_inf(on), per_inf(off)) {
                (Some(a), Some(b)) => (a, b),
                _ => (on.toggles_per_pair, off.toggles_per_pair),
            };
            out.push(Ratio {
                what: format!("{}: sieve on / off, {}", on.design, on.network),
                numerator: a,
                denominator: b,
                ratio: a / b,
            });
        }
    }
    let best = runs
        .iter()
        .filter(|r| r.stream.sieve && r.toggles_per_inference.is_some())
        .min_by(|a, b| {
            a.toggles_per_inference
                .partial_cmp(&b.toggles_per_inference)
                .unwrap()
        });
    if let Some(best) = best {
        let acc = |label: &str| {
            networks
                .iter()
                .find(|n| n.label == label)
                .map(|n| n.accuracy)
        };
        for exact in networks.iter().filter(|n| n.exact) {
            for mac in runs
                .iter()
                .filter(|r| r.network == exact.label && !r.stream.sieve)
            {
                if let (Some(a), Some(b)) = (best.toggles_per_inference, mac.toggles_per_inference)
                {
                    out.push(Ratio {
                        what: format!(
                            "best sieving run [{}] ({:.2}% accuracy) / {} on {} ({:.2}%)",
                            best.key(),
                            100.0 * acc(&best.network).unwrap_or(f64::NAN),
                            mac.design,
                            exact.label,
                            100.0 * exact.accuracy
                        ),
                        numerator: a,
                        denominator: b,
                        ratio: a / b,
                    });
                }
            }
        }
    }
    out
}

pub(crate) fn thousands(v: f64) -> String {
    let n = v.round() as i64;
    let s = n.abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// The markdown tables of a report.
pub fn markdown(r: &PowerReport) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Toggles of the mapped iCE40 netlist on real streams ({} test samples per network, \
         seed {}). A relative proxy for dynamic energy, not milliwatts (see power.json, `meaning`).\n",
        r.provenance.samples, r.provenance.seed
    );
    s.push_str("| network | accuracy | unit |\n|---|---|---|\n");
    for n in &r.networks {
        let _ = writeln!(
            s,
            "| {}{} | {:.2}% | {} |",
            n.label,
            if n.exact { " (exact)" } else { "" },
            100.0 * n.accuracy,
            n.unit
        );
    }
    s.push_str(
        "\n| design | unit | network | sieve | sieved share | LUT4 | FF | cycles / inference | toggles / inference | toggles / pair | LUT | carry | FF | DSP |\n\
         |---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for x in &r.runs {
        let k = |name: &str| x.toggles_by_kind.get(name).copied().unwrap_or(0) as f64;
        let share = |name: &str| {
            if x.toggles == 0 {
                "0%".to_string()
            } else {
                format!("{:.0}%", 100.0 * k(name) / x.toggles as f64)
            }
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {:.1}% | {} | {} | {} | {} | {:.1} | {} | {} | {} | {} |",
            x.design,
            x.unit,
            x.network,
            if x.stream.sieve { "on" } else { "off" },
            100.0 * x.stream.sieved_share,
            x.cells.get("lut").copied().unwrap_or(0),
            x.cells.get("ff").copied().unwrap_or(0),
            x.cycles_per_inference
                .map(thousands)
                .unwrap_or_else(|| "-".into()),
            x.toggles_per_inference
                .map(thousands)
                .unwrap_or_else(|| "-".into()),
            x.toggles_per_pair,
            share("lut"),
            share("carry"),
            share("ff"),
            share("dsp"),
        );
    }
    if !r.ratios.is_empty() {
        s.push_str("\n| ratio | value |\n|---|---|\n");
        for q in &r.ratios {
            let _ = writeln!(s, "| {} | {:.3} |", q.what, q.ratio);
        }
    }
    let blocks: Vec<&PowerRun> = r
        .runs
        .iter()
        .filter(|x| !x.toggles_by_block.is_empty())
        .collect();
    if !blocks.is_empty() {
        s.push_str(
            "\nToggles by block (netlist keeping its blocks), share of the run's total:\n\n",
        );
        for x in blocks {
            let total: u64 = x.toggles_by_block.values().sum();
            let mut v: Vec<(&String, &u64)> = x.toggles_by_block.iter().collect();
            v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            let share = |n: u64| 100.0 * n as f64 / total.max(1) as f64;
            let mut parts: Vec<String> = v
                .iter()
                .filter(|(_, &n)| share(n) >= 1.0)
                .map(|(b, &n)| format!("{b} {:.0}%", share(n)))
                .collect();
            let rest: u64 = v
                .iter()
                .filter(|(_, &n)| share(n) < 1.0)
                .map(|(_, &n)| n)
                .sum();
            if rest > 0 {
                parts.push(format!("the other blocks {:.1}%", share(rest)));
            }
            let _ = writeln!(s, "- {}: {}", x.key(), parts.join(", "));
        }
    }
    s
}

const COLORS: [(&str, &str); 4] = [
    ("lut", "#1f77b4"),
    ("carry", "#ff7f0e"),
    ("ff", "#2ca02c"),
    ("dsp", "#d62728"),
];

/// Bars of toggles per inference of the networks' streams (random streams
/// are in the tables only: they have no inference), stacked by cell kind;
/// and, when several sieving networks were run, toggles per inference
/// against the sieved share, one line per sieving design, with the exact
/// network's MACs as dashed references.
pub fn svg(r: &PowerReport) -> String {
    let rows: Vec<&PowerRun> = r
        .runs
        .iter()
        .filter(|x| x.toggles_per_inference.is_some())
        .collect();
    let per_inf = |x: &PowerRun| x.toggles_per_inference.unwrap_or(0.0);
    let (label_w, bar_w, row_h, top) = (330.0, 380.0, 20.0, 40.0);
    let bars_h = top + row_h * rows.len() as f64 + 50.0;
    let mut lines: BTreeMap<String, Vec<(f64, f64)>> = BTreeMap::new();
    for x in rows.iter().filter(|x| x.stream.sieve) {
        lines
            .entry(format!("{} ({})", x.design, x.unit))
            .or_default()
            .push((x.stream.sieved_share, per_inf(x)));
    }
    lines.retain(|_, v| v.len() >= 2);
    let exact_nets: Vec<&str> = r
        .networks
        .iter()
        .filter(|n| n.exact)
        .map(|n| n.label.as_str())
        .collect();
    let refs: Vec<(String, f64)> = rows
        .iter()
        .filter(|x| exact_nets.contains(&x.network.as_str()))
        .map(|x| {
            (
                format!("{} ({}) on {}", x.design, x.unit, x.network),
                per_inf(x),
            )
        })
        .collect();
    let share_h = if lines.is_empty() { 0.0 } else { 330.0 };
    let height = bars_h + share_h + 30.0;
    let width = label_w + bar_w + 120.0;
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" font-family="sans-serif">"#
    );
    let _ = writeln!(svg, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        svg,
        r#"<text x="10" y="22" font-size="14">Toggles per inference ({} test samples), by kind of driving cell</text>"#,
        r.provenance.samples
    );
    let max = rows
        .iter()
        .map(|x| per_inf(x))
        .fold(0.0, f64::max)
        .max(1e-9);
    for (i, x) in rows.iter().enumerate() {
        let y = top + row_h * i as f64;
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="end">{}</text>"#,
            label_w - 6.0,
            y + 13.0,
            escape(&x.key())
        );
        let mut x0 = label_w;
        for (kind, color) in COLORS {
            let n = x.toggles_by_kind.get(kind).copied().unwrap_or(0) as f64;
            if n == 0.0 || x.toggles == 0 {
                continue;
            }
            let w = bar_w * per_inf(x) / max * n / x.toggles as f64;
            let _ = writeln!(
                svg,
                r#"<rect x="{x0:.1}" y="{:.1}" width="{w:.1}" height="{:.1}" fill="{color}"/>"#,
                y + 2.0,
                row_h - 4.0
            );
            x0 += w;
        }
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" font-size="11">{}</text>"#,
            x0 + 4.0,
            y + 13.0,
            thousands(per_inf(x))
        );
    }
    let ly = top + row_h * rows.len() as f64 + 20.0;
    for (k, (kind, color)) in COLORS.iter().enumerate() {
        let x = label_w + 90.0 * k as f64;
        let _ = writeln!(
            svg,
            r#"<rect x="{x:.1}" y="{:.1}" width="12" height="12" fill="{color}"/><text x="{:.1}" y="{:.1}" font-size="12">{kind}</text>"#,
            ly - 10.0,
            x + 16.0,
            ly
        );
    }
    if !lines.is_empty() {
        let y0 = bars_h + 20.0;
        let (pw, ph, ox) = (440.0, 220.0, 90.0);
        let oy = y0 + 30.0 + ph;
        let ymax = nice_max(
            lines
                .values()
                .flatten()
                .map(|p| p.1)
                .chain(refs.iter().map(|r| r.1))
                .fold(0.0, f64::max)
                * 1.05,
        );
        let _ = writeln!(
            svg,
            r#"<text x="10" y="{y0:.1}" font-size="14">Toggles per inference against the sieved share (sieve on), exact networks dashed</text>"#
        );
        let _ = writeln!(
            svg,
            r#"<line x1="{ox}" y1="{oy}" x2="{:.1}" y2="{oy}" stroke="black"/><line x1="{ox}" y1="{oy}" x2="{ox}" y2="{:.1}" stroke="black"/>"#,
            ox + pw,
            oy - ph
        );
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="middle">sieved share: sieved / (sieved + kept) digit-terms</text>"#,
            ox + pw / 2.0,
            oy + 30.0
        );
        for t in 0..=4 {
            let f = t as f64 / 4.0;
            let _ = writeln!(
                svg,
                r#"<text x="{:.1}" y="{:.1}" font-size="10" text-anchor="middle">{:.0}%</text><text x="{:.1}" y="{:.1}" font-size="10" text-anchor="end">{}</text>"#,
                ox + pw * f,
                oy + 14.0,
                100.0 * f,
                ox - 4.0,
                oy - ph * f + 3.0,
                thousands(ymax * f)
            );
        }
        let palette = [
            "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#ff7f0e",
        ];
        let py = |v: f64| oy - ph * v / ymax;
        let mut legend_y = y0 + 40.0;
        for (k, (name, pts)) in lines.iter().enumerate() {
            let mut pts = pts.clone();
            pts.sort_by(|a, b| a.0.total_cmp(&b.0));
            let c = palette[k % palette.len()];
            let path: Vec<String> = pts
                .iter()
                .map(|(s, v)| format!("{:.1},{:.1}", ox + pw * s, py(*v)))
                .collect();
            let _ = writeln!(
                svg,
                r#"<polyline points="{}" fill="none" stroke="{c}" stroke-width="2"/>"#,
                path.join(" ")
            );
            for (s, v) in &pts {
                let _ = writeln!(
                    svg,
                    r#"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{c}"/>"#,
                    ox + pw * s,
                    py(*v)
                );
            }
            let _ = writeln!(
                svg,
                r#"<text x="{:.1}" y="{legend_y:.1}" font-size="11" fill="{c}">{}</text>"#,
                ox + pw + 10.0,
                escape(name)
            );
            legend_y += 16.0;
        }
        for (k, (name, v)) in refs.iter().enumerate() {
            let c = palette[(lines.len() + k) % palette.len()];
            let _ = writeln!(
                svg,
                r#"<line x1="{ox}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="{c}" stroke-dasharray="6,4"/>"#,
                py(*v),
                ox + pw,
                py(*v)
            );
            let _ = writeln!(
                svg,
                r#"<text x="{:.1}" y="{legend_y:.1}" font-size="11" fill="{c}">- - {}</text>"#,
                ox + pw + 10.0,
                escape(name)
            );
            legend_y += 16.0;
        }
    }
    let _ = writeln!(
        svg,
        r##"<text x="10" y="{:.1}" font-size="10" fill="#555">Toggles of the mapped netlist (Yosys, Verilator toggle coverage): a relative proxy for dynamic energy, not milliwatts.</text>"##,
        height - 10.0
    );
    svg.push_str("</svg>\n");
    svg
}

/// Writes power.json, power.md and power.svg into `dir` (all or none).
pub fn write_report(r: &PowerReport, dir: &Path) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let json = serde_json::to_string_pretty(r)? + "\n";
    let md = markdown(r);
    let plot = svg(r);
    let files = [
        (dir.join("power.json"), json.into_bytes()),
        (dir.join("power.md"), md.into_bytes()),
        (dir.join("power.svg"), plot.into_bytes()),
    ];
    let refs: Vec<(&Path, &[u8])> = files
        .iter()
        .map(|(p, b)| (p.as_path(), b.as_slice()))
        .collect();
    write_atomic_all(&refs)?;
    Ok(files.into_iter().map(|(p, _)| p).collect())
}
